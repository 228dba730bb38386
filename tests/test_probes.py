"""Probe sets (slopsift.training.probes): layout checked, summary counting what the detector says."""

from __future__ import annotations

from pathlib import Path

import pytest

import slopsift
from slopsift.training.card import probe_of
from slopsift.training.probes import describe, probe_sets, probe_summary, probe_table, read_probe

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


def _write(d: Path, name: str, body: str) -> None:
    (d / name).write_text(body, encoding="utf-8")


def test_read_probe_splits_request_genre_and_text(tmp_path: Path) -> None:
    _write(tmp_path, "02-review-cafe.txt", "PROMPT: review the cafe\n\nGreat coffee.\n\nSlow service.\n")
    _write(tmp_path, "01-blog-garden-tips.txt", "PROMPT:  tips for a garden \n\n# Tips\n\nWater early.")
    _write(tmp_path, "notes.md", "not a probe")
    probes = read_probe(tmp_path)
    assert [(p.name, p.genre, p.prompt) for p in probes] == [
        ("01-blog-garden-tips", "blog", "tips for a garden"),
        ("02-review-cafe", "review", "review the cafe"),
    ]
    assert probes[1].text == "Great coffee.\n\nSlow service."  # the request is never part of the text


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("01-blog-a.txt", "Just a text with no request.\n\nMore."),  # no header
        ("01-blog-a.txt", "PROMPT: a request\nGlued to the text."),  # no blank line after it
        ("01-blog-a.txt", "PROMPT: a\nsecond line\n\ntext"),  # a header of two lines
        ("blog.txt", "PROMPT: a request\n\ntext"),  # no genre in the name
    ],
)
def test_read_probe_refuses_a_malformed_file(tmp_path: Path, name: str, body: str) -> None:
    _write(tmp_path, name, body)
    with pytest.raises(ValueError, match=name):
        read_probe(tmp_path)


def test_read_probe_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no probe texts"):
        read_probe(tmp_path)


def test_probe_summary_counts_the_detector_flags(tmp_path: Path) -> None:
    _write(tmp_path, "01-farm-a.txt", "PROMPT: x\n\n" + (FIXTURES / "content_farm.md").read_text())
    _write(tmp_path, "02-farm-b.txt", "PROMPT: y\n\n" + (FIXTURES / "human_article.md").read_text())
    detector = slopsift.Detector()
    s = probe_summary(detector, read_probe(tmp_path))
    farm, human = (detector.score(p.text) for p in read_probe(tmp_path))
    assert farm.flagged and not human.flagged
    assert (s["n"], s["flagged"], s["threshold"]) == (2, 1, detector.threshold)
    median = (farm.quality + human.quality) / 2
    assert s["by_genre"] == {"farm": {"n": 2, "flagged": 1, "median_quality": median}}
    assert s["quality"] == {"01-farm-a": farm.quality, "02-farm-b": human.quality}
    assert set(s["reasons"]) <= {r.signal for r in farm.reasons} and s["reasons"]
    table = probe_table(s)
    assert "| farm | 2 | 1 |" in table and "| **all** | 2 | 1 |" in table


def test_probe_sets_and_descriptions(tmp_path: Path) -> None:
    for name in ("b-set", "a-set", "empty"):
        (tmp_path / name).mkdir()
    _write(tmp_path / "a-set", "01-x-y.txt", "PROMPT: p\n\ntext")
    _write(tmp_path / "b-set", "01-x-y.txt", "PROMPT: p\n\ntext")
    _write(tmp_path / "b-set", "README.md", "# Title\n\nFirst  paragraph,\nwrapped.\n\nSecond.\n")
    assert [d.name for d in probe_sets(tmp_path)] == ["a-set", "b-set"]  # "empty" holds no texts
    assert probe_sets(tmp_path / "missing") == []
    assert describe(tmp_path / "b-set") == "First paragraph, wrapped."
    assert describe(tmp_path / "a-set") == ""


def test_the_shipped_probe_sets_read_and_the_card_reports_them() -> None:
    root = ROOT / "benchmarks" / "probes"
    sets = {d.name: read_probe(d) for d in probe_sets(root)}
    assert {k: len(v) for k, v in sets.items()} == {"chat-2026": 80, "chat-2026-seo": 40}
    assert all(p.prompt and len(p.text.split()) >= 100 for v in sets.values() for p in v)
    assert all(describe(d) for d in probe_sets(root))
    assert probe_of(slopsift.Detector().bundle, ROOT / "does-not-exist") is None
    card = (ROOT / "models" / "MODEL_CARD.md").read_text()
    assert "## A current chat model (probe sets)" in card, "regenerate: python -m slopsift.training.card"
    assert "| **all** | 80 |" in card and "| **all** | 40 |" in card


def test_the_card_finds_the_probe_sets_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slopsift.training import probes

    if Path(probes.__file__).resolve().parents[2] != ROOT / "src":
        pytest.skip("slopsift is not imported from this checkout's src/")
    assert probes.DEFAULT_PROBE_ROOT == ROOT / "benchmarks" / "probes"
    monkeypatch.chdir(tmp_path)
    found = probe_of(slopsift.Detector().bundle)
    assert found is not None and set(found) == {"chat-2026", "chat-2026-seo"}


def test_probe_script_end_to_end(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    _write(tmp_path, "01-farm-a.txt", "PROMPT: x\n\n" + (FIXTURES / "content_farm.md").read_text())
    script = str(ROOT / "benchmarks" / "probe.py")
    out = tmp_path / "summary.json"
    done = subprocess.run(
        [sys.executable, script, "--dir", str(tmp_path), "--json", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert f"{tmp_path.name}: 1 of 1 flagged" in done.stdout
    assert json.loads(out.read_text())["flagged"] == 1
    missing = [sys.executable, script, "--dir", str(tmp_path / "none")]
    bad = subprocess.run(missing, capture_output=True, text=True)
    assert bad.returncode == 2 and "no probe texts" in bad.stderr and "Traceback" not in bad.stderr
