"""The command line, end to end: every input record accounted for, order, formats, exit codes.

Scoring tests use the shipped model when it is installed and loads, and otherwise a small real
model trained once per session on synthetic texts (``--model PATH``), so they hold before and
after the shipped model lands: expectations are computed with the Python API on the same model,
never hard-coded scores.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import importlib.util
import io
import itertools
import json
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser  # tests/fixtures/cli, on sys.path via conftest.py
import pytest
import synthetic  # tests/fixtures/cli, on sys.path via conftest.py

import slopsift
from slopsift.cli import main
from slopsift.cli._output import FORMULA_PREFIXES, TableWriter, csv_safe
from slopsift.inputs import InputRecord, ReadOptions, decode_utf8, extract_html_text, iter_records

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
EXAMPLES = Path(__file__).parent.parent / "examples"
SRC = str(Path(slopsift.__file__).resolve().parent.parent)


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The shipped model if installed and current, else a small model trained on synthetic texts."""
    from slopsift.bundle import ModelError, bundled_model_path, load_bundle

    shipped = bundled_model_path()
    if shipped.is_file():
        try:
            load_bundle(shipped)
            return str(shipped)
        except ModelError:
            pass  # trained on another feature schema while the families change: use our own
    return str(synthetic.train_model(tmp_path_factory.mktemp("model")))


@pytest.fixture(scope="session")
def detector(model: str) -> Any:
    from slopsift.scoring import Detector

    return Detector(model)


def human(seed: int) -> str:
    return str(synthetic.human_text(random.Random(seed)))


def farm(seed: int) -> str:
    return str(synthetic.machine_text(random.Random(seed)))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """The real entry point, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": SRC, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "slopsift", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def jsonl(out: str | bytes) -> list[dict[str, Any]]:
    text = out.decode() if isinstance(out, bytes) else out
    return [json.loads(line) for line in text.splitlines()]


SUMMARY = re.compile(r"scored (\d+), flagged (\d+), errors (\d+)")


def summary_counts(err: str | bytes) -> tuple[int, int, int]:
    text = err.decode() if isinstance(err, bytes) else err
    m = SUMMARY.search(text)
    assert m, text
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def check_summary(records: list[dict[str, Any]], err: str | bytes) -> None:
    scored = [r for r in records if r.get("error") is None]
    flagged = sum(bool(r["flagged"]) for r in scored)
    assert summary_counts(err) == (len(scored), flagged, len(records) - len(scored))


@pytest.fixture
def mixed_dir(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    (d / "a_good.txt").write_text(human(1), encoding="utf-8")
    (d / "b_empty.txt").write_bytes(b"")
    (d / "c_binary.bin").write_bytes(bytes(range(256)) * 8)
    (d / "d_latin1.txt").write_bytes(human(2).replace("people", "caf\xe9 people", 1).encode("latin-1"))
    (d / "e_blank.md").write_text("  \n\n\t\n", encoding="utf-8")
    (d / "sub" / "farm.md").write_text(farm(3), encoding="utf-8")
    (d / ".hidden.txt").write_text(human(4), encoding="utf-8")
    return d


@pytest.fixture
def bad_jsonl(tmp_path: Path) -> Path:
    p = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "ok-1", "text": human(5)}),
        json.dumps({"id": "no-text", "body": human(6)}),
        '{"id": "broken", "text": "unterminated',
        "",
        json.dumps({"text": farm(7)}),
        json.dumps({"id": 42, "text": 17}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "blank", "text": "   "}),
        json.dumps({"id": "ok-2", "text": human(8)}),
    ]
    p.write_bytes(
        ("\n".join(lines) + "\n").encode()
        + b'{"id": "bad-utf8", "text": "'
        + human(9).encode()
        + b'\xff\xfe"}\n'
    )
    return p


# --- end to end through the real entry point --------------------------------------------------------


def test_mixed_directory_and_broken_jsonl_one_record_per_input(
    model: str, mixed_dir: Path, bad_jsonl: Path, detector: Any
) -> None:
    proc = cli("score", "--model", model, "-j", "2", str(mixed_dir), str(bad_jsonl))
    assert proc.returncode == 0, proc.stderr
    recs = jsonl(proc.stdout)
    ids = [r["id"] for r in recs]
    d = str(mixed_dir)
    assert ids == [
        f"{d}/a_good.txt",
        f"{d}/b_empty.txt",
        f"{d}/c_binary.bin",
        f"{d}/d_latin1.txt",
        f"{d}/e_blank.md",
        f"{d}/sub/farm.md",
        "ok-1",
        "no-text",
        f"{bad_jsonl}:3",
        f"{bad_jsonl}:5",
        42,
        f"{bad_jsonl}:7",
        "blank",
        "ok-2",
        "bad-utf8",
    ]
    by = {str(r["id"]): r for r in recs}
    errors = {k: v["error"] for k, v in by.items() if v.get("error")}
    assert errors == {
        f"{d}/b_empty.txt": "empty text",
        f"{d}/c_binary.bin": "binary file (contains NUL bytes)",
        f"{d}/e_blank.md": "empty text",
        "no-text": "missing field 'text' (its text fields: 'body'; --text-field names the one to score)",
        f"{bad_jsonl}:3": errors[f"{bad_jsonl}:3"],
        "42": "field 'text' is int, not a string",
        f"{bad_jsonl}:7": "not a JSON object (list)",
        "blank": "empty text",
    }
    assert errors[f"{bad_jsonl}:3"].startswith("invalid JSON: ")
    for r in recs:
        if r.get("error"):
            assert (
                r["quality"] is None and r["flagged"] is None and r["label"] == "error" and r["reasons"] == []
            )
    # Invalid UTF-8 is scored with replacement and counted, never dropped.
    assert by[f"{d}/d_latin1.txt"]["warning"] == "invalid UTF-8: 1 byte replaced with U+FFFD"
    assert by["bad-utf8"]["warning"] == "invalid UTF-8: 2 bytes replaced with U+FFFD"
    assert "error" not in by["bad-utf8"]
    # Source and line locate container records.
    assert by["ok-1"]["source"] == str(bad_jsonl) and by["ok-1"]["line"] == 1
    assert by["ok-2"]["line"] == 9
    # Scores are the API's scores.
    expected = detector.score(human(5))
    assert by["ok-1"]["quality"] == round(expected.quality, 6)
    assert by["ok-1"]["label"] == expected.label
    assert by["ok-1"]["reasons"] == [r.signal for r in expected.reasons]
    err = proc.stderr.decode()
    check_summary(recs, err)
    assert "(2 with invalid UTF-8 replaced)" in err
    assert "Traceback" not in err


def test_entry_points_agree(model: str) -> None:
    a = cli("--version")
    assert a.returncode == 0 and a.stdout.decode().startswith(f"slopsift {slopsift.__version__}")
    env = {**os.environ, "PYTHONPATH": SRC}
    b = subprocess.run(
        [sys.executable, "-m", "slopsift.cli", "--version"], capture_output=True, env=env, check=False
    )
    assert b.stdout == a.stdout
    script = shutil.which("slopsift")
    if script is None:
        pytest.skip("the slopsift console script is not on PATH")
    c = subprocess.run([script, "--version"], capture_output=True, check=False)
    assert c.returncode == 0 and c.stdout.decode().startswith("slopsift ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--threshold", "1.5", "x"], "argument --threshold: must be between 0 and 1"),
        (["score", "--threshold", "abc"], "argument --threshold: not a number"),
        (["score", "--fpr", "0.02"], "argument --fpr: invalid choice"),
        (["score", "--fpr", "0.01", "--threshold", "0.3"], "not allowed with argument"),
        (["score", "--jobs", "-3"], "argument -j/--jobs: must be at least 1"),
        (["score", "--format", "xml"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        ([], "missing command"),
        (["score", "--model", "/nonexistent/model.joblib", str(EXAMPLES)], "model file not found"),
        (
            ["score", "--model", "/nonexistent/model.joblib", "nope.txt"],
            "no such file or directory: nope.txt",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("slopsift")
    assert message in err
    assert out == ""


def test_usage_error_through_the_entry_point_has_no_traceback() -> None:
    proc = cli("score", "--threshold", "1.5", "x")
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == (
        "slopsift: error: argument --threshold: must be between 0 and 1 (exclusive), got 1.5 "
        "(see 'slopsift score --help')\n"
    )


def test_unverified_model_is_refused(tmp_path: Path, model: str, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "m.joblib"
    shutil.copy(model, copy)  # no .json sidecar with the SHA-256
    code, _, err = run(["score", "--model", str(copy), str(EXAMPLES)], capsys)
    assert code == 2
    assert "metadata file m.json" in err and err.count("\n") == 1


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["score", "--help"], ["report", "--help"], ["explain", "--help"]):
        code, out, _ = run(args, capsys)
        assert code == 0 and "usage:" in out


# --- scoring behaviour ------------------------------------------------------------------------------


def test_order_and_results_identical_with_jobs(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "many.jsonl"
    rows = []
    for i in range(120):
        if i % 37 == 5:
            rows.append(json.dumps({"id": f"r{i}", "text": ""}))
        else:
            rows.append(json.dumps({"id": f"r{i}", "text": farm(i) if i % 3 == 0 else human(i)}))
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code1, out1, err1 = run(["score", "--model", model, "-j", "1", str(p)], capsys)
    code2, out2, err2 = run(["score", "--model", model, "-j", "2", "--chunk-size", "7", str(p)], capsys)
    assert code1 == code2 == 0
    assert out1 == out2
    recs = jsonl(out1)
    assert [r["id"] for r in recs] == [f"r{i}" for i in range(120)]
    check_summary(recs, err1)
    assert summary_counts(err1) == summary_counts(err2)
    assert summary_counts(err1)[2] == 4  # i = 5, 42, 79, 116


def test_explain_flag_adds_signals_and_evidence(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "farm.md"
    text = farm(11)
    p.write_text(text, encoding="utf-8")
    code, out, _ = run(["score", "--model", model, "--explain", str(p)], capsys)
    assert code == 0
    (rec,) = jsonl(out)
    expected = slopsift.signals(text).to_dict()
    assert rec["signals"]["families"] == json.loads(json.dumps(expected["families"]))
    assert {r["signal"] for r in rec["reason_details"]} == set(rec["reasons"])
    for e in (ev for fam in rec["signals"]["families"].values() for ev in fam["evidence"]):
        assert 0 <= e["start"] < e["end"] <= len(text)
    assert 0.0 < rec["threshold"] <= 1.0 and rec["model_version"]


def test_fail_on_flag(model: str, detector: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "farm.md"
    text = farm(12)
    p.write_text(text, encoding="utf-8")
    q = detector.score(text).quality
    if q >= 0.999:
        pytest.skip("this model does not score the synthetic farm text below 0.999")
    above = f"{(q + 1) / 2:.6f}"  # quality < threshold: flagged
    code, out, err = run(["score", "--model", model, "--threshold", above, "--fail-on-flag", str(p)], capsys)
    assert code == 1 and jsonl(out)[0]["flagged"] is True and summary_counts(err)[1] == 1
    code, out, _ = run(["score", "--model", model, "--threshold", above, str(p)], capsys)
    assert code == 0 and jsonl(out)[0]["flagged"] is True
    if q > 0.002:
        below = f"{q / 2:.6f}"
        code, out, _ = run(
            ["score", "--model", model, "--threshold", below, "--fail-on-flag", str(p)], capsys
        )
        assert code == 0 and jsonl(out)[0]["flagged"] is False


def test_fpr_operating_points(model: str, detector: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from slopsift.scoring import Detector

    for fpr in ("0.01", "0.05"):
        code, out, _ = run(["score", "--model", model, "--fpr", fpr, "--explain", str(EXAMPLES)], capsys)
        assert code == 0
        expect = Detector(model, f"fpr_{fpr}").threshold
        assert {r["threshold"] for r in jsonl(out)} == {round(expect, 6)}


def test_csv_output_neutralises_formulas(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "evil.jsonl"
    ids = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcr", "plain", "a=b"]
    p.write_text(
        "\n".join(json.dumps({"id": i, "text": human(n)}) for n, i in enumerate(ids)) + "\n", encoding="utf-8"
    )
    out_path = tmp_path / "out.txt"  # a file, not capsys, which translates the bare \r
    code, _, _ = run(["score", "--model", model, "-f", "csv", str(p), "-o", str(out_path)], capsys)
    assert code == 0
    with out_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["'" + i if i[0] in "=+-@\t\r" else i for i in ids]
    for r in rows:
        for v in r.values():
            assert not v.startswith(FORMULA_PREFIXES), r
    assert all(r["flagged"] in ("true", "false") for r in rows)


def test_csv_safe() -> None:
    assert csv_safe("=1+2") == "'=1+2"
    assert csv_safe("-x") == "'-x"
    assert csv_safe("x-") == "x-"
    assert csv_safe(-0.5) == -0.5  # numbers are numbers, not formulas
    assert csv_safe("") == ""


def test_output_file_and_format_from_extension(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_csv = tmp_path / "out.csv"
    code, out, err = run(["score", "--model", model, str(EXAMPLES), "-o", str(out_csv)], capsys)
    assert code == 0 and out == ""
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8", newline="")))
    assert len(rows) == len(list(EXAMPLES.iterdir()))
    check_summary([{"error": r["error"] or None, "flagged": r["flagged"] == "true"} for r in rows], err)


@pytest.mark.parametrize(
    ("name", "args", "fmt"),
    [
        ("out.jsonl.gz", [], "jsonl"),
        ("out.csv.gz", [], "csv"),  # the format inferred through .gz
        ("OUT.CSV.GZ", [], "csv"),
        ("out.txt.gz", ["-f", "table"], "table"),
        ("out.gz", ["--explain"], "jsonl"),
    ],
)
def test_output_named_gz_is_gzipped(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, args: list[str], fmt: str
) -> None:
    base = ["score", "--model", model, "-q", "-j", "1", *args, str(EXAMPLES)]
    gz, plain = tmp_path / name, tmp_path / name[:-3]
    assert run([*base, "-o", str(gz)], capsys)[0] == 0
    assert run([*base, "-o", str(plain), "-f", fmt], capsys)[0] == 0
    data = gz.read_bytes()
    assert data[:2] == b"\x1f\x8b"  # gzip's magic number
    first = {"jsonl": b'{"id": ', "csv": b"id,source,line,quality", "table": b"quality "}[fmt]
    assert gzip.decompress(data) == plain.read_bytes() and plain.read_bytes().startswith(first)


def test_output_file_must_not_be_an_input(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "in.jsonl"
    p.write_text(json.dumps({"text": human(1)}) + "\n", encoding="utf-8")
    code, _, err = run(["score", "--model", model, str(p), "-o", str(p)], capsys)
    assert code == 2 and "is also an input" in err
    assert p.read_text(encoding="utf-8").startswith('{"text"')
    packed = tmp_path / "in.jsonl.gz"  # read gunzipped, written gzipped: the same file all the same
    packed.write_bytes(gzip.compress(p.read_bytes()))
    code, _, err = run(["score", "--model", model, str(packed), "-o", str(packed)], capsys)
    assert code == 2 and "is also an input" in err
    assert gzip.decompress(packed.read_bytes()) == p.read_bytes()


def test_output_dash_is_standard_output(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # '-o -' means standard output, as '-' means standard input: no file named '-' is created, the
    # format defaults as for standard output, and the summary still goes to stderr.
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "in.jsonl"
    p.write_text("".join(json.dumps({"id": f"r{i}", "text": human(i)}) + "\n" for i in range(2)))
    code, out, err = run(["score", "--model", model, "-q", "-j", "1", str(p), "-o", "-"], capsys)
    _, plain, _ = run(["score", "--model", model, "-q", "-j", "1", str(p)], capsys)
    assert code == 0 and out == plain and [r["id"] for r in jsonl(out)] == ["r0", "r1"]
    check_summary(jsonl(out), err)
    code, out, _ = run(["score", "--model", model, "-q", "-j", "1", "-f", "csv", str(p), "-o", "-"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("id,source,line,quality")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["in.jsonl"]
    # A file named '-' is still reachable as ./-.
    code, out, _ = run(["score", "--model", model, "-q", "-j", "1", str(p), "-o", "./-"], capsys)
    assert code == 0 and out == "" and len(jsonl((tmp_path / "-").read_text())) == 2


@pytest.mark.parametrize("command", ["score", "report", "train", "evaluate"])
def test_jobs_zero_and_minus_one_are_all_cores_and_say_so(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from slopsift.cli import build_parser
    from slopsift.cli._pipeline import default_jobs

    parser = build_parser([command])
    required = ["-o", "m.joblib"] if command == "train" else []
    for given in ("0", "-1"):
        assert parser.parse_args([command, *required, "-j", given]).jobs == default_jobs()
    assert parser.parse_args([command, *required, "-j", "3"]).jobs == 3
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0 and "0 or -1: all cores" in " ".join(out.split())
    code, _, err = run([command, *required, "-j", "-2"], capsys)
    assert code == 2 and "argument -j/--jobs: must be at least 1 (or 0 or -1 for all cores), got -2" in err


def test_stdin_text_and_jsonl(model: str) -> None:
    proc = cli("score", "--model", model, stdin=human(3).encode())
    assert proc.returncode == 0
    (rec,) = jsonl(proc.stdout)
    assert rec["id"] == "<stdin>" and rec["label"] != "error"
    lines = b"".join(json.dumps({"id": f"s{i}", "text": human(i)}).encode() + b"\n" for i in range(3))
    proc = cli("score", "--model", model, "-", stdin=lines)
    assert [r["id"] for r in jsonl(proc.stdout)] == ["s0", "s1", "s2"]
    proc = cli("score", "--model", model, "--input-format", "text", stdin=lines)
    assert [r["id"] for r in jsonl(proc.stdout)] == ["<stdin>"]
    proc = cli("score", "--model", model, stdin=b"")
    assert jsonl(proc.stdout) == [
        {
            "id": "<stdin>",
            "quality": None,
            "flagged": None,
            "label": "error",
            "reasons": [],
            "error": "empty text",
        }
    ]


def test_gzip_csv_html_and_fields(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(human(1).encode()))
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"meta": {"body": human(2)}, "key": "k1"}) + "\n")
    (tmp_path / "c.csv").write_text(
        f'key,body\nrow-1,"{human(3)}"\n,"{human(4)}"\nrow-3,"x",extra\n', encoding="utf-8"
    )
    (tmp_path / "d.html").write_text(
        "<html><head><title>T</title><script>var secret='SCRIPTTEXT';</script></head><body>"
        f"<nav>NAVTEXT</nav><article><h1>Title</h1><p>{human(5)}</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "e.txt.gz").write_bytes(gzip.compress(human(6).encode())[:40])  # truncated
    code, out, err = run(
        [
            "score",
            "--model",
            model,
            "--glob",
            "*.gz",
            "--glob",
            "*.csv",
            "--glob",
            "*.html",
            "--text-field",
            "meta.body",
            "--id-field",
            "key",
            str(tmp_path),
        ],
        capsys,
    )
    recs = jsonl(out)
    ids = [r["id"] for r in recs]
    assert ids == [
        f"{tmp_path}/a.txt.gz",
        "k1",
        "row-1",  # each row is a record, an error row without the text column
        f"{tmp_path}/c.csv:3",
        f"{tmp_path}/c.csv:4",
        f"{tmp_path}/d.html",
        f"{tmp_path}/e.txt.gz",
    ]
    hint = "missing field 'meta.body' (its text fields: 'body'; --text-field names the one to score)"
    assert [r.get("error") for r in recs[2:5]] == [hint, hint, "row has 3 fields, header has 2"]
    assert recs[6]["error"].startswith("corrupt or truncated gzip data")
    assert recs[0]["label"] != "error" and recs[1]["label"] != "error" and recs[5]["label"] != "error"
    assert code == 0
    check_summary(recs, err)
    code, out, _ = run(
        ["score", "--model", model, "--text-field", "body", "--id-field", "key", str(tmp_path / "c.csv")],
        capsys,
    )
    recs = jsonl(out)
    assert code == 0
    assert [r["id"] for r in recs] == ["row-1", f"{tmp_path / 'c.csv'}:3", f"{tmp_path / 'c.csv'}:4"]
    assert recs[2]["error"] == "row has 3 fields, header has 2"
    assert [r["line"] for r in recs] == [2, 3, 4]


def test_html_extraction_keeps_main_text_and_headings() -> None:
    page = (
        "<html><head><title>Page title</title><style>p{color:red}</style></head><body>"
        "<nav><ul><li>Home<li>About</ul></nav><header>SITE HEADER</header>"
        "<main><h2>First &amp; foremost</h2><p>Alpha <b>beta</b>\n   gamma.</p><p>Second<br>line</p>"
        "<ul><li>one<li>two</ul><script>var x = '</div>';</script></main>"
        "<footer>copyright</footer></body></html>"
    )
    assert extract_html_text(page) == (
        "# Page title\n\n## First & foremost\n\nAlpha beta gamma.\n\nSecond\nline\n\n- one\n- two"
    )


def test_decode_utf8_counts_replaced_bytes() -> None:
    assert decode_utf8(b"plain") == ("plain", 0)
    assert decode_utf8(b"\xef\xbb\xbfbom") == ("bom", 0)
    assert decode_utf8(b"a\xffb\xfe\xfdc") == ("a\ufffdb\ufffd\ufffdc", 3)
    assert decode_utf8("é".encode()[:1] + b"x") == ("\ufffdx", 1)


def test_oversized_documents_are_errors_and_the_run_goes_on(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.txt"
    big.write_text(human(1) * 10, encoding="utf-8")
    p = tmp_path / "lines.jsonl"
    p.write_text(
        json.dumps({"id": "long", "text": human(2) * 10})
        + "\n"
        + json.dumps({"id": "short", "text": human(3)})
        + "\n",
        encoding="utf-8",
    )
    limit = str(len(human(3)) + 100)
    code, out, err = run(["score", "--model", model, "--max-doc-bytes", limit, str(big), str(p)], capsys)
    recs = jsonl(out)
    assert code == 0
    assert [r["id"] for r in recs] == [str(big), "long", "short"]  # the id before the text is kept
    assert recs[0]["error"] == f"document larger than {limit} bytes (raise --max-doc-bytes to read it)"
    assert recs[1]["error"] == f"line longer than {limit} bytes (raise --max-doc-bytes to read it)"
    assert recs[2]["label"] != "error"
    check_summary(recs, err)


def test_strict_utf8(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(human(1).encode() + b"\xff")
    _, out, _ = run(["score", "--model", model, "--strict-utf8", str(p)], capsys)
    assert jsonl(out)[0]["error"] == "invalid UTF-8 (1 byte)"
    _, out, _ = run(["score", "--model", model, str(p)], capsys)
    assert jsonl(out)[0]["label"] != "error" and "warning" in jsonl(out)[0]


@pytest.mark.parametrize("jobs", [1, 2])
def test_live_input_gives_what_batch_input_gives(model: str, jobs: int) -> None:
    """Records read ahead by a thread (stdin from a pipe): the same rows in the same order, and a
    failure of the reader raised, as from records read in the loop (after the rows of the records
    read before it, those still being scored by a pool aside)."""
    from slopsift.cli._pipeline import ScoreConfig, score_records

    recs = [InputRecord(i, human(i)) for i in range(9)] + [InputRecord(9, None, "empty text")]

    def rows(records: Any, live: bool) -> list[tuple[str | int, Any]]:
        cfg = ScoreConfig(model=model)
        chunks = score_records(records, cfg, jobs=jobs, chunk_size=2, live=live)
        return [(r.id, res) for chunk in chunks for r, res in chunk]

    assert rows(iter(recs), live=True) == rows(iter(recs), live=False)

    def failing() -> Iterator[InputRecord]:
        yield from recs[:3]
        raise OSError("the reader failed")

    got: list[tuple[str | int, Any]] = []
    with pytest.raises(OSError, match="the reader failed"):
        for chunk in score_records(failing(), ScoreConfig(model=model), jobs=jobs, chunk_size=2, live=True):
            got += [(r.id, res) for r, res in chunk]
    assert [i for i, _ in got] == [0, 1, 2][: 3 if jobs == 1 else len(got)]


def test_failing_document_is_isolated(monkeypatch: pytest.MonkeyPatch, detector: Any) -> None:
    from slopsift.cli import _pipeline

    class Flaky:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def score_batch(self, texts: list[str]) -> Any:
            if any("POISON" in t for t in texts):
                raise RuntimeError("boom")
            return self.inner.score_batch(texts)

        def score(self, text: str) -> Any:
            return self.score_batch([text])[0]

    monkeypatch.setattr(_pipeline, "_detector", Flaky(detector))
    monkeypatch.setattr(_pipeline, "load_detector", lambda *a: Flaky(detector))
    recs = [InputRecord(i, t) for i, t in enumerate([human(1), "POISON " + human(2), human(3)])]
    out = [pair for chunk in _pipeline.score_records(recs, _pipeline.ScoreConfig()) for pair in chunk]
    results = [res for _, res in out]
    assert results[1] == {"error": "internal error while scoring: RuntimeError: boom"}
    assert (
        results[0] is not None
        and "quality" in results[0]
        and results[2] is not None
        and "quality" in results[2]
    )


def test_reader_is_lazy(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text("".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(5)), encoding="utf-8")
    it = iter_records([str(p)], ReadOptions())
    assert next(it).text == "t0"  # nothing past the first line is needed to get the first record


def test_directory_walk_skips_hidden_and_reports_missing(
    model: str, mixed_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["score", "--model", model, "--glob", "*.md", str(mixed_dir)], capsys)
    assert code == 0
    ids = [r["id"] for r in jsonl(out)]
    assert ids == [f"{mixed_dir}/e_blank.md", f"{mixed_dir}/sub/farm.md"]
    # a mistyped path is a usage error before anything is scored or written, not an empty run
    out_file = mixed_dir.parent / "out.jsonl"
    args = ["score", "--model", model, str(mixed_dir), str(mixed_dir / "nope.txt"), "-o", str(out_file)]
    code, out, err = run(args, capsys)
    assert (code, out) == (2, "") and f"no such file or directory: {mixed_dir}/nope.txt" in err
    assert not out_file.exists()
    # the library still accounts for it as an error record
    (rec,) = iter_records([str(mixed_dir / "nope.txt")])
    assert rec.error == "no such file or directory"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_an_error_record(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "locked.txt"
    p.write_text(human(1), encoding="utf-8")
    p.chmod(0)
    _, out, _ = run(["score", "--model", model, str(p)], capsys)
    assert jsonl(out)[0]["error"] == "cannot read: Permission denied"


# --- terminal output --------------------------------------------------------------------------------


def on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``slopsift args`` with its standard output on a pseudo-terminal: exit code and output."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": SRC, "NO_COLOR": "1", "COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "slopsift", *args], stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode().replace("\r\n", "\n")


def test_table_is_the_default_on_a_terminal(model: str) -> None:
    _, out = on_a_terminal(["score", "--model", model, str(EXAMPLES)])
    assert out.splitlines()[0].split()[:4] == ["quality", "label", "document", "reasons"]
    assert len(out.splitlines()) == 1 + len(list(EXAMPLES.iterdir()))
    assert "bike-repair-diary.md" in out and "{" not in out


def test_explain_is_refused_with_the_table_format(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The table has no room for the details: asking for both is a usage error, not a silent drop.
    p = tmp_path / "a.txt"
    p.write_text(human(1), encoding="utf-8")
    code, out, err = run(["score", "--model", model, "-q", str(p), "--explain", "-f", "table"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "slopsift: error: --explain needs -f jsonl or -f csv: the table has no room for the details "
        "(for one document: slopsift explain FILE)\n"
    )


def test_explain_on_a_terminal_defaults_to_jsonl(model: str, tmp_path: Path) -> None:
    # Without -f the table is the default on a terminal, but --explain asks for the details: JSONL.
    p = tmp_path / "a.txt"
    p.write_text(human(1), encoding="utf-8")
    code, out = on_a_terminal(["score", "--model", model, "-q", "--explain", str(p)])
    (rec,) = jsonl(out)
    assert code == 0 and rec["id"] == str(p) and "signals" in rec and "reason_details" in rec


def test_table_writer_escapes_control_characters() -> None:
    buf = io.StringIO()
    w = TableWriter(buf, width=100)
    w.write({"id": "evil\x1b[2Jname", "quality": 0.5, "label": "ok", "reasons": ["a.b"], "flagged": False})
    w.write({"id": "e", "quality": None, "label": "error", "reasons": [], "error": "bad\x07thing"})
    text = buf.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b[2Jname" in text and "error: bad\\x07thing" in text


def test_table_keeps_one_record_per_line() -> None:
    # Every control character (C0 with tab and newline, DEL, C1) and the Unicode line and paragraph
    # separators are escaped: an id can neither break the row nor move the cursor.
    buf = io.StringIO()
    w = TableWriter(buf, width=200)
    ident = "a\nb\tc\rd\x7fe\x85f\u2028g\u2029h\x1bi"
    w.write({"id": ident, "quality": 0.5, "label": "ok", "reasons": [], "flagged": False})
    w.write({"id": "e", "quality": None, "label": "error", "reasons": [], "error": "line 1\nline 2"})
    rows = buf.getvalue().split("\n")
    assert len(rows) == 4 and rows[-1] == ""  # header, two records, final newline
    assert "a\\x0ab\\x09c\\x0dd\\x7fe\\x85f\\u2028g\\u2029h\\x1bi" in rows[1]
    assert rows[2].endswith("error: line 1\\x0aline 2")


def test_table_escapes_bidirectional_overrides() -> None:
    # An id with an unterminated right-to-left override or embedding (U+202A-202E) or isolate
    # (U+2066-2069) makes a bidirectional terminal draw the rest of the row, quality and reasons
    # included, right to left: shown escaped, as the control characters are.
    buf = io.StringIO()
    w = TableWriter(buf, width=200)
    ident = "report\u202etxt.exe\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069"
    w.write({"id": ident, "quality": 0.5, "label": "ok", "reasons": ["r.s"], "flagged": False})
    row = buf.getvalue().splitlines()[1]
    assert not any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in row)
    assert "report\\u202etxt.exe\\u202a" in row and row.endswith(" r.s")


def test_table_aligns_ids_with_lone_surrogates(model: str, tmp_path: Path) -> None:
    # A JSON id can hold a lone surrogate ("\\ud800"): standard output writes it as the six characters
    # \ud800 (backslashreplace), which the table counted as one column, so the reasons column of its
    # row started five columns right of the others'. Escaped before fitting, it is counted as printed.
    p = tmp_path / "ids.jsonl"
    p.write_text(
        '{"id": "plain", "text": "Short text here."}\n{"id": "a\\ud800b", "text": "Short text here."}\n',
        encoding="utf-8",
    )
    proc = cli("score", "--model", model, "-f", "table", "-j", "1", str(p))
    assert proc.returncode == 0
    rows = proc.stdout.decode("utf-8").splitlines()[1:]
    assert "a\\ud800b" in rows[1]
    assert len({row.index(" -") for row in rows}) == 1


def test_table_columns_align_by_display_width() -> None:
    # A CJK character takes two columns, a combining mark none: the reasons column starts at the
    # same place whatever the id, cut ("…") or padded.
    import unicodedata

    def columns(s: str) -> int:
        return sum(
            0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s
        )

    buf = io.StringIO()
    w = TableWriter(buf, width=100)
    for ident in ("plain.txt", "文書.txt", "e\u0301te.txt", "長い名前の文書" * 10, "x" * 200):
        w.write({"id": ident, "quality": 0.5, "label": "ok", "reasons": ["r.s"], "flagged": False})
    starts = {columns(row[: row.index(" r.s")]) for row in buf.getvalue().splitlines()[1:]}
    assert starts == {8 + len("unsupported_language") + 1 + w.id_w}


def test_table_columns_align_with_zero_width_characters() -> None:
    # Marks of combining class 0 (Thai U+0E31, the emoji variation selector U+FE0F, the enclosing
    # circle U+20DD), zero-width format characters (U+200B, ZWJ, U+FEFF, LRM) and Hangul medial
    # vowels and final consonants take no column: counted as one each, they pushed the reasons
    # column left of where it starts for a plain id (the soft hyphen shows, as one column).
    zero = {"\u0e31", "\ufe0f", "\u20dd", "\u200b", "\u200d", "\ufeff", "\u200e", "\u1161", "\u11a8"}

    def columns(s: str) -> int:
        return sum(0 if c in zero or c == "\u0301" else 2 if c in "文書가\u1100" else 1 for c in s)

    buf = io.StringIO()
    w = TableWriter(buf, width=100)
    idents = (
        "plain.txt",
        "a\u200bb\u200bc.txt",
        "\u0e01\u0e31" * 40,
        "x\ufe0f" * 40,
        "o\u20dd" * 3,
        "\ufeffbom.txt",
        "\u200eltr" * 30,
        "\u1100\u1161\u11a8" * 4,
        "가" * 3,
        "e\u0301" * 50,
        "soft\xadhyphen",
        "文書\u200d" * 20,
    )
    for ident in idents:
        w.write({"id": ident, "quality": 0.5, "label": "ok", "reasons": ["r.s"], "flagged": False})
    starts = [columns(row[: row.index(" r.s")]) for row in buf.getvalue().splitlines()[1:]]
    assert starts == [8 + len("unsupported_language") + 1 + w.id_w] * len(idents)


def _evidence(text: str, signals: set[str] | None = None) -> list[tuple[str, str]]:
    res = slopsift.signals(text)
    return [
        (text[e.start : e.end], e.signal) for e in res.evidence() if signals is None or e.signal in signals
    ]


def test_explain_plain_markers_cover_the_evidence(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from slopsift.cli._explain import family_markers
    from slopsift.signals import FAMILY_ORDER

    text = farm(21)
    assert "[" not in text and "]" not in text
    p = tmp_path / "farm.md"
    p.write_text(text, encoding="utf-8")
    code, out, _ = run(["explain", "--model", model, "--all-evidence", "--color", "never", str(p)], capsys)
    assert code == 0
    assert "\x1b[" not in out
    start = out.index("\nText (")
    body = out[out.index("\n\n", start) + 2 :]  # after the "Text (...)" line and its blank line
    # Walk the marked-up text: plain characters, and "[L|...]" runs marked for family letter L.
    letter_family = {v: k for k, v in family_markers(FAMILY_ORDER).items()}
    marked: dict[int, str] = {}
    plain: list[str] = []
    i = 0
    while i < len(body):
        m = re.match(r"\[([A-Z?])\|([^\]]*)\]", body[i:])
        if m:
            for k in range(len(m.group(2))):
                marked[len(plain) + k] = letter_family[m.group(1)]
            plain.extend(m.group(2))
            i += m.end()
        else:
            plain.append(body[i])
            i += 1
    assert "".join(plain) == text + "\n"  # removing the markers gives back the text exactly
    cover: dict[str, set[int]] = {}
    for e in slopsift.signals(text).evidence():
        cover.setdefault(e.signal.split(".", 1)[0], set()).update(range(e.start, e.end))
    assert marked, "expected highlighted evidence on a content-farm text"
    # Every marked character lies in evidence of its family; every evidence character is marked.
    assert all(pos in cover[fam] for pos, fam in marked.items())
    assert set(marked) == set().union(*cover.values())


def test_explain_reasons_percentiles_colour_and_json(
    model: str, detector: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = farm(22) + "\n\nsneaky \x1b[31mred\x1b[0m"
    p = tmp_path / "farm.md"
    p.write_text(text, encoding="utf-8")
    rep = detector.score(text)
    code, out, _ = run(["explain", "--model", model, "--color", "always", str(p)], capsys)
    assert code == 0
    for r in rep.reasons:
        assert f"{r.signal} = " in out and "human p" in out
    assert ("FLAGGED" in out) == rep.flagged
    assert "\\x1b[31mred" in out  # the document's own escape sequences are shown, not obeyed
    code, out, _ = run(["explain", "--model", model, "-f", "json", str(p)], capsys)
    d = json.loads(out)
    assert d["quality"] == round(rep.quality, 6)
    assert [r["signal"] for r in d["reason_details"]] == [r.signal for r in rep.reasons]
    for r, exp in zip(d["reason_details"], rep.reasons, strict=True):
        assert r["human_percentile"] == exp.human_percentile


def test_explain_picks_a_record_and_reports_unscorable(
    model: str, bad_jsonl: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["explain", "--model", model, "--record", "ok-2", "-f", "json", str(bad_jsonl)], capsys
    )
    assert code == 0 and json.loads(out)["id"] == "ok-2"
    code, _, err = run(["explain", "--model", model, "--record", "no-text", str(bad_jsonl)], capsys)
    assert code == 2 and "missing field 'text'" in err
    code, _, err = run(["explain", "--model", model, "--record", "nope", str(bad_jsonl)], capsys)
    assert code == 2 and "no record with id 'nope'" in err


def test_signals_lists_every_feature(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["signals"], capsys)
    assert code == 0
    for name, spec in slopsift.feature_specs():
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert spec.unit in line
        assert {"higher_worse": "higher = worse", "higher_better": "higher = better", "neutral": "neutral"}[
            spec.direction
        ] in line
    from slopsift.signals import families

    assert f"{len(slopsift.feature_names())} signals in {len(families())} families" in out
    code, out, _ = run(["signals", "-f", "json"], capsys)
    data = json.loads(out)
    assert [d["name"] for d in data] == slopsift.feature_names()
    assert all(
        d["definition"] == s.definition for d, (_, s) in zip(data, slopsift.feature_specs(), strict=True)
    )
    code, _, err = run(["signals", "--family", "nope"], capsys)
    assert code == 2 and "unknown family" in err


# --- interruption and pipes -------------------------------------------------------------------------


@contextlib.contextmanager
def _sigint_not_ignored() -> Iterator[None]:
    """Ctrl-C's default for the processes started inside: a shell without job control starts a
    background job (``pytest &``) with SIGINT ignored, and an ignored signal is inherited across exec,
    so the run under test would never see the SIGINT the test sends. A handled signal is reset to its
    default on exec, so handling it here for the moment of the fork is enough."""
    old = signal.getsignal(signal.SIGINT)
    if old is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class _EndlessRun:
    """``slopsift COMMAND -o OUT -`` fed human texts (ids 0, 1, ...) on stdin until the process exits.

    The input never ends, so the run can only stop by the signal the test sends, however fast the
    machine or however loaded: a finite input could be scored in full before the signal lands.
    """

    def __init__(self, command: str, model: str, jobs: str, tmp_path: Path, out: Path) -> None:
        self.err_path = tmp_path / "stderr.txt"
        argv = [sys.executable, "-m", "slopsift", command, "--model", model, "-j", jobs, "-", "-o", str(out)]
        with self.err_path.open("wb") as err, _sigint_not_ignored():
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stderr=err,
                env={**os.environ, "PYTHONPATH": SRC},
            )
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            for i in itertools.count():
                stdin.write((json.dumps({"id": i, "text": human(i % 50)}) + "\n").encode())
        except (OSError, ValueError):  # the process exited (broken pipe) or stdin was closed
            pass

    def interrupt(self) -> bytes:
        """Send SIGINT, wait for the exit, and return what the process wrote to stderr."""
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        self._feeder.join(timeout=10)
        with contextlib.suppress(OSError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        return self.err_path.read_bytes()


@pytest.mark.parametrize(("jobs", "name"), [("1", "out.jsonl"), ("2", "out.jsonl"), ("2", "out.jsonl.gz")])
def test_ctrl_c_stops_cleanly_with_valid_output(model: str, tmp_path: Path, jobs: str, name: str) -> None:
    out_path = tmp_path / name
    run = _EndlessRun("score", model, jobs, tmp_path, out_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out_path.exists() or out_path.stat().st_size < 2000):
        time.sleep(0.05)
    err = run.interrupt()
    assert run.proc.returncode == 130, err
    data = out_path.read_bytes()
    # gzip: the stream was closed (gzip.decompress refuses a stream without its trailer)
    text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")
    assert text.endswith("\n")
    recs = jsonl(text)
    assert len(recs) > 0
    assert [r["id"] for r in recs] == list(range(len(recs)))
    assert "interrupted" in err.decode() and "Traceback" not in err.decode()
    assert summary_counts(err)[0] == len(recs)


@pytest.mark.parametrize(
    "args",
    [
        ["-j", "1", "--chunk-size", "1", "-f", "jsonl"],
        ["-j", "2"],  # the default chunk size: a chunk is what has arrived
        ["-j", "2", "--input-format", "jsonl"],
        ["-j", "2", "--input-format", "json"],  # a JSON array: each element's row before the next comes
    ],
)
def test_piped_json_lines_are_scored_as_they_arrive(model: str, args: list[str]) -> None:
    """``tail -f x.jsonl | slopsift score``: each line's row comes out before the next line goes in."""
    array = args[-1] == "json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "slopsift", "score", "--model", model, "-q", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SRC},
    )
    assert proc.stdin is not None and proc.stdout is not None
    out: queue.Queue[bytes] = queue.Queue()
    reader = threading.Thread(target=lambda: [out.put(row) for row in proc.stdout or ()], daemon=True)
    reader.start()
    try:
        for i in range(3):
            lead = (b"[" if array else b"\n") if i == 0 else (b"," if array else b"")
            proc.stdin.write(lead + json.dumps({"id": i, "text": human(i)}).encode() + b"\n")
            proc.stdin.flush()
            try:
                row = out.get(timeout=60)  # a hang guard: the row comes as soon as the line is scored
            except queue.Empty:
                pytest.fail(f"no row for line {i} while the input stays open")
            assert json.loads(row)["id"] == i
        proc.stdin.write(b"]" if array else b"")
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
        reader.join(timeout=10)
        assert out.empty()  # one row per line
    finally:
        proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()


def test_gzip_output_is_flushed_as_records_arrive(model: str, tmp_path: Path) -> None:
    """``tail -f x.jsonl | slopsift score -o out.jsonl.gz``: each row can be decompressed from the file
    (a sync flush) before the next line goes in, and the closed file is one complete gzip stream."""
    out_path = tmp_path / "out.jsonl.gz"
    proc = subprocess.Popen(
        [sys.executable, "-m", "slopsift", "score", "--model", model, "-q", "-j", "1", "-o", str(out_path)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SRC},
    )
    assert proc.stdin is not None
    try:
        for i in range(3):
            proc.stdin.write(json.dumps({"id": i, "text": human(i)}).encode() + b"\n")
            proc.stdin.flush()
            deadline, rows = time.monotonic() + 60, []
            while len(rows) <= i and time.monotonic() < deadline:  # a hang guard, as above
                time.sleep(0.05)
                with contextlib.suppress(OSError):
                    rows = zlib.decompressobj(31).decompress(out_path.read_bytes()).splitlines()
            assert [json.loads(r)["id"] for r in rows] == list(range(i + 1))
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
        assert [r["id"] for r in jsonl(gzip.decompress(out_path.read_bytes()))] == [0, 1, 2]
    finally:
        proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()


def test_closed_pipe_is_quiet(model: str, tmp_path: Path) -> None:
    p = tmp_path / "many.jsonl"
    p.write_text("".join(json.dumps({"text": human(i)}) + "\n" for i in range(400)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen(
        [sys.executable, "-m", "slopsift", "score", "--model", model, "-j", "1", str(p)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert json.loads(first)["id"].endswith(":1")
    assert b"Traceback" not in err and b"BrokenPipe" not in err


# --- report -----------------------------------------------------------------------------------------


def test_report_end_to_end(model: str, tmp_path: Path, mixed_dir: Path) -> None:
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    evil_name = hostile / "<img src=x onerror=alert(1)>.txt"
    evil_text = farm(30) + '\n\n<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2">\n'
    evil_name.write_text(evil_text, encoding="utf-8")
    out = tmp_path / "report.html"
    proc = cli(
        "report", "--model", model, "-q", str(mixed_dir), str(hostile), "-o", str(out), "--title", "<b>T</b>"
    )
    assert proc.returncode == 0, proc.stderr
    assert summary_counts(proc.stderr) == (4, summary_counts(proc.stderr)[1], 3)
    page = out.read_text(encoding="utf-8")
    assert page.count("<script") == 3 and "<b>T</b>" not in page and "&lt;b&gt;T&lt;/b&gt;" in page
    assert "3 inputs could not be scored" in page
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)
    if browser.CHROMIUM is None:
        pytest.skip(browser.SKIP_REASON)
    result, console = browser.selftest(out)
    assert console == [] and result["errors"] == [] and result["pwned"] is False
    assert len(result["docs"]) == 4
    # Worst first.
    qualities = [d["quality"] for d in json.loads(_report_data(page))["docs"]]
    assert qualities == sorted(qualities)
    doc = next(d for d in result["docs"] if d["rowId"] == str(evil_name))
    assert doc["shown"] and doc["text"] == evil_text and doc["elementsInText"] == 0
    # Highlights are exactly evidence substrings of the reasons (the default view).
    from slopsift.scoring import Detector

    rep = Detector(model).score(evil_text)
    reason_spans = {(evil_text[e.start : e.end]) for r in rep.reasons for e in r.evidence}
    for m in doc["marks"]:
        if m["reason"]:
            assert any(m["text"] in s for s in reason_spans), m


FRENCH = (
    "Le jardin de ma grand-mère était toujours plein de fleurs au printemps, et nous y passions des heures "
    "à regarder les abeilles travailler. Chaque matin, elle arrosait les tomates avant que le soleil ne "
    "devienne trop fort. "
) * 6


def test_report_limit_lists_judged_documents_and_says_how_many_are_shown(
    model: str, detector: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Texts the model does not judge come first in the input; the list, cut to 2, holds the two
    # judged texts of lowest quality, the page says it is cut, and the histogram bins judged texts only.
    docs = tmp_path / "docs"
    docs.mkdir()
    texts = {f"a_fr{i}.txt": FRENCH for i in range(3)} | {
        f"a_short{i}.txt": "Just a few words." for i in range(3)
    }
    texts |= {f"farm{i}.md": farm(100 + i) for i in range(4)} | {f"human{i}.txt": human(i) for i in range(4)}
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    code, _, _ = run(
        ["report", "--model", model, "-q", "-j", "1", str(docs), "--limit", "2", "-o", str(out)], capsys
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    data = json.loads(_report_data(page))
    reps = {f"{docs}/{name}": detector.score(text) for name, text in texts.items()}
    # ranked as the report ranks them: by the quality in the records (6 decimals), ties in input order
    judged = sorted((round(r.quality, 6), i) for i, r in reps.items() if r.label in ("ok", "low_quality"))
    assert len(judged) == 8 and sum(r.label == "unsupported_language" for r in reps.values()) == 3
    assert [d["id"] for d in data["docs"]] == [i for _, i in judged[:2]]
    assert all(d["judged"] for d in data["docs"])
    assert sum(data["bins"]) == 8 and data["counts"]["not_judged"] == 6
    assert "14 scored" in page and "2 of 14 documents shown" in page
    assert (
        "Quality of the 8 judged documents" in page
        and "the 6 not judged (3 insufficient_text, 3 unsupported_language)" in page
    )


def _report_data(page: str) -> str:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.DOTALL)
    assert m
    return m.group(1)


def test_report_interrupted_writes_nothing(model: str, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run = _EndlessRun("report", model, "1", tmp_path, out)
    time.sleep(4)
    err = run.interrupt()
    # On a slow machine the signal may land before scoring starts: the message differs, not the result.
    assert run.proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_report_output_paths(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(human(1), encoding="utf-8")
    code, _, err = run(["report", "--model", model, "-q", str(docs), "-o", str(docs)], capsys)
    assert code == 2 and "is a directory" in err
    code, _, err = run(
        ["report", "--model", model, "-q", str(docs), "-o", str(tmp_path / "no" / "r.html")], capsys
    )
    assert code == 2 and "cannot write" in err
    real, link = tmp_path / "r1.html", tmp_path / "latest.html"  # a link to the latest report stays a link
    real.write_text("old report")
    link.symlink_to(real)
    code, _, err = run(["report", "--model", model, "-q", str(docs), "-o", str(link)], capsys)
    assert code == 0 and link.is_symlink() and "<html" in real.read_text(encoding="utf-8")


def test_report_named_gz_is_gzipped(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(human(1), encoding="utf-8")
    out = tmp_path / "r.html.gz"
    code, _, err = run(
        ["report", "--model", model, "-q", "-j", "1", str(tmp_path / "a.txt"), "-o", str(out)], capsys
    )
    assert code == 0 and err.endswith(f"; wrote {out}\n")
    data = out.read_bytes()
    page = gzip.decompress(data).decode("utf-8")
    assert page.startswith("<!DOCTYPE html") and page.rstrip().endswith("</html>")
    assert data[3] & 0x08 and data[10:17] == b"r.html\0"  # the header names the page, not the temporary file
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt", "r.html.gz"]


def test_report_to_standard_output(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(human(1), encoding="utf-8")
    code, out, err = run(["report", "--model", model, "-q", "-j", "1", "a.txt", "-o", "-"], capsys)
    assert code == 0 and out.lstrip().startswith("<!DOCTYPE html") and out.rstrip().endswith("</html>")
    assert err.endswith("; wrote standard output\n")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]


def test_train_refuses_output_dash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": human(1), "label": "human"}) + "\n")
    code, out, err = run(["train", str(data), "-o", "-", "-j", "1"], capsys)
    assert code == 2 and out == ""
    assert err == (
        "slopsift: error: train writes a model file and its .json metadata: "
        "name a file (-o model.joblib), not '-' (standard output)\n"
    )


# --- train, evaluate, prepare-data ------------------------------------------------------------------


def test_train_then_score_then_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "labelled.jsonl"
    with data.open("w", encoding="utf-8") as f:
        for i in range(200):
            machine = i % 2 == 1
            f.write(
                json.dumps(
                    {"text": farm(i) if machine else human(i), "label": "machine" if machine else "human"}
                )
                + "\n"
            )
    out = tmp_path / "mine.joblib"
    code, _, err = run(["train", str(data), "-o", str(out), "-j", "1"], capsys)
    assert code == 0, err
    assert out.is_file() and out.with_suffix(".json").is_file()
    code, o, _ = run(["score", "--model", str(out), str(EXAMPLES)], capsys)
    assert code == 0 and len(jsonl(o)) == len(list(EXAMPLES.iterdir()))
    code, o, _ = run(["evaluate", str(data), "--model", str(out), "-j", "1"], capsys)
    assert code == 0 and "fpr_0.05" in json.loads(o)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x", "label": "maybe"}) + "\n", encoding="utf-8")
    code, _, err = run(["train", str(bad), "-o", str(tmp_path / "x.joblib")], capsys)
    assert code == 2 and "neither human nor machine" in err and err.count("\n") == 1
    # The README's form, --data, works as well as the positional DATA; giving both differently is an error.
    code, o, _ = run(["evaluate", "--data", str(data), "--model", str(out), "-j", "1"], capsys)
    assert code == 0 and "fpr_0.05" in json.loads(o)
    code, _, err = run(["evaluate", str(data), "--data", str(bad), "--model", str(out)], capsys)
    assert code == 2 and "DATA given twice" in err
    code, _, err = run(["evaluate", "--model", str(out)], capsys)
    assert code == 2 and "--data" in err
    # Too little data: a clear minimum, not scikit-learn's cross-validation error.
    small = tmp_path / "small.jsonl"
    first20 = data.read_text(encoding="utf-8").splitlines(keepends=True)[:20]
    small.write_text("".join(first20), encoding="utf-8")
    code, _, err = run(["train", "--data", str(small), "-o", str(tmp_path / "s.joblib")], capsys)
    assert code == 2 and "10 human and 10 machine groups" in err
    assert "at least 80 human and 30 machine groups" in err
    assert "features:" not in err  # refused before any feature is computed
    # Human-only data: evaluate gives the human rates (what the check sets measure), as strict JSON.
    humans = tmp_path / "humans.jsonl"
    rows = [json.loads(line) for line in data.read_text().splitlines() if '"human"' in line]
    humans.write_text("".join(json.dumps({**r, "domain": "n"}) + "\n" for r in rows))
    code, o, err = run(["evaluate", str(humans), "--model", str(out), "-j", "1"], capsys)
    res = json.loads(o, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert code == 0 and res["records"] == res["scored"] == 100
    assert res["fpr_0.05"]["n"] == 100 and res["fpr_0.05"]["auroc"] is None
    rate = res["fpr_0.05"]["fpr"]
    assert res["fpr_0.01"]["fpr"] <= rate and res["fpr_0.05"]["tpr"] is None  # no machine texts
    assert isinstance(rate, float) and res["human_domain_fpr"] == {"n": rate}  # a domain may be called "n"
    # A text `slopsift score` would not score is counted, not scored, by evaluate and by train.
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(data.read_text() + json.dumps({"text": "Too short to score.", "label": "human"}) + "\n")
    code, o, err = run(["evaluate", str(mixed), "--model", str(out), "-j", "1"], capsys)
    assert code == 0 and (json.loads(o)["records"], json.loads(o)["scored"]) == (201, 200)
    assert "1 records are insufficient_text" in err and "not scored" in err


def test_train_and_evaluate_parse_each_text_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The gate that leaves a text out comes from the same parse as its features (train) or its
    # report (evaluate): no text is parsed a second time just to find its gate.
    from collections import Counter

    from slopsift import document, features, scoring

    rows = [{"text": farm(i) if i % 2 else human(i), "label": i % 2} for i in range(200)]
    rows.append({"text": "Too short to score.", "label": 0})
    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    parsed: Counter[str] = Counter()
    parse = document.parse

    def counted(text: str) -> document.Document:
        parsed[text] += 1
        return parse(text)

    for module in (document, features, scoring):
        monkeypatch.setattr(module, "parse", counted)
    out = tmp_path / "m.joblib"
    code, _, err = run(["train", str(data), "-o", str(out), "-j", "1"], capsys)
    assert code == 0 and "1 records are insufficient_text" in err, err
    assert parsed == Counter(r["text"] for r in rows)
    parsed.clear()
    code, o, err = run(["evaluate", str(data), "--model", str(out), "-j", "1"], capsys)
    assert code == 0 and (json.loads(o)["records"], json.loads(o)["scored"]) == (201, 200), err
    assert parsed == Counter(r["text"] for r in rows)


def test_evaluate_loads_the_model_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    # One load in this process gives the thresholds and scores every text. (That the worker processes
    # load nothing is shown in test_bundle: Detector.score_many with the model's files deleted.)
    from slopsift import bundle, scoring

    rows = [{"text": farm(i) if i % 2 else human(i), "label": i % 2} for i in range(300)]
    data = tmp_path / "labelled.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    loads: list[Path] = []
    read = bundle._read_plain

    def counted(raw: bytes, path: Path) -> dict[str, Any]:
        loads.append(path)
        return read(raw, path)

    monkeypatch.setattr(bundle, "_read_plain", counted)
    monkeypatch.setattr(scoring, "_detectors", {})  # nothing cached by an earlier test
    code, one, err = run(["evaluate", str(data), "--model", model, "-j", "1"], capsys)
    assert code == 0 and json.loads(one)["scored"] == 300, err
    assert loads == [Path(model)]
    code, two, err = run(["evaluate", str(data), "--model", model, "-j", "2"], capsys)
    assert code == 0 and two == one, err  # three batches over two workers: the same figures
    assert len(loads) == 2  # this run's one load in this process


def test_train_refuses_outputs_that_would_destroy_data_before_fitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"text": human(i), "label": "human"} for i in range(3)]
    body = "".join(json.dumps(r) + "\n" for r in rows)
    data = tmp_path / "copy.jsonl"
    data.write_text(body)
    side_named = tmp_path / "dd.json"  # the data has the sidecar's name of dd.joblib
    side_named.write_text(body)
    (tmp_path / "outdir").mkdir()
    cases = [
        (data, data, "is the input"),
        (side_named, tmp_path / "dd.joblib", "is the input"),
        (data, tmp_path / "m.json", "suffix of the model's metadata file"),
        (data, tmp_path / "outdir", "is a directory"),
        (data, data / "m.joblib", "is a file, not a directory"),
        (data, "", "--out is empty"),
        (data, "/dev/stdout", "is a link or a special file"),
        (data, tmp_path / "link.joblib", "is a link or a special file"),
    ]
    (tmp_path / "link.joblib").symlink_to(tmp_path / "elsewhere.joblib")
    for src, out, message in cases:
        code, _, err = run(["train", str(src), "-o", str(out), "-j", "1"], capsys)
        assert code == 2 and message in err and err.count("\n") == 1, (out, err)
    assert data.read_text() == body and side_named.read_text() == body
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.jsonl", "dd.json", "link.joblib", "outdir"]


def test_train_refuses_a_model_name_as_save_bundle_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One rule (slopsift.bundle.check_bundle_path), checked before the fit, in the same words.
    from slopsift.bundle import check_bundle_path

    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"text": human(i), "label": "human"}) + "\n" for i in range(3)))
    for out in (tmp_path / "m.json", tmp_path / "m.JSON"):
        with pytest.raises(ValueError) as refused:
            check_bundle_path(out)
        code, _, err = run(["train", str(data), "-o", str(out), "-j", "1"], capsys)
        assert code == 2 and f"--out {refused.value}" in err and err.count("\n") == 1, err
    assert [p.name for p in tmp_path.iterdir()] == ["data.jsonl"]
    # The name rule comes first: data called m.json and --out m.JSON is refused for its suffix.
    named = tmp_path / "m.json"
    data.rename(named)
    code, _, err = run(["train", str(named), "-o", str(tmp_path / "m.JSON"), "-j", "1"], capsys)
    assert code == 2 and "cannot end in .json" in err, err


def test_train_says_what_it_left_out_before_refusing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "check.jsonl"
    rows = [{"text": human(i), "label": "human", "split_role": "check"} for i in range(3)]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = run(["train", str(data), "-o", str(tmp_path / "m.joblib"), "-j", "1"], capsys)
    assert code == 2 and "note: 3 records have split_role 'check': not trained on" in err, err
    assert "0 human and 0 machine groups" in err and "features:" not in err


def test_labelled_jsonl_reading(tmp_path: Path) -> None:
    from slopsift.features import features_and_gates
    from slopsift.training.train import _train_role, _ungated, data_notes, load_labelled_jsonl

    rows = [
        {"text": human(1), "label": "Human", "group": None},
        {"text": human(2), "label": 0, "split_role": "check", "generator": "gpt2-xl"},  # a human: votes
        {"text": farm(3), "label": True, "group": "g", "generator": " GPT2-XL "},
        {"text": human(1), "label": "machine"},  # a copy of line 1, with the other label
        {"text": "Too short.", "label": "ai"},
    ]
    body = "\ufeff" + "\r\n".join(json.dumps(r) for r in rows) + "\r\n\r\n"
    plain, packed = tmp_path / "a.jsonl", tmp_path / "b.data"  # gzip, whatever the name
    plain.write_text(body, encoding="utf-8")
    packed.write_bytes(gzip.compress(body.encode("utf-8")))
    for path in (plain, packed):
        t = load_labelled_jsonl(path)
        assert t.y.tolist() == [0, 0, 1, 1, 1]
        assert t.group[0] == t.group[3] != t.group[1]  # a copy joins its original's group
        assert t.group[2] == "g" and t.role.tolist() == ["train", "check", "train", "train", "train"]
        assert t.generator.tolist() == ["human", "gpt2-xl", "gpt2-xl", "machine", "machine"]
        assert t.voters().tolist() == [True, True, False, True, True]  # a continuation does not vote
    assert data_notes(t) == [
        "1 records repeat an earlier text (each text's copies are kept in one group)",
        "1 texts appear with both labels: check them, the model learns from both",
    ]
    gates = features_and_gates(t.texts)[1]
    assert gates == ["ok", "ok", "ok", "ok", "insufficient_text"]
    trained = _train_role(t)
    assert trained.texts == [human(1), farm(3), human(1), "Too short."]
    kept, mask = _ungated(trained, [gates[i] for i in (0, 2, 3, 4)], "trained on")
    assert kept.texts == trained.texts[:3] and mask.tolist() == [True, True, True, False]
    assert len(_ungated(t, gates, "scored")[0].texts) == 4
    bad = {
        "[1, 2]": "not a JSON object",
        '{"text": "x"}': "field 'label' missing (human: 0, false",
        '{"text": "x", "label": 1.0}': "label 1.0 is neither human nor machine",
        "": "no records",
    }
    for line, message in bad.items():
        plain.write_text(json.dumps(rows[0]) + "\n" + line + "\n" if line else "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(message)):
            load_labelled_jsonl(plain)
    plain.write_bytes(json.dumps(rows[0]).encode() + b"\n" + b'{"text": "caf\xe9", "label": "human"}\n')
    with pytest.raises(ValueError, match=re.escape(f"{plain}:2: not UTF-8")):
        load_labelled_jsonl(plain)
    with pytest.raises(ValueError, match="is a directory"):
        load_labelled_jsonl(tmp_path)
    damaged = bytearray(gzip.compress(body.encode("utf-8") * 20))
    damaged[200:260] = bytes(b ^ 0xFF for b in damaged[200:260])
    packed.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="cannot be read"):
        load_labelled_jsonl(packed)
    plain.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{plain}:1: not valid JSON")):
        load_labelled_jsonl(plain)
    same = [{"text": human(i), "label": "human", "group": "", "split_role": " Train "} for i in range(2)]
    plain.write_text("".join(json.dumps(r) + "\n" for r in same), encoding="utf-8")
    t = load_labelled_jsonl(plain)
    assert t.role.tolist() == ["train", "train"] and t.group[0] != t.group[1]  # "" is no group


def test_train_refuses_a_split_that_holds_out_too_few_human_texts() -> None:
    import numpy as np

    from slopsift.training.evaluate import Table
    from slopsift.training.train import check_calibration_humans

    n_h, n_m = 40, 200
    y = np.array([0] * n_h + [1] * n_m)
    t = Table(
        [""] * len(y), y, y, y, y, np.array([f"g{i}" for i in range(len(y))]), y, y, np.empty((len(y), 0))
    )
    with pytest.raises(ValueError, match=r"holds \d+ human texts; the default threshold flags 5%"):
        check_calibration_humans(t, seed=0)
    t.y = np.zeros(len(y), dtype=np.int64)  # all 240 human: about 60 held out
    check_calibration_humans(t, seed=0)


def test_prepare_data_is_wired(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["prepare-data", "--help"], capsys)
    if importlib.util.find_spec("slopsift.training.prepare") is None:
        assert code == 2 and "not available" in err
    else:
        assert code == 0 and "usage:" in out


def test_progress_bar_draws_and_clears_its_line() -> None:
    from slopsift.cli._output import Progress, Summary

    buf = io.StringIO()
    p = Progress(True, total_bytes=1000, stream=buf)
    p.add_bytes(500)
    p.update(Summary(scored=40, flagged=3, errors=2), force=True)
    line = buf.getvalue()
    assert line.startswith("\r[############            ]  50%  42 docs") and "flagged 3  errors 2" in line
    assert "\n" not in line
    p.close()
    assert buf.getvalue().endswith("\r\x1b[K")
    off = io.StringIO()
    q = Progress(False, stream=off)
    q.update(Summary(scored=1), force=True)
    q.close()
    assert off.getvalue() == ""


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz"])
def test_output_inside_a_scored_directory_is_not_read_back(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(human(i), encoding="utf-8")
    out_file = tmp_path / name
    code, _, _ = run(["score", "--model", model, str(tmp_path), "-o", str(out_file), "-j", "1"], capsys)
    assert code == 0
    data = out_file.read_bytes()
    assert [r["id"] for r in jsonl(gzip.decompress(data) if name.endswith(".gz") else data)] == [
        f"{tmp_path}/a{i}.txt" for i in range(3)
    ]


@pytest.mark.parametrize(
    ("head", "complete", "expected"),
    [
        (b'{"text": "a"}\n{"text": "b"}\n', True, True),
        (b'{"text": "a"}\r\n', True, True),  # CRLF (a BOM is consumed before: test_stdin_json_records)
        (b'\n\n  \n{"text": "a"}\n', True, True),  # blank lines first
        (b'{"text": "a",\n{"text": "b"}\n', True, True),  # a bad first line is an error row, not text
        (b'{"text": "' + b"x" * 100, False, True),  # a first line longer than the window
        (b"{curly braces open this plain text}\nand more text\n", True, False),
        (b'"a string"\n', True, False),
        (b'Plain text.\n{"text": "a"}\n', True, False),  # the first line decides
        (b"", True, False),
    ],
)
def test_stdin_sniffing(head: bytes, complete: bool, expected: bool) -> None:
    from slopsift.inputs import _looks_like_jsonl

    assert _looks_like_jsonl(head, complete) is expected


def test_gzipped_jsonl_on_stdin_and_a_note_for_json_like_text(model: str) -> None:
    lines = b"".join(json.dumps({"id": f"s{i}", "text": human(i)}).encode() + b"\n" for i in range(3))
    proc = cli("score", "--model", model, stdin=gzip.compress(b"\xef\xbb\xbf" + lines))
    assert proc.returncode == 0
    assert [r["id"] for r in jsonl(proc.stdout)] == ["s0", "s1", "s2"]
    proc = cli("score", "--model", model, stdin=b"{not json} " + human(1).encode())
    assert [r["id"] for r in jsonl(proc.stdout)] == ["<stdin>"]
    assert b"note: standard input opens like JSON but is not JSON records" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("name", ["", "full.jsonl.gz", "full.csv.gz"])
def test_output_that_cannot_be_written_is_one_line_and_exit_4(model: str, tmp_path: Path, name: str) -> None:
    target = "/dev/full"
    if name:  # a full disk behind a gzip output
        (tmp_path / name).symlink_to("/dev/full")
        target = str(tmp_path / name)
    proc = cli("score", "--model", model, "-j", "1", str(EXAMPLES), "-o", target)
    assert proc.returncode == 4
    err = proc.stderr.decode()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"cannot write {target}: No space left on device" in err


def test_fail_on_error(model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"text": human(1)}) + "\nnot json\n", encoding="utf-8")
    assert run(["score", "--model", model, str(p)], capsys)[0] == 0
    assert run(["score", "--model", model, "--fail-on-error", str(p)], capsys)[0] == 3


def test_csv_every_row_is_accounted_for(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    # empty texts are error rows; a blank line is no row
    p.write_text('text\n"alpha beta"\n""\n"   "\n\n"gamma"\n', encoding="utf-8")
    assert [(r.text, r.error) for r in iter_records([str(p)])] == [
        ("alpha beta", None),
        (None, "empty text"),
        (None, "empty text"),
        ("gamma", None),
    ]
    # an unterminated quote is an error row for its line, and the lines after it are still rows
    p.write_text('id,text\n1,"never closed\n2,second\n3,third\n', encoding="utf-8")
    assert [(r.id, r.text, r.error) for r in iter_records([str(p)])] == [
        (
            f"{p}:2",
            None,
            "invalid CSV row: unexpected end of data "
            "(a quoted field opened on this line runs to line 4; lines 3-4 are read again as rows)",
        ),
        ("2", "second", None),
        ("3", "third", None),
    ]
    # a line over the cap inside a quoted field is reported, and the next records keep their place
    long_line = "word " * 100
    p.write_text(f'id,text\na,"short\n{long_line}end"\nb,"fine"\nc,"also fine"\n', encoding="utf-8")
    recs = list(iter_records([str(p)], ReadOptions(max_doc_bytes=200)))
    assert [(r.id, r.error) for r in recs] == [
        (f"{p}:2", "line longer than 200 bytes (raise --max-doc-bytes to read it)"),
        ("b", None),
        ("c", None),
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.md", "a.md", True),
        ("*.md", "sub/deeper/a.md", True),  # no "/": the file name, at any depth
        ("nested/*", "nested/a.txt", True),
        ("nested/*", "nested/deeper/a.txt", False),  # "*" stays in its segment
        ("**/*.txt", "a.txt", True),  # "**/" may match no directory
        ("**/*.txt", "x/y/a.txt", True),
        ("x/**", "x/y/z.txt", True),
        ("a?.txt", "ab.txt", True),
        ("x?y/a.txt", "x/y/a.txt", False),  # nor does "?"
        ("[a-c].txt", "b.txt", True),
        ("[!a-c].txt", "b.txt", False),
        ("[!a-c].txt", "d.txt", True),
        ("a+b (1).txt", "a+b (1).txt", True),  # regex characters are literal
    ],
)
def test_glob_patterns(pattern: str, path: str, matches: bool, tmp_path: Path) -> None:
    f = tmp_path / path
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text("x", encoding="utf-8")
    found = [r.id for r in iter_records([str(tmp_path)], ReadOptions(globs=(pattern,)))]
    assert found == ([str(f)] if matches else [])


def test_null_text_is_named_as_such(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    lines = ['{"id": "a", "text": null}', '{"id": "b"}', '{"id": "c", "meta": {"body": null}}']
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [r.error for r in iter_records([str(p)])] == [
        "field 'text' is null",
        "missing field 'text'",
        "missing field 'text'",
    ]
    assert [r.error for r in iter_records([str(p)], ReadOptions(text_field="meta.body"))] == [
        "missing field 'meta.body'",
        "missing field 'meta.body'",
        "field 'meta.body' is null",
    ]


def test_prepare_data_output_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inside = ["prepare-data", "--data-dir", str(tmp_path), "--out", str(tmp_path / "set" / "x.jsonl")]
    code, _, err = run(inside, capsys)
    assert code == 2 and "is inside --data-dir" in err
    data = next((p for p in (Path("../shared/data"), Path("/work/shared/data")) if p.is_dir()), None)
    if data is None or not (data / "herbold-essays-chatgpt").is_dir():
        pytest.skip("shared data not found")
    base = ["prepare-data", "--data-dir", str(data), "--sources", " herbold-essays-chatgpt ,"]
    code, _, err = run([*base, "--out", str(tmp_path)], capsys)
    assert code == 2 and "is a directory" in err
    code, _, err = run([*base, "--out", "/dev/full"], capsys)  # built, then the disk is full
    assert code == 4 and "corpus not written to /dev/full" in err and err.count("\n") == 1
    out = tmp_path / "c.jsonl"
    code, o, err = run([*base, "--out", str(out)], capsys)
    assert code == 0 and f"wrote 270 records to {out}" in o
    assert [p.name for p in tmp_path.iterdir()] == ["c.jsonl"]


def test_prepare_data_to_standard_output_is_pure_jsonl(capfd: pytest.CaptureFixture[str]) -> None:
    data = next((p for p in (Path("../shared/data"), Path("/work/shared/data")) if p.is_dir()), None)
    if data is None or not (data / "herbold-essays-chatgpt").is_dir():
        pytest.skip("shared data not found")
    args = [
        "prepare-data",
        "--data-dir",
        str(data),
        "--sources",
        "herbold-essays-chatgpt",
        "--out",
        "/dev/stdout",
    ]
    assert main(args) == 0
    out, err = capfd.readouterr()
    assert len([json.loads(line) for line in out.splitlines()]) == 270  # the summary went to stderr
    assert "wrote 270 records to /dev/stdout" in err


def test_evidence_offsets_index_the_text_scored_and_help_says_so(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # HTML: offsets index the extracted main text; a file with a BOM: the text after the BOM.
    text = farm(31)
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>T</title></head><body>"
        + "".join(f"<p>{x}</p>" for x in text.split("\n\n"))
        + "</body></html>",
        encoding="utf-8",
    )
    bom = tmp_path / "b.md"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for path, scored in (
        (page, extract_html_text(page.read_text(encoding="utf-8"))),
        (bom, bom.read_text(encoding="utf-8-sig")),
    ):
        code, out, _ = run(["explain", "--model", model, "-f", "json", str(path)], capsys)
        spans = [
            (e["start"], e["end"], e["signal"])
            for fam in json.loads(out)["signals"]["families"].values()
            for e in fam["evidence"]
        ]
        want = [(e.start, e.end, e.signal) for e in slopsift.signals(scored).evidence()]
        assert code == 0 and spans and sorted(spans) == sorted(want)
    for command in ("score", "explain"):
        code, out, _ = run([command, "--help"], capsys)
        assert (
            "evidence offsets index the text scored: a JSONL/CSV record's text field, a file's text after "
            in (" ".join(out.split()))
        )


def test_a_directory_with_nothing_to_read_is_told(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden.txt").write_text(human(0), encoding="utf-8")
    code, out, err = run(["score", "--model", model, str(tmp_path / "empty")], capsys)
    assert (code, out) == (0, "")
    assert f"note: {tmp_path / 'empty'}: no file to read in it (hidden files are skipped)\n" in err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a.txt").write_text(human(1), encoding="utf-8")
    code, out, err = run(["score", "--model", model, "--glob", "*.md", str(tmp_path / "full")], capsys)
    assert (code, out) == (0, "")
    assert "no file to read in it (hidden files are skipped; none matches --glob)" in err
    code, out, err = run(["score", "--model", model, "-q", "--glob", "*.md", str(tmp_path / "full")], capsys)
    assert "note" not in err  # -q: no notes
    code, out, err = run(["score", "--model", model, str(tmp_path / "full")], capsys)
    assert "no file to read" not in err and len(out.splitlines()) == 1
    code, _, err = run(["explain", "--model", model, str(tmp_path / "empty")], capsys)
    assert code == 2 and f"error: {tmp_path / 'empty'} is a directory: explain takes one file" in err
    (tmp_path / "e.jsonl").write_text("\n", encoding="utf-8")
    code, _, err = run(["explain", "--model", model, str(tmp_path / "e.jsonl")], capsys)
    assert code == 2 and f"error: no record in {tmp_path / 'e.jsonl'}" in err


def test_csv_rows_read_again_after_an_open_quote_carry_a_warning(
    model: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "q.csv"
    row = "We planted the beans in May and they came up after the rain in the second week"
    p.write_text(f'id,text\n1,"never closed\n2,{row}\n3,{row}\n', encoding="utf-8", newline="")
    code, out, _ = run(["score", "--model", model, "-f", "jsonl", str(p)], capsys)
    recs = jsonl(out)
    assert [r["id"] for r in recs] == [f"{p}:2", "2", "3"]
    again = "read again after the quoted field left open on line 2: it may be part of it"
    assert [r.get("warning") for r in recs] == [None, again, again]
    assert recs[1]["label"] != "error" and code == 0
    code, out, _ = run(["explain", "--model", model, "-f", "json", "--record", "2", str(p)], capsys)
    assert (code, json.loads(out)["warning"]) == (0, again)  # explain gives it as score does


def test_table_shows_the_labels_as_documented_and_aligns_with_its_header() -> None:
    buf = io.StringIO()
    w = TableWriter(buf, width=100)
    for label in ("ok", "low_quality", "insufficient_text", "unsupported_language", "error"):
        w.write({"id": "doc.txt", "quality": 0.5, "label": label, "reasons": ["r.s"], "flagged": False})
    head, *rows = buf.getvalue().splitlines()
    assert [r.split()[1] for r in rows] == [
        "ok",
        "low_quality",
        "insufficient_text",
        "unsupported_language",
        "error",
    ]
    assert {r.index("doc.txt") for r in rows} == {head.index("document")}  # the columns line up
    assert {r.index("r.s") for r in rows} == {head.index("reasons")}
