"""Input-side defects from the s28 QA pass: each test pins the fixed behaviour exactly.

Symlinked directories (M1), ``.json`` files (M2), HTML charsets (M3), CSV resynchronisation after a
bad quote (M5), CR line endings (L3), UTF-16/32 with a BOM (L4), and the two reporting details of
L11 (``--strict-utf8`` rows carry no replacement warning; an oversized JSONL line keeps its id).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slopsift.inputs import InputRecord, ReadOptions, iter_records


def rows(*inputs: Path | str, **opts: object) -> list[InputRecord]:
    return list(iter_records([str(p) for p in inputs], ReadOptions(**opts)))  # type: ignore[arg-type]


def ids_errors(recs: list[InputRecord]) -> list[tuple[str | int, str | None]]:
    return [(r.id, r.error) for r in recs]


# --- M1: symlinked directories ------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_directories_are_followed_once(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("outside text", encoding="utf-8")
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "own.txt").write_text("own text", encoding="utf-8")
    (root / "sub" / "s.txt").write_text("sub text", encoding="utf-8")
    (root / "linked").symlink_to(outside, target_is_directory=True)  # followed: its file is scored
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)  # a loop: not walked again
    (root / "z_again").symlink_to(root / "sub", target_is_directory=True)  # walked already as sub/
    recs = rows(root)
    assert ids_errors(recs) == [
        (f"{root}/own.txt", None),  # a directory's files come before its sub-directories
        (f"{root}/linked/x.txt", None),
        (f"{root}/sub/s.txt", None),
    ]
    assert [r.text for r in recs] == ["own text", "outside text", "sub text"]


# --- M3: HTML charsets; L4: UTF-16/32 with a BOM; L11: --strict-utf8 rows -------------------------

EXAMPLES = Path(__file__).parent.parent / "examples"


def page(charset: str) -> str:
    """A page whose text has accented letters, an em dash and curly quotes (all in windows-1252)."""
    t = (EXAMPLES / "allotment-notes.txt").read_text(encoding="utf-8")
    t = t.replace("beans", "cr\u00e8me br\u00fbl\u00e9e beans \u2014 \u201cquoted\u201d", 1)
    paras = "".join(f"<p>{p}</p>\n" for p in t.split("\n\n"))
    return f"<html><head>{charset}<title>Notes</title></head><body>{paras}</body></html>"


def score_rows(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[dict[str, object]], str]:
    from slopsift.cli import main

    assert main(["score", "-j", "1", "-q", "-f", "jsonl", *args]) == 0
    out, err = capsys.readouterr()
    return [json.loads(line) for line in out.splitlines()], err


def test_html_declared_charset_is_honoured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    utf8 = tmp_path / "utf8.html"
    utf8.write_bytes(page('<meta charset="utf-8">').encode())
    cp = tmp_path / "cp1252.html"
    cp.write_bytes(page('<meta charset="windows-1252">').encode("cp1252"))
    lat = tmp_path / "lat.html"  # latin-1 labels mean windows-1252, as in browsers
    lat.write_bytes(page("<META CHARSET=iso-8859-1>").encode("cp1252"))
    equiv = tmp_path / "equiv.html"
    equiv.write_bytes(
        page('<meta http-equiv="Content-Type" content="text/html; charset=macintosh">').encode("mac-roman")
    )
    unknown = tmp_path / "unknown.html"  # a label Python does not know: UTF-8 as before
    unknown.write_bytes(page('<meta charset="x-no-such-charset">').encode())
    recs = rows(utf8, cp, lat, equiv, unknown)
    assert [(r.error, r.replaced) for r in recs] == [(None, 0)] * 5
    assert "cr\u00e8me br\u00fbl\u00e9e beans \u2014 \u201cquoted\u201d" in str(recs[0].text)
    assert {r.text for r in recs[:2] + recs[3:]} == {recs[0].text}
    assert recs[2].text == recs[0].text
    out, _ = score_rows(capsys, "--strict-utf8", str(utf8), str(cp), str(lat), str(equiv))
    assert [r["quality"] for r in out] == [out[0]["quality"]] * 4
    assert all("warning" not in r and "error" not in r for r in out)
    # invalid in the declared charset: replaced and counted, or an error with --strict-utf8
    bad = tmp_path / "bad.html"
    essay = (EXAMPLES / "learner-essay.txt").read_text(encoding="utf-8")
    bad.write_bytes(b'<meta charset="shift_jis"><p>\x80' + essay.encode("ascii") + b"</p>")
    assert rows(bad)[0].replaced == 1
    assert ids_errors(rows(bad, strict_utf8=True)) == [(str(bad), "invalid shift_jis (1 byte)")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
def test_text_and_html_with_a_bom_are_decoded(tmp_path: Path, codec: str) -> None:
    text = (EXAMPLES / "community-meeting.txt").read_text(encoding="utf-8")
    bom = {"utf-16-be": "\ufeff", "utf-32-be": "\ufeff"}.get(codec, "")  # -be codecs write none
    p = tmp_path / "t.txt"
    p.write_bytes((bom + text).encode(codec))
    h = tmp_path / "t.html"
    h.write_bytes((bom + page('<meta charset="utf-8">')).encode(codec))
    ref = tmp_path / "ref.html"
    ref.write_text(page('<meta charset="utf-8">'), encoding="utf-8")
    recs = rows(p, h, ref)
    assert [(r.error, r.replaced) for r in recs] == [(None, 0)] * 3
    assert recs[0].text == text
    assert recs[1].text == recs[2].text
    # a NUL character in decoded UTF-16 is still binary, and named as a character
    p.write_bytes(("\ufeff" + text + "\0").encode("utf-16-le"))
    assert rows(p)[0].error == "binary file (contains NUL characters)"


def test_strict_utf8_error_rows_carry_no_replacement_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "learner-essay.txt").read_text(encoding="utf-8")
    p = tmp_path / "latin1.txt"
    p.write_bytes((text + " caf\u00e9 na\u00efve").encode("latin-1"))
    j = tmp_path / "x.jsonl"
    j.write_bytes(b'{"id": "a", "text": "' + text.replace('"', "").replace("\n", " ").encode() + b'\xff"}\n')
    out, err = score_rows(capsys, "--strict-utf8", str(p), str(j))
    assert [(r["id"], r["error"]) for r in out] == [
        (str(p), "invalid UTF-8 (2 bytes)"),
        ("a", "invalid UTF-8 (1 byte)"),
    ]
    assert all("warning" not in r for r in out)
    assert "scored 0, flagged 0, errors 2\n" in err  # no "(2 with invalid UTF-8 replaced)"
    out, err = score_rows(capsys, str(p))  # without the flag: scored, with the warning
    assert out[0]["warning"] == "invalid UTF-8: 2 bytes replaced with U+FFFD"
    assert "(1 with invalid UTF-8 replaced)" in err


# --- M5: a bad CSV quote costs one row; L3: CR line ends; L4: UTF-16/32 CSV and JSONL -------------


def test_csv_resynchronises_after_a_bad_quote(tmp_path: Path) -> None:
    essay = " ".join((EXAMPLES / "learner-essay.txt").read_text(encoding="utf-8").split()).replace('"', "")
    essay = essay.replace(",", " ")
    lines = ["id,text", f"r1,{essay}", f'r2,"{essay[:200]} and left'] + [f"r{i},{essay}" for i in range(3, 9)]
    p = tmp_path / "quote.csv"  # the QA report's file: 8 data lines, 8 rows out
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recs = rows(p)
    assert ids_errors(recs) == [
        ("r1", None),
        (
            f"{p}:3",
            "invalid CSV row: unexpected end of data "
            "(a quoted field opened on this line runs to line 9; lines 4-9 are read again as rows)",
        ),
        *[(f"r{i}", None) for i in range(3, 9)],
    ]
    assert [r.line for r in recs] == list(range(2, 10))
    assert recs[2].text == essay
    # the rows read again say so: they may be the open field's text, not records
    again = "read again after the quoted field left open on line 3: it may be part of it"
    assert [r.note for r in recs] == [None, None, *[again] * 6]
    # a field that only starts with a quote; a later quote ends the span; quoted newlines still work
    lines = ["id,text", 'r1,"Hello," she said', 'r2,"opened', "r3,plain", 'r4,"x" and', "r5,after"]
    lines += ['r6,"a quoted field', 'over two lines, fine"', "r7,last"]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recs = rows(p)
    assert ids_errors(recs) == [
        (f"{p}:2", "invalid CSV row: ',' expected after '\"'"),
        (
            f"{p}:3",
            "invalid CSV row: ',' expected after '\"' "
            "(a quoted field opened on this line runs to line 5; lines 4-5 are read again as rows)",
        ),
        ("r3", None),
        (f"{p}:5", "invalid CSV row: ',' expected after '\"'"),
        ("r5", None),
        ("r6", None),
        ("r7", None),
    ]
    assert recs[-2].text == "a quoted field\nover two lines, fine"
    again = "read again after the quoted field left open on line 3: it may be part of it"
    assert [r.note for r in recs] == [None, None, again, again, None, None, None]  # lines 4-5, error row too


def test_csv_with_cr_line_ends(tmp_path: Path) -> None:
    p = tmp_path / "cr.csv"
    p.write_bytes(b'id,text\r"r1","first text"\r"r2","second\rline"\rr3,third\r')
    assert [(r.id, r.text, r.error, r.line) for r in rows(p)] == [
        ("r1", "first text", None, 2),
        ("r2", "second\nline", None, 3),
        ("r3", "third", None, 5),
    ]
    # the QA report's file: CR line ends, LF inside the quoted fields; and a mix of CR, LF and CRLF
    p.write_bytes(b'id,text\r"r1","one\n\ntwo"\r"r2","three\nfour"\r')
    assert [(r.id, r.text, r.error, r.line) for r in rows(p)] == [
        ("r1", "one\n\ntwo", None, 2),
        ("r2", "three\nfour", None, 5),
    ]
    p.write_bytes(b'id,text\r1,"a\r\nb\rc"\r2,two\r\n3,"x\ry"\n4,z\r\r5,last\r')
    assert [(r.id, r.text, r.error, r.line) for r in rows(p)] == [
        ("1", "a\r\nb\rc", None, 2),
        ("2", "two", None, 5),
        ("3", "x\ry", None, 6),
        ("4", "z", None, 8),
        ("5", "last", None, 10),
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_csv_and_jsonl_in_utf16_and_utf32(tmp_path: Path, codec: str) -> None:
    bom = "\ufeff" if codec.endswith("-be") else ""
    c = tmp_path / "x.csv"
    c.write_bytes((bom + 'id,text\r\nr1,"caf\u00e9 \u2014 \U0001f600"\r\nr2,two\r\n').encode(codec))
    j = tmp_path / "x.jsonl"
    lines = [
        json.dumps({"id": "j1", "text": "caf\u00e9 \U0001f600"}, ensure_ascii=False),
        '{"id": "j2", "text": "b"}',
    ]
    j.write_bytes((bom + "\n".join(lines) + "\n").encode(codec))
    assert [(r.id, r.text, r.error, r.replaced) for r in rows(c, j)] == [
        ("r1", "caf\u00e9 \u2014 \U0001f600", None, 0),
        ("r2", "two", None, 0),
        ("j1", "caf\u00e9 \U0001f600", None, 0),
        ("j2", "b", None, 0),
    ]
    # bytes invalid in UTF-16 are counted as replaced, as invalid UTF-8 is
    if codec == "utf-16":
        j.write_bytes(
            "\ufeff".encode("utf-16-le")
            + b'{\x00"\x00i\x00d\x00"\x00:\x001\x00,\x00"\x00t\x00"\x00:\x00"\x00'
            + b"\x00\xdc"
            + b'"\x00}\x00\n\x00'
        )
        ((r,),) = [rows(j, text_field="t")]
        assert (r.id, r.text, r.replaced) == (1, "\ufffd\ufffd", 2)  # one per byte


# --- M2: .json files are records, never prose --------------------------------------------------------


def test_json_files_are_read_as_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recs = [{"id": f"r{i}", "text": f"text number {i}"} for i in range(50)]
    lines = tmp_path / "lines.json"  # JSON Lines under a .json name
    lines.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    assert [(r.id, r.text, r.line) for r in rows(lines)] == [
        (f"r{i}", f"text number {i}", i + 1) for i in range(50)
    ]
    arr = tmp_path / "arr.json"  # a pretty-printed array: one row per element, every one accounted for
    arr.write_text(
        json.dumps(
            [
                {"id": "a", "text": "alpha"},
                {"text": "no id"},
                ["not", "object"],
                {"id": "d"},
                {"id": 5, "text": "e"},
            ],
            indent=2,
        ),
        encoding="utf-8",
    )
    assert [(r.id, r.text, r.error, r.line) for r in rows(arr)] == [
        ("a", "alpha", None, 2),
        (f"{arr}[1]", "no id", None, 6),
        (f"{arr}[2]", None, "not a JSON object (list)", 9),
        ("d", None, "missing field 'text'", 13),
        (5, "e", None, 16),
    ]
    one = tmp_path / "one.json"  # one pretty-printed object
    one.write_text(json.dumps({"id": "solo", "meta": {"body": "nested"}}, indent=2), encoding="utf-8")
    assert [(r.id, r.text) for r in rows(one, text_field="meta.body")] == [("solo", "nested")]
    # invalid UTF-8 is counted per element, and --strict-utf8 makes only that element an error
    arr.write_bytes(b'[{"id": "a", "text": "ok"}, {"id": "b", "text": "caf\xe9"}]')
    assert [(r.id, r.text, r.replaced) for r in rows(arr)] == [("a", "ok", 0), ("b", "caf\ufffd", 1)]
    assert ids_errors(rows(arr, strict_utf8=True)) == [("a", None), ("b", "invalid UTF-8 (1 byte)")]
    # anything else is one error row, never prose
    bad = tmp_path / "bad.json"
    not_records = "not JSON records: a .json file must hold JSON Lines, an array of objects or one object"
    cases = {
        b"Plain prose in a .json file.": not_records,
        b'"a string"': not_records,
        b"": "empty file",
        b"[1, 2": "not a JSON object (int)",
    }
    for data, error in cases.items():
        bad.write_bytes(data)
        assert rows(bad)[0].error == error, data
    bad.write_bytes(b'[{"id": "x", "text": "fine"}, {"id": "y", "text": }]')
    assert ids_errors(rows(bad)) == [
        ("x", None),
        (
            f"{bad}[1]",
            "invalid JSON: Expecting value: line 1 column 51 (char 50); the rest of the file was not read",
        ),
    ]
    bad.write_bytes(b'[{"id": "x", "text": "fine"}] trailing')
    assert ids_errors(rows(bad)) == [("x", None), (f"{bad}:1", "invalid JSON: extra data after the end")]
    # an array is streamed, so --max-doc-bytes caps each element; one multi-line object is read whole
    assert ids_errors(rows(arr, max_doc_bytes=30)) == [("a", None), ("b", None)]
    assert ids_errors(rows(one, max_doc_bytes=30)) == [
        (
            str(one),
            "JSON file larger than 30 bytes (one object over many lines is read whole: "
            "use JSON Lines, or raise --max-doc-bytes)",
        )
    ]
    # through the CLI: 50 rows out of the JSON Lines file, not one prose document
    from slopsift.cli import main

    assert main(["score", "-j", "1", "-q", "-f", "jsonl", str(lines)]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(x)["id"] for x in out.splitlines()] == [f"r{i}" for i in range(50)]
    assert "scored 50, flagged 0, errors 0" in err


# --- L11: an oversized JSONL line keeps its id when the id comes first --------------------------------


def test_oversized_jsonl_line_keeps_a_leading_id(tmp_path: Path) -> None:
    long_text = "word " * 400
    p = tmp_path / "x.jsonl"
    lines = [
        {"id": "first", "text": long_text},
        {"meta": {"lang": "en"}, "n": [1, 2], "id": 7, "text": long_text},  # other members first
        {"text": long_text, "id": "after"},  # after the text: not recoverable without parsing it
        {"id": "x" * 3000, "text": "short"},  # the id itself too long
        {"id": "ok", "text": "fine"},
    ]
    p.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    too_long = "line longer than 1000 bytes (raise --max-doc-bytes to read it)"
    assert ids_errors(rows(p, max_doc_bytes=1000)) == [
        ("first", too_long),
        (7, too_long),
        (f"{p}:3", too_long),
        (f"{p}:4", too_long),
        ("ok", None),
    ]
    assert [r.id for r in rows(p, max_doc_bytes=1000, id_field="n")][:2] == [f"{p}:1", f"{p}:2"]


# --- review: JSON nested too deeply for the parser is an error row, not a traceback -------------------


def test_json_nested_too_deeply_is_an_error_row(tmp_path: Path) -> None:
    deep = "[" * 100_000
    ok = json.dumps({"id": "ok", "text": "fine"})
    jsonl = tmp_path / "x.jsonl"  # a deep line after a good one, sniffed and read line by line
    jsonl.write_text(f'{ok}\n{{"id": "d", "a": {deep}\n{ok}\n', encoding="utf-8")
    arr = tmp_path / "arr.json"  # an element of an array: passed over, as one over the size cap is
    arr.write_text(f"[{ok}, {deep}", encoding="utf-8")
    closed = tmp_path / "closed.json"  # valid JSON, too deep for the parser; the element after it is read
    closed.write_text(f'[{ok}, {{"id": "d", "a": {deep}{"]" * 100_000}}}, {ok}]', encoding="utf-8")
    sniffed = tmp_path / "sniffed.json"  # a deep line among the first lines a .json file is sniffed by
    sniffed.write_text(f'{{"a": {deep}\n{ok}\n', encoding="utf-8")
    long = tmp_path / "long.jsonl"  # an oversized line whose id is looked for past a deep member
    long.write_text(f'{{"a": {deep}\n{ok}\n', encoding="utf-8")
    nested = "invalid JSON: nested too deeply"
    assert ids_errors(rows(jsonl)) == [("ok", None), (f"{jsonl}:2", nested), ("ok", None)]
    assert ids_errors(rows(arr)) == [("ok", None), (f"{arr}[1]", f"{nested}; the file ends inside it")]
    assert ids_errors(rows(closed)) == [("ok", None), ("d", nested), ("ok", None)]
    assert ids_errors(rows(sniffed)) == [(f"{sniffed}:1", nested), ("ok", None)]
    assert ids_errors(rows(long, max_doc_bytes=1000)) == [
        (f"{long}:1", "line longer than 1000 bytes (raise --max-doc-bytes to read it)"),
        ("ok", None),
    ]


# --- review: one pretty-printed object is one record, even when some of its lines are JSON objects -----


def test_pretty_printed_object_with_one_line_members_is_one_record(tmp_path: Path) -> None:
    one = tmp_path / "one.json"  # its 5th line is an object with a text: it looked like JSON Lines
    one.write_text(
        '{\n  "id": "one",\n  "text": "the text",\n  "items": [\n    {"id": "inner", "text": "inner text"}\n'
        "  ]\n}\n",
        encoding="utf-8",
    )
    assert [(r.id, r.text, r.error) for r in rows(one)] == [("one", "the text", None)]
    big = tmp_path / "big.json"  # the same past the sniffed head
    pad = json.dumps("x" * 70_000)
    big.write_text(one.read_text(encoding="utf-8").replace('"items"', f'"pad": {pad},\n  "items"'), "utf-8")
    assert [(r.id, r.error) for r in rows(big)] == [("one", None)]
    lines = tmp_path / "lines.json"  # JSON Lines whose first line is bad: still a row per line
    ok = json.dumps({"id": "ok", "text": "fine"})
    lines.write_text(f"{{bad\n{ok}\n{ok}\n", encoding="utf-8")
    assert [r.id for r in rows(lines)] == [f"{lines}:1", "ok", "ok"]
    assert [r.id for r in rows(lines, max_doc_bytes=40)] == [
        f"{lines}:1",
        "ok",
        "ok",
    ]  # too big to parse whole


# --- review: a declared codec that is no charset is read as UTF-8, not a traceback --------------------


@pytest.mark.parametrize("label", ["undefined", "punycode"])
def test_html_declaring_a_codec_that_cannot_decode_is_read_as_utf8(tmp_path: Path, label: str) -> None:
    p = tmp_path / "x.html"  # Python knows these labels, but they decode no page
    p.write_bytes(page(f'<meta charset="{label}">').encode())
    utf8 = tmp_path / "utf8.html"
    utf8.write_bytes(page("").encode())
    recs = rows(p, utf8)
    assert [(r.error, r.replaced) for r in recs] == [(None, 0)] * 2
    assert recs[0].text == recs[1].text


# --- review: CRLF past the start of a CR-ended CSV file is one line end, not two --------------------------


def test_csv_with_cr_line_ends_then_crlf(tmp_path: Path) -> None:
    p = tmp_path / "mixed.csv"  # 70 KB of CR-ended rows (no LF at the start), then CRLF-ended rows
    head = b"id,text\r" + b"".join(b"r%d,%s\r" % (i, b"word " * 12) for i in range(1000))
    assert len(head) > 65536
    p.write_bytes(head + b'late,"one line\r\nnext line"\r\nlast,end\r\n')
    recs = rows(p)
    assert len(recs) == 1002
    assert [(r.id, r.text, r.line) for r in recs[-2:]] == [
        ("late", "one line\nnext line", 1002),  # a line break, as CR alone is one: not a paragraph break
        ("last", "end", 1004),
    ]


# --- review: a UTF-8 BOM on a blank first line is no record --------------------------------------------


def test_jsonl_with_a_bom_on_a_blank_first_line(tmp_path: Path) -> None:
    body = b"\xef\xbb\xbf\n" + b"".join(
        json.dumps({"id": i, "text": "some text"}).encode() + b"\n" for i in "ab"
    )
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_bytes(body)
    as_json = tmp_path / "x.json"
    as_json.write_bytes(body)
    only = tmp_path / "only.jsonl"
    only.write_bytes(b"\xef\xbb\xbf\r\n")
    assert ids_errors(rows(jsonl, as_json, only)) == [("a", None), ("b", None)] * 2


# --- stdin: a JSON array or a pretty-printed object is records; prose opening with a bracket is text ----


def stdin_rows(data: bytes, **opts: object) -> list[InputRecord]:
    return rows("-", stdin=io.BytesIO(data), **opts)


PRETTY_WITH_ONE_LINE_MEMBERS = (  # its 5th line is an object with a text: it looks like JSON Lines
    b'{\n  "id": "one",\n  "text": "the text",\n  "items": [\n    {"id": "inner", "text": "inner text"}\n'
    b"  ]\n}\n"
)


def test_stdin_json_records(tmp_path: Path) -> None:
    elements = [
        {"id": "a", "text": "alpha"},
        {"text": "no id"},
        ["not", "object"],
        {"id": "d"},
        {"id": 5, "text": "caf\u00e9"},
    ]
    arr = json.dumps(elements, indent=2, ensure_ascii=False).encode()
    path = tmp_path / "arr.json"
    path.write_bytes(arr)
    expected = [
        ("a", "alpha", None),
        ("<stdin>[1]", "no id", None),
        ("<stdin>[2]", None, "not a JSON object (list)"),  # every element accounted for
        ("d", None, "missing field 'text'"),
        (5, "caf\u00e9", None),
    ]
    notes: list[str] = []
    for data in (arr, b"\xef\xbb\xbf" + arr, gzip.compress(arr), b"\n  \r\n" + arr + b"\n"):
        assert [(r.id, r.text, r.error) for r in stdin_rows(data, on_note=notes.append)] == expected, data
    assert notes == []
    assert [(r.line, r.nbytes) for r in stdin_rows(arr)] == [(r.line, r.nbytes) for r in rows(path)]
    one = json.dumps({"id": "solo", "meta": {"body": "nested"}}, indent=2).encode()
    assert [(r.id, r.text) for r in stdin_rows(one, text_field="meta.body")] == [("solo", "nested")]
    assert ids_errors(stdin_rows(PRETTY_WITH_ONE_LINE_MEMBERS)) == [("one", None)]
    assert ids_errors(stdin_rows(b'[{"id": "x"}, 3]')) == [
        ("x", "missing field 'text'"),
        ("<stdin>[1]", "not a JSON object (int)"),
    ]
    # invalid UTF-8 is counted per element; JSON Lines are read line by line as before
    bad = stdin_rows(b'[{"id": "a", "text": "ok"}, {"id": "b", "text": "caf\xe9"}]')
    assert [(r.id, r.text, r.replaced) for r in bad] == [("a", "ok", 0), ("b", "caf\ufffd", 1)]
    lines = b"".join(json.dumps({"id": i, "text": "t"}).encode() + b"\n" for i in range(3)) + b"{bad\n"
    assert [r.id for r in stdin_rows(lines)] == [0, 1, 2, "<stdin>:4"]
    # --input-format json reads the same; --input-format text one text
    assert [(r.id, r.text, r.error) for r in stdin_rows(arr, input_format="json")] == expected
    assert [r.id for r in stdin_rows(arr, input_format="text")] == ["<stdin>"]


@pytest.mark.parametrize(
    ("data", "noted"),
    [
        (b"[citation needed] The claim was never sourced, and the page said so for years.", False),
        (b"[1] Smith, J. (2020). A book.\n[2] Jones, K. (2021). Another book.\n", False),
        (b"[a link](https://example.org) opens this paragraph.", False),
        (b'[{"text": "a record"}] and then prose', True),  # not JSON to its end, but "[{" opens no prose
        (b'[{"text": "a record"}, {"text": ', True),  # cut off: told, so that the user can read it as records
        pytest.param(b"[" * 100_000, False, id="nested-too-deeply"),  # too deep for the parser
        (b"{not json} but prose in curly braces", True),  # "{" opens no prose: told, as before
        (b'{"text": "pretty",\n "id": 1\n} and then prose', True),
        (b'["a list", "of strings"]', True),  # JSON, but no record in it: told
        (b"[1, 2, 3]", True),
        (b" [ ] ", True),
    ],
)
def test_stdin_prose_opening_with_a_bracket_stays_one_text(data: bytes, noted: bool) -> None:
    notes: list[str] = []
    recs = stdin_rows(data, on_note=notes.append)
    assert recs == stdin_rows(data, input_format="text")  # exactly as the text format reads it
    assert [r.id for r in recs] == ["<stdin>"]
    assert len(notes) == noted
    assert all("opens like JSON but is not JSON records" in n for n in notes)


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_wide_stdin_that_opens_like_json_is_one_text_and_told(codec: str) -> None:
    data = (json.dumps({"id": 1, "text": "hello there"}) + "\n").encode(codec)  # with its BOM
    notes: list[str] = []
    assert [r.id for r in stdin_rows(data, on_note=notes.append)] == ["<stdin>"]
    assert notes == [
        f"standard input is {codec.upper()} and opens like JSON: scored as one text "
        "(--input-format jsonl or json reads it as records)"
    ]
    assert [(r.id, r.text) for r in stdin_rows(data, input_format="jsonl")] == [(1, "hello there")]
    notes.clear()
    stdin_rows("Plain prose, not JSON.\n".encode(codec), on_note=notes.append)
    assert notes == []


def test_stdin_json_larger_than_the_cap_is_one_text_as_before() -> None:
    arr = json.dumps([{"id": i, "text": "x" * 40} for i in range(5)]).encode()
    recs = stdin_rows(arr, max_doc_bytes=100)
    assert recs == stdin_rows(arr, input_format="text", max_doc_bytes=100)
    assert ids_errors(recs) == [
        ("<stdin>", "document larger than 100 bytes (raise --max-doc-bytes to read it)")
    ]
    notes: list[str] = []
    stdin_rows(arr, max_doc_bytes=100, on_note=notes.append)
    assert notes == [
        "standard input opens like JSON but is not JSON records (JSON Lines, an array of objects or one "
        "object) within --max-doc-bytes (100): scored as one text (--input-format json reads it as records, "
        "an array element by element)"
    ]


def test_stdin_json_array_through_the_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    essay = (EXAMPLES / "learner-essay.txt").read_text(encoding="utf-8")
    data = json.dumps([{"id": "e", "text": essay}, {"text": essay}, "stray", {"id": "n"}], indent=1)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    out, err = score_rows(capsys, "-")
    assert [(r["id"], r.get("error")) for r in out] == [
        ("e", None),
        ("<stdin>[1]", None),
        ("<stdin>[2]", "not a JSON object (str)"),
        ("n", "missing field 'text'"),
    ]
    assert "scored 2" in err and "errors 2" in err


# --- a pretty-printed .json object is parsed once -------------------------------------------------------


def test_one_json_object_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[object] = []
    real = json.JSONDecoder.raw_decode

    def counting(self: json.JSONDecoder, s: str, idx: int = 0) -> tuple[object, int]:
        obj, end = real(self, s, idx)
        parsed.append(obj)
        return obj, end

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", counting)
    pretty = tmp_path / "pretty.json"  # its lines look like JSON Lines: it was parsed to tell, then to read
    pretty.write_bytes(PRETTY_WITH_ONE_LINE_MEMBERS)
    big = tmp_path / "big.json"  # the same past the sniffed head
    pad = json.dumps("x" * 70_000).encode()
    big.write_bytes(PRETTY_WITH_ONE_LINE_MEMBERS.replace(b'"items"', b'"pad": ' + pad + b',\n  "items"'))
    assert ids_errors(rows(pretty, big)) == [("one", None)] * 2
    assert sum(isinstance(o, dict) and o.get("id") == "one" for o in parsed) == 2  # once each
    parsed.clear()
    line = tmp_path / "line.json"  # one line: parsed by the JSON Lines sniff, as every first line is
    line.write_text(json.dumps({"id": "solo", "text": "t"}) + "\n", encoding="utf-8")
    assert ids_errors(rows(line)) == [("solo", None)]
    assert sum(isinstance(o, dict) and o.get("id") == "solo" for o in parsed) == 2


# --- the training loader reads a BOM as `slopsift score` does ---------------------------------------------


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_training_loader_reads_a_bom_as_score_does(tmp_path: Path, codec: str) -> None:
    from slopsift.training.train import load_labelled_jsonl

    recs = [{"text": "caf\u00e9 one", "label": "human"}, {"text": "two \U0001f600", "label": "machine"}]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    p = tmp_path / "t.jsonl"
    p.write_bytes((("\ufeff" if codec.endswith("-be") else "") + body).encode(codec))
    assert load_labelled_jsonl(p).texts == [r["text"] for r in recs]
    assert [r.text for r in rows(p)] == [r["text"] for r in recs]
    if codec == "utf-16":  # a lone surrogate: named as invalid UTF-16, not UTF-8
        p.write_bytes(p.read_bytes() + b'{\x00"\x00t\x00"\x00:\x00"\x00\x00\xdc"\x00}\x00\n\x00')
        with pytest.raises(ValueError, match=re.escape(f"{p}:3: not valid in the UTF-16/32 its BOM names")):
            load_labelled_jsonl(p)


def test_training_loader_names_utf8_for_a_file_without_a_bom(tmp_path: Path) -> None:
    # Shorter than a BOM: its bytes are given again by a replay stream, yet it is still UTF-8.
    from slopsift.training.train import load_labelled_jsonl

    p = tmp_path / "t.jsonl"
    p.write_bytes(b"ab\xff")
    with pytest.raises(ValueError, match=re.escape(f"{p}:1: not UTF-8 (invalid start byte at byte 2)")):
        load_labelled_jsonl(p)


# --- stdin as it arrives: the sniff reads what has come, and a JSON line is a record before the next --


class _Trickle(io.RawIOBase):
    """Standard input that gives ``data`` in pieces of the given sizes (then what is left), as a pipe
    gives what was written so far; with ``allowed``, a read past that many bytes fails, as a read
    would wait for input not yet written."""

    def __init__(self, data: bytes, sizes: list[int] | None = None, allowed: int | None = None) -> None:
        self.data, self.pos, self.sizes = data, 0, list(sizes or [])
        self.allowed = len(data) if allowed is None else allowed

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self.pos >= self.allowed and self.pos < len(self.data):
            raise AssertionError(f"read past byte {self.allowed}: the reader would wait for input")
        n = min(len(b), self.allowed - self.pos, self.sizes.pop(0) if self.sizes else len(self.data))
        b[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


def _lines(*recs: object) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in recs)


STREAMED = [
    _lines({"id": 1, "text": "one"}, {"id": 2, "text": "two"}, [3], {"id": 4, "text": "four"}),
    b"\xef\xbb\xbf\n \r\n" + _lines({"id": "bom", "text": "after blank lines"}, {"text": "x"}),
    b'{"id": 1, "text": "crlf"}\r\n{"id": 2, "text": "crlf"}\r\n',
    b'{"id": "last line", "text": "unterminated"}',
    b'{"id": "one line", "text": "then blank lines"}\n\n\n',
    b'{"id": 1, "text": "a",\n{"id": 2, "text": "b"}\n',  # a bad first line: error row, then records
    b"   \n\n\t",
    b"",
    PRETTY_WITH_ONE_LINE_MEMBERS,
    json.dumps([{"id": "a", "text": "alpha"}, {"text": "beta"}, 7], indent=2).encode(),
    b'{\n  "id": "pretty",\n  "text": "one object over many lines"\n}\n',
    b"[citation needed] The claim was never sourced.\n",
    b"{curly braces open this prose}\nand more of it\n",
    b'{"text": "pretty",\n "id": 1\n} and then prose',
    "Plain text, \u00e9t\u00e9.\n".encode(),
    "\ufeff".encode("utf-16-le") + _lines({"id": "wide", "text": "utf-16"}).decode().encode("utf-16-le"),
    gzip.compress(_lines({"id": "gz", "text": "gzipped"}, {"id": "gz2", "text": "two"})),
]


def _as_read(
    data: bytes, stdin: io.RawIOBase | io.BytesIO, fmt: str, **opts: object
) -> tuple[list[InputRecord], list[str]]:
    notes: list[str] = []
    buffered = io.BufferedReader(stdin) if isinstance(stdin, _Trickle) else stdin  # as sys.stdin.buffer
    return rows("-", stdin=buffered, input_format=fmt, on_note=notes.append, **opts), notes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.sampled_from(STREAMED),
    sizes=st.lists(st.integers(1, 9), max_size=40),
    fmt=st.sampled_from(["auto", "json", "jsonl"]),
)
def test_stdin_read_in_pieces_gives_the_records_read_at_once(data: bytes, sizes: list[int], fmt: str) -> None:
    assert _as_read(data, _Trickle(data, sizes), fmt) == _as_read(data, io.BytesIO(data), fmt)


@pytest.mark.parametrize("data", STREAMED, ids=range(len(STREAMED)))
@pytest.mark.parametrize("fmt", ["auto", "json", "jsonl"])
def test_stdin_read_byte_by_byte_gives_the_records_read_at_once(data: bytes, fmt: str) -> None:
    assert _as_read(data, _Trickle(data, [1] * len(data)), fmt) == _as_read(data, io.BytesIO(data), fmt)


@pytest.mark.parametrize("fmt", ["auto", "json", "jsonl"])
@pytest.mark.parametrize("lead", [b"", b"\xef\xbb\xbf", b"\n  \n"])
def test_a_json_line_on_stdin_is_a_record_before_the_next_line_comes(fmt: str, lead: bytes) -> None:
    lines = [lead + _lines({"id": 0, "text": "zero"})] + [_lines({"id": i, "text": f"t{i}"}) for i in (1, 2)]
    data = b"".join(lines)
    stdin = _Trickle(data, [1] * len(data), allowed=0)
    recs = iter_records(["-"], ReadOptions(stdin=io.BufferedReader(stdin), input_format=fmt))
    for i, line in enumerate(lines):
        stdin.allowed += len(line)  # line i is written; line i + 1 is not
        rec = next(recs)
        assert (rec.id, rec.text, rec.error) == (i, "zero" if i == 0 else f"t{i}", None)
    assert next(recs, None) is None


@pytest.mark.parametrize("lead", [b"", b"\xef\xbb\xbf", b"\n  \n"])
def test_a_json_array_element_on_stdin_is_a_record_before_the_next_element_comes(lead: bytes) -> None:
    """``--input-format json`` on a pipe: an element is scored once it is whole, not once 64 KiB have
    come (``auto`` mode must see all of an array to tell it from prose, and does)."""
    parts = [lead + b'[{"id": 0, "text": "zero"},\n']
    parts += [b'{"id": %d, "text": "t%d"},\n' % (i, i) for i in (1, 2)]
    parts.append(b'{"id": 3, "text": "t3"}]\n')
    data = b"".join(parts)
    stdin = _Trickle(data, [1] * len(data), allowed=0)
    recs = iter_records(["-"], ReadOptions(stdin=io.BufferedReader(stdin), input_format="json"))
    for i, part in enumerate(parts):
        stdin.allowed += len(part)  # element i is written; element i + 1 is not
        rec = next(recs)
        assert (rec.id, rec.text, rec.error) == (i, "zero" if i == 0 else f"t{i}", None)
    assert next(recs, None) is None


CSV_STREAMED = [
    b'id,text\na,"one two"\nb,three\n',
    b'id,text\r\na,"crlf, quoted"\r\nb,two\r\n',
    b'id,text\ra,"cr only"\rb,two\r',  # old Mac / Excel line ends: read as lines too
    b'\xef\xbb\xbfid,text\na,"a field\nover two lines"\nb,"an ""escaped"" quote"\n',
    b'id,text\na,"unclosed\nb,next\n',
    b"id,text\n",
    b"",
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.sampled_from(CSV_STREAMED), sizes=st.lists(st.integers(1, 9), max_size=40))
def test_csv_stdin_read_in_pieces_gives_the_records_read_at_once(data: bytes, sizes: list[int]) -> None:
    assert _as_read(data, _Trickle(data, sizes), "csv") == _as_read(data, io.BytesIO(data), "csv")


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_csv_row_on_stdin_is_a_record_before_the_next_row_comes(delimiter: str) -> None:
    """``--input-format csv`` on a pipe: a row is scored once its line has come, not once 64 KiB have
    (the reader must know whether the input's line ends are CR only: an LF says they are not)."""
    parts = [f"id{delimiter}text\n".encode()] + [f'{i}{delimiter}"t{i}, {i}"\n'.encode() for i in range(3)]
    data = b"".join(parts)
    stdin = _Trickle(data, [1] * len(data), allowed=len(parts[0]))
    fmt = "csv" if delimiter == "," else "tsv"
    recs = iter_records(["-"], ReadOptions(stdin=io.BufferedReader(stdin), input_format=fmt))
    for i, part in enumerate(parts[1:]):
        stdin.allowed += len(part)  # row i is written; row i + 1 is not
        rec = next(recs)
        assert (rec.id, rec.text, rec.error) == (str(i), f"t{i}, {i}", None)
    assert next(recs, None) is None


@pytest.mark.parametrize(
    "first",
    [b"0", b"-12.5e3", b"true", b"null", b'"a string, not a record"', b'"' + b"x" * 101 + b'"'],
    ids=["int", "float", "true", "null", "string", "long-string"],
)
def test_an_element_after_a_scalar_on_stdin_is_a_record_before_the_next_comes(first: bytes) -> None:
    """A number, literal or string element is known to end once a character that cannot go on with it
    has come; the object after it is a row as soon as it has come too."""
    parts = [b"[" + first[: len(first) // 2], first[len(first) // 2 :] + b',{"text":"hi"}', b"]\n"]
    data = b"".join(parts)
    stdin = _Trickle(data, [1] * len(data), allowed=len(parts[0]))
    recs = iter_records(["-"], ReadOptions(stdin=io.BufferedReader(stdin), input_format="json"))
    stdin.allowed += len(parts[1])
    assert next(recs).error is not None  # the scalar: not a JSON object
    assert next(recs).text == "hi"  # (what follows the number is shorter than the old 16-character margin)
    stdin.allowed += len(parts[2])
    assert next(recs, None) is None


@pytest.mark.parametrize(
    ("data", "sizes", "cap"),
    [
        (b'[-38954,{"id":65,"text":"abcdefghijklmnop"}]', [2, 2, 15], 17),  # a scalar past a tiny cap
        (b"[5" + b" " * 1100 + b', {"text": "a"}]', [], 1000),  # white space longer than the cap after it
        (b'[1.5e3, {"text": "a"}]', [5, 1, 1], 3),  # "1.5e" read: the number may go on, past the cap
    ],
)
def test_a_scalar_element_past_the_cap_does_not_stop_reading(data: bytes, sizes: list[int], cap: int) -> None:
    """Once more had been read than the cap allows, a scalar that might go on asked for 0 bytes more,
    forever; it is now read on a byte at a time (a review found the hang)."""
    got: list[list[InputRecord]] = []
    worker = threading.Thread(
        target=lambda: got.extend(
            [
                _as_read(data, stdin, "json", max_doc_bytes=cap)[0]
                for stdin in (io.BytesIO(data), _Trickle(data, sizes))
            ]
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the reader hangs"
    whole, pieces = got
    assert whole == pieces and len(whole) == 2


# --- a top-level JSON array is streamed: memory bounded by one element, the cap per element -------------


class _Pieces(io.RawIOBase):
    """A byte stream whose reads give at most ``sizes[i]`` bytes, the sizes taken in turn, cycled."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data, self.pos, self.sizes, self.n = data, 0, sizes, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        k = min(len(b), self.sizes[self.n % len(self.sizes)], len(self.data) - self.pos)
        self.n += 1
        b[:k] = self.data[self.pos : self.pos + k]
        self.pos += k
        return k


_PLACEHOLDER = "\ue000"  # where invalid UTF-8 bytes go (inside strings only)
_JSON_CHARS = st.text(
    alphabet=st.sampled_from([*'ab "\\/[]{},:\n\t\x00\u00e9\u2028\U0001f600', _PLACEHOLDER])
    | st.characters(exclude_categories=("Cs",)),  # no lone surrogates: text that UTF-8 can encode
    max_size=12,
)
_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _JSON_CHARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_CHARS, inner, max_size=3),
    max_leaves=6,
)
_JSON_ELEMENTS = st.lists(
    st.fixed_dictionaries(
        {"text": _JSON_CHARS}, optional={"id": st.integers() | _JSON_CHARS, "m": _JSON_VALUES}
    )
    | _JSON_VALUES,
    max_size=6,
)
_WS = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  \n  "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    elements=_JSON_ELEMENTS,
    data=st.data(),
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=8),
    bad=st.sampled_from([b"\xff", b"\xe9", b"\xf0\x9f", b"\xed\xa0\x80", b"\xc3"]),
)
def test_a_streamed_json_array_gives_the_rows_of_the_whole_parse(
    elements: list[Any], data: st.DataObject, sizes: list[int], bad: bytes
) -> None:
    from slopsift.inputs import _json_values, _value_record

    ascii_only = data.draw(st.booleans())
    indent = data.draw(st.sampled_from([None, 0, 1, 2]))
    parts = [json.dumps(e, ensure_ascii=ascii_only, indent=indent) for e in elements]
    body = data.draw(_WS) + "[" + data.draw(_WS)
    body += "".join(
        p + data.draw(_WS) + ("," + data.draw(_WS) if i < len(parts) - 1 else "") for i, p in enumerate(parts)
    )
    body += "]" + data.draw(_WS)
    doc = body.encode("utf-8").replace(_PLACEHOLDER.encode(), bad)  # invalid UTF-8 inside strings
    if data.draw(st.booleans()):  # cut anywhere: a truncated array, or data after the end
        doc = doc[: data.draw(st.integers(0, len(doc)))] + data.draw(st.sampled_from([b"", b" x", b"]"]))
    opts = ReadOptions()
    whole = [_value_record(v, "s", opts) for v in _json_values(doc, "s")]
    split = data.draw(st.integers(0, len(doc)))  # the bytes the head sniff read before
    values = _json_values(doc[:split], "s", _Pieces(doc[split:], sizes), opts.max_doc_bytes)  # type: ignore[arg-type]
    assert [_value_record(v, "s", opts) for v in values] == whole


def _array(n: int, text: str = "record text", indent: int | None = None) -> bytes:
    return json.dumps([{"id": f"r{i}", "text": f"{text} {i}"} for i in range(n)], indent=indent).encode()


def test_a_json_array_larger_than_the_cap_is_every_element(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import slopsift.inputs

    arr = tmp_path / "big.json"
    arr.write_bytes(_array(3000, indent=1))  # ~170 KB: past the sniffed head, in many reads
    assert arr.stat().st_size > 100_000
    expected = [(f"r{i}", f"record text {i}", None, 2 + 4 * i) for i in range(3000)]
    for read in (1 << 18, 100):
        monkeypatch.setattr(slopsift.inputs, "_JSON_READ", read)
        got = [(r.id, r.text, r.error, r.line) for r in rows(arr, max_doc_bytes=100)]
        assert got == expected
    nbytes: list[int] = []  # the progress bar is told of every byte
    assert len(rows(arr, max_doc_bytes=100, on_bytes=nbytes.append)) == 3000
    assert sum(nbytes) == arr.stat().st_size
    gz = tmp_path / "big.json.gz"
    gz.write_bytes(gzip.compress(arr.read_bytes()))
    assert [(r.id, r.text, r.error, r.line) for r in rows(gz, max_doc_bytes=100)] == expected
    stdin = io.BufferedReader(_Pieces(gzip.compress(arr.read_bytes()), [1, 4000, 7]))  # type: ignore[arg-type]
    got = [(r.text, r.error, r.line) for r in rows("-", stdin=stdin, input_format="json", max_doc_bytes=100)]
    assert got == [e[1:] for e in expected]


def test_a_json_array_element_longer_than_the_cap(tmp_path: Path) -> None:
    long = 'x\\"]}[{ \u00e9' * 7000  # past the 64 KiB searched for an id; escapes, quotes, brackets
    elements: list[Any] = [
        {"id": "a", "text": "short"},
        {"id": "long", "text": long},  # its id comes first: kept
        {"text": long, "id": "late"},  # after the text: not found
        {"id": "b", "text": "after"},
        long,
        [[1, {"k": long}], 2],
        12345678901234567890,
        {"id": "c", "text": "last"},
    ]
    arr = tmp_path / "arr.json"
    arr.write_text(json.dumps(elements, indent=1, ensure_ascii=False), encoding="utf-8")
    too_long = "array element longer than 100 bytes (raise --max-doc-bytes to read it)"
    assert ids_errors(rows(arr, max_doc_bytes=100)) == [
        ("a", None),
        ("long", too_long),
        (f"{arr}[2]", too_long),
        ("b", None),
        (f"{arr}[4]", too_long),
        (f"{arr}[5]", too_long),
        (f"{arr}[6]", "not a JSON object (int)"),
        ("c", None),
    ]
    assert [r.line for r in rows(arr, max_doc_bytes=100)] == [r.line for r in rows(arr)]
    assert [r.line for r in rows(arr)] == [2, 6, 10, 14, 18, 19, 28, 29]
    # the file ends inside a long element: the rows before it, then one error row
    cut = tmp_path / "cut.json"
    cut.write_bytes(arr.read_bytes()[: arr.read_bytes().index(b'"late"')])
    assert ids_errors(rows(cut, max_doc_bytes=100)) == [
        ("a", None),
        ("long", too_long),
        (f"{cut}[2]", f"{too_long}; the file ends inside it"),
    ]


def test_a_truncated_json_array(tmp_path: Path) -> None:
    data = _array(2000)  # past the sniffed head
    arr = tmp_path / "cut.json"
    arr.write_bytes(data[: data.index(b'"r1500"') + 3])  # inside element 1500
    got = ids_errors(rows(arr))
    assert got[:1500] == [(f"r{i}", None) for i in range(1500)]
    at = data.index(b'"r1500"')  # the string left open
    cut = f"Unterminated string starting at: line 1 column {at + 1} (char {at})"
    assert got[1500:] == [(f"{arr}[1500]", f"invalid JSON: {cut}; the rest of the file was not read")]
    arr.write_bytes(data[:-1])  # no "]"
    got = ids_errors(rows(arr))
    assert got[:2000] == [(f"r{i}", None) for i in range(2000)]
    assert got[2000:] == [
        (
            f"{arr}[1999]",
            "invalid JSON: expected ',' or ']' after an array element; the rest of the file was not read",
        )
    ]


def test_a_big_json_array_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arr = tmp_path / "big.json"
    arr.write_bytes(_array(300, "A few plain words about the garden, written by hand.", indent=2))
    out, err = score_rows(capsys, "--max-doc-bytes", "2000", str(arr))
    assert [(r["id"], r.get("error")) for r in out] == [(f"r{i}", None) for i in range(300)]
    assert "scored 300" in err and "errors 0" in err


# --- a record without the text field says which fields it has -------------------------------------------


def test_a_record_without_the_text_field_names_its_text_fields(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    many = {f"f{i}": "x" for i in range(8)}
    recs = [{"id": "a", "content": "words", "n": 3}, {"id": "b", "n": 3}, {"id": "c", **many}]
    p.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    tail = "; --text-field names the one to score)"
    assert ids_errors(rows(p)) == [
        ("a", "missing field 'text' (its text fields: 'content'" + tail),  # the id field is no candidate
        ("b", "missing field 'text'"),  # no field holds text: nothing to name
        ("c", "missing field 'text' (its text fields: 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', ..." + tail),
    ]


def test_csv_without_the_text_column_gives_an_error_row_per_row(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("id,content\n1,first text\n2,second text\n", encoding="utf-8")
    hint = "missing field 'text' (its text fields: 'content'; --text-field names the one to score)"
    assert ids_errors(rows(p)) == [("1", hint), ("2", hint)]
    assert [(r.id, r.text) for r in rows(p, text_field="content")] == [
        ("1", "first text"),
        ("2", "second text"),
    ]


@pytest.mark.parametrize(("name", "sep", "kind"), [("d.csv", ",", "CSV"), ("d.tsv", "\t", "TSV")])
def test_a_header_naming_the_text_or_id_column_twice_is_an_error_per_row(
    tmp_path: Path, name: str, sep: str, kind: str
) -> None:
    p = tmp_path / name
    p.write_text(
        sep.join(["id", "text", "text"]) + "\n" + sep.join(["1", "first", "other"]) + "\n", encoding="utf-8"
    )
    assert ids_errors(rows(p)) == [(f"{p}:2", f"{kind} header has column 'text' more than once")]
    p.write_text(
        sep.join(["id", "text", "id"]) + "\n" + sep.join(["1", "first", "2"]) + "\n", encoding="utf-8"
    )
    assert ids_errors(rows(p)) == [(f"{p}:2", f"{kind} header has column 'id' more than once")]
    p.write_text(
        sep.join(["id", "text", "n", "n"]) + "\n" + sep.join(["1", "first", "2", "3"]) + "\n",
        encoding="utf-8",
    )
    assert ids_errors(rows(p)) == [("1", None)]  # another column twice: no matter


def test_review_header_only_csv_nested_hint_and_wide_prose(tmp_path: Path) -> None:
    # a header-only CSV without the text column has no row to carry the error: a note says it
    p = tmp_path / "h.csv"
    p.write_text("id,body\n", encoding="utf-8")
    notes: list[str] = []
    assert rows(p, on_note=notes.append) == []
    assert notes == [
        f"{p}: CSV header has no column 'text' (its columns: 'id', 'body'; "
        "--text-field names the one to score)"
    ]
    assert rows(p, text_field="body", on_note=notes.append) == [] and len(notes) == 1  # the column is there
    # nested string fields are named by their dotted path, as --text-field takes them
    j = tmp_path / "n.jsonl"
    j.write_text(json.dumps({"id": "x", "meta": {"body": "hi", "n": 1}}) + "\n", encoding="utf-8")
    tail = " (its text fields: 'meta.body'; --text-field names the one to score)"
    assert ids_errors(rows(j)) == [("x", "missing field 'text'" + tail)]
    assert [r.text for r in rows(j, text_field="meta.body")] == ["hi"]
    # one line read again is "line N", not "lines N-N"
    c = tmp_path / "one.csv"
    c.write_text('id,text\n1,"open\n2,two\n', encoding="utf-8")
    assert ids_errors(rows(c))[0] == (
        f"{c}:2",
        "invalid CSV row: unexpected end of data (a quoted field opened on this line runs to line 3; "
        "line 3 is read again as rows)",
    )


@pytest.mark.parametrize("codec", ["utf-16", "utf-32-be"])
def test_wide_prose_opening_with_a_bracket_is_not_told(codec: str) -> None:
    bom = {"utf-16": b"", "utf-32-be": b"\x00\x00\xfe\xff"}[codec]
    for text, told in (("[citation needed] The town was founded.", False), ('[ {"text": "a"} ]', True)):
        data = bom + text.encode(codec)
        for stdin in (io.BytesIO(data), _Trickle(data, [1] * len(data))):
            _, notes = _as_read(data, stdin, "auto")
            assert len(notes) == told, (text, notes)
