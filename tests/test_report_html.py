"""The HTML report: highlighting, escaping, bounded accumulation, and the page in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import browser  # tests/fixtures/cli, on sys.path via conftest.py
import pytest

from slopsift.report_html import (
    HISTOGRAM_BINS,
    ReportBuilder,
    ReportDoc,
    SpanInfo,
    embed_json,
    highlight_segments,
    histogram_svg,
    render_report,
)

needs_chromium = pytest.mark.skipif(browser.CHROMIUM is None, reason=browser.SKIP_REASON)

HOSTILE_TEXT = (
    "Hello <script>window.__pwned=1;document.title='PWNED'</script> and "
    '<img src=x onerror="window.__pwned=2"> then </pre></article><b>bold</b> <!-- x --> '
    "In conclusion, it is crucial to act. </script><script>window.__pwned=5</script> \u2028 end & more."
)
HOSTILE_ID = '<img src=x onerror="window.__pwned=3">'
HOSTILE_SOURCE = "</script><script>window.__pwned=4</script>"


def _hostile_doc() -> ReportDoc:
    t = HOSTILE_TEXT
    a = t.index("In conclusion")
    b = t.index("it is crucial to")
    return ReportDoc(
        id=HOSTILE_ID,
        quality=0.12,
        flagged=True,
        label="low_quality",
        text=t,
        reasons=[
            {
                "signal": "hedging.boilerplate_per_1k",
                "value": 3.0,
                "human_percentile": 99.0,
                "impact": 0.3,
                "definition": "<b>not bold</b>",
            }
        ],
        evidence=[
            SpanInfo(a, a + len("In conclusion"), "hedging.boilerplate_per_1k", "<i>note</i>", True),
            SpanInfo(b, b + len("it is crucial to"), "hedging.boilerplate_per_1k", "", True),
            SpanInfo(0, 5, "repetition.mtld", "</script>", False),
        ],
        source=HOSTILE_SOURCE,
        line=7,
    )


def _clean_doc() -> ReportDoc:
    return ReportDoc(
        id="notes/clean.txt", quality=0.93, flagged=False, label="ok", text="A plain note.\nSecond line."
    )


# --- highlighting ----------------------------------------------------------------------------------


def test_segments_cut_at_every_boundary_and_prefer_reasons_then_shortest() -> None:
    # text "abcdefghij": A covers [1,6) (reason), B covers [3,5) (not a reason), C covers [4,9) (reason).
    spans = [
        SpanInfo(1, 6, "hedging.x", reason=True),
        SpanInfo(3, 5, "repetition.y", reason=False),
        SpanInfo(4, 9, "artifacts.z", reason=True),
    ]
    segs = highlight_segments(10, spans)
    cuts = [(s.start, s.end) for s in segs]
    assert cuts == [(0, 1), (1, 3), (3, 4), (4, 5), (5, 6), (6, 9), (9, 10)]
    tops = [None if s.top is None else s.top.signal for s in segs]
    # [3,4): A and B -> the reason A wins although B is shorter; [4,5): A (len 5) vs C (len 5), tie
    # broken by name: artifacts.z < hedging.x; [5,6): A and C again.
    assert tops == [None, "hedging.x", "hedging.x", "artifacts.z", "artifacts.z", "artifacts.z", None]
    assert {s.signal for s in segs[3].spans} == {"hedging.x", "repetition.y", "artifacts.z"}


def test_segments_clip_out_of_range_and_empty_spans() -> None:
    segs = highlight_segments(4, [SpanInfo(-3, 2, "a.b"), SpanInfo(3, 99, "c.d"), SpanInfo(2, 2, "e.f")])
    assert [(s.start, s.end, s.top.signal if s.top else None) for s in segs] == [
        (0, 2, "a.b"),
        (2, 3, None),
        (3, 4, "c.d"),
    ]
    assert highlight_segments(0, []) == []
    assert [(s.start, s.end) for s in highlight_segments(3, [])] == [(0, 3)]


# --- escaping ---------------------------------------------------------------------------------------


def test_embed_json_cannot_close_its_script_element() -> None:
    data = {"id": "</script><script>alert(1)</script>", "c": "<!-- x -->", "amp": "a&b", "ls": "\u2028\u2029"}
    s = embed_json(data)
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s and "\u2029" not in s
    assert json.loads(s) == data


def test_every_document_field_is_escaped_in_the_page() -> None:
    page = render_report([_hostile_doc(), _clean_doc()], threshold=0.3, model_version="<m>")
    # The only script elements are the page's own three; no document markup survives as markup.
    assert page.count("<script") == 3
    assert "<img" not in page and "<b>not bold" not in page and "<i>note" not in page
    assert 'onerror="window' not in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;" in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=4&lt;/script&gt;" in page
    # Every script carries the per-report nonce that the CSP requires.
    nonce = re.search(r"'nonce-([^']+)'", page)
    assert nonce is not None
    assert page.count(f'nonce="{nonce.group(1)}"') == 2


def test_marks_cover_exactly_the_evidence() -> None:
    doc = _hostile_doc()
    page = render_report([doc], threshold=0.3)
    marks = re.findall(
        r'<mark class="hl [^"]*" data-family="([^"]*)" data-signal="([^"]*)"[^>]*>(.*?)</mark>', page
    )
    import html as _html

    assert [(f, s, _html.unescape(t)) for f, s, t in marks] == [
        ("repetition", "repetition.mtld", "Hello"),
        ("hedging", "hedging.boilerplate_per_1k", "In conclusion"),
        ("hedging", "hedging.boilerplate_per_1k", "it is crucial to"),
    ]


def test_no_external_resources() -> None:
    page = render_report([_hostile_doc(), _clean_doc()], threshold=0.5)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page


# --- builder and histogram --------------------------------------------------------------------------


def test_builder_keeps_the_worst_documents_in_order_and_counts_all() -> None:
    b = ReportBuilder(limit=3, threshold=0.5)
    qualities = [0.9, 0.2, 0.7, 0.04, 0.2, 0.99, 0.5]
    for i, q in enumerate(qualities):
        b.add(ReportDoc(id=f"d{i}", quality=q, flagged=q < 0.5, label="ok", text="x"))
    b.add_error("bad", "empty text")
    assert [d.id for d in b.docs()] == ["d3", "d1", "d4"]  # ties (0.2) keep input order
    assert b.n_scored == 7 and b.n_flagged == 3 and b.n_errors == 1
    assert sum(b.bins) == 7
    assert b.bins[0] == 1 and b.bins[4] == 2 and b.bins[HISTOGRAM_BINS - 1] == 1  # 0.04, 0.2 x2, 0.99
    page = b.render()
    assert "7 scored · 3 flagged · 1 errors · 3 of 7 documents shown" in page


def test_builder_ranks_judged_texts_before_gated_ones_and_bins_judged_only() -> None:
    # Gated texts come first in the input with raw qualities at or below the worst judged one: they
    # must not take the places of the flagged texts, nor fill the histogram's lowest bin.
    b = ReportBuilder(limit=2, threshold=0.5)
    gated = [
        ("fr", 0.0, "unsupported_language"),
        ("short", 0.0, "insufficient_text"),
        ("de", 0.01, "unsupported_language"),
    ]
    for ident, q, label in gated:
        b.add(ReportDoc(id=ident, quality=q, flagged=False, label=label, text="x"))
    for i, q in enumerate([0.9, 0.2, 0.3, 0.05]):
        b.add(
            ReportDoc(
                id=f"d{i}", quality=q, flagged=q < 0.5, label="low_quality" if q < 0.5 else "ok", text="x"
            )
        )
    assert [d.id for d in b.docs()] == ["d3", "d1"]
    assert b.n_scored == 7 and b.n_gated == 3 and b.n_flagged == 3
    assert sum(b.bins) == 4 and b.bins[0] == 0 and b.bins[1] == 1  # 0.05 only: the gated 0.0s are not binned
    page = b.render()
    assert "7 scored · 3 flagged · 3 not judged · 0 errors · 2 of 7 documents shown" in page
    assert (
        '<p class="caption shown">2 of 7 documents shown: the judged texts of lowest quality, '
        "then texts not judged.</p>" in page
    )
    assert (
        "Quality of the 4 judged documents (labels ok and low_quality) only; the 3 not judged "
        "(1 insufficient_text, 2 unsupported_language) are left out" in page
    )
    # With room to spare, gated texts follow every judged one, in input order, their quality not shown.
    b2 = ReportBuilder(limit=6)
    for ident, q, label in gated:
        b2.add(ReportDoc(id=ident, quality=q, flagged=False, label=label, text="x"))
    for i, q in enumerate([0.9, 0.2, 0.3]):
        b2.add(ReportDoc(id=f"d{i}", quality=q, flagged=False, label="ok", text="x"))
    assert [d.id for d in b2.docs()] == ["d1", "d2", "d0", "fr", "short", "de"]
    page = b2.render()
    assert page.count('<td class="q gated" title="not judged (raw quality ') == 3
    assert "not judged</b> · unsupported_language · raw quality 0.000" in page
    assert "documents shown" not in page  # nothing left out
    assert [d["judged"] for d in _data(page)["docs"]] == [True] * 3 + [False] * 3


def _data(page: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.DOTALL)
    assert m
    return dict(json.loads(m.group(1)))


def test_render_report_bins_judged_documents_only() -> None:
    docs = [
        ReportDoc(id="g", quality=0.0, flagged=False, label="insufficient_text", text="x"),
        ReportDoc(id="j", quality=0.6, flagged=False, label="ok", text="x"),
    ]
    page = render_report(docs)
    data = _data(page)
    assert sum(data["bins"]) == 1 and data["bins"][12] == 1
    assert data["counts"]["not_judged"] == 1
    assert (
        "Quality of the 1 judged document (labels ok and low_quality) only; "
        "the 1 not judged (1 insufficient_text)" in page
    )


def test_histogram_has_one_bar_per_bin_and_the_threshold() -> None:
    svg = histogram_svg([0, 3, 1, 0], threshold=0.5)
    assert svg.count("<rect") == 4
    assert svg.count('class="bar low"') == 2  # bins [0, .25) and [.25, .5) lie below the threshold
    assert "quality 0.25-0.50: 3 documents" in svg
    assert 'class="threshold"' in svg


def test_long_text_is_truncated_with_its_evidence() -> None:
    from slopsift.report_html import MAX_TEXT_CHARS

    text = "word " * (MAX_TEXT_CHARS // 5 + 10)
    result = {
        "quality": 0.4,
        "flagged": True,
        "label": "low_quality",
        "reason_details": [],
        "signals": {
            "n_words": 5,
            "families": {
                "repetition": {
                    "evidence": [
                        {"start": 0, "end": 4, "signal": "repetition.a", "note": ""},
                        {
                            "start": MAX_TEXT_CHARS + 5,
                            "end": MAX_TEXT_CHARS + 9,
                            "signal": "repetition.a",
                            "note": "",
                        },
                    ]
                }
            },
        },
    }
    doc = ReportDoc.from_result("x", text, result)
    assert doc.truncated and len(doc.text) == MAX_TEXT_CHARS
    assert [(e.start, e.end) for e in doc.evidence] == [(0, 4)]


# --- in a real browser ------------------------------------------------------------------------------


@needs_chromium
@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_hostile_document_shows_as_text_and_runs_nothing(tmp_path: Path, csp: bool) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report([_hostile_doc(), _clean_doc()], threshold=0.3, csp=csp), encoding="utf-8")
    result, console = browser.selftest(page)
    assert console == []
    assert result["errors"] == []
    assert result["pwned"] is False
    assert result["title"] == "slopsift report"
    assert result["images"] == 0 and result["iframes"] == 0
    assert result["scripts"] == 3
    hostile, clean = result["docs"]
    # Clicking a row shows its document; id, path and text read exactly as the original strings.
    assert hostile["shown"] and clean["shown"]
    assert hostile["rowId"] == hostile["jsonId"] == hostile["headingId"] == HOSTILE_ID
    assert hostile["text"] == HOSTILE_TEXT
    assert hostile["elementsInText"] == 0
    assert [(m["text"], m["signal"], m["reason"]) for m in hostile["marks"]] == [
        ("Hello", "repetition.mtld", False),
        ("In conclusion", "hedging.boilerplate_per_1k", True),
        ("it is crucial to", "hedging.boilerplate_per_1k", True),
    ]
    # Reasons are coloured; other evidence only in "all signals" mode.
    assert hostile["marks"][0]["background"] == "rgba(0, 0, 0, 0)"
    assert hostile["marks"][1]["background"] not in ("rgba(0, 0, 0, 0)", "")
    assert clean["text"] == "A plain note.\nSecond line." and clean["marks"] == []


@needs_chromium
def test_empty_report_loads_cleanly(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(ReportBuilder().render(), encoding="utf-8")
    result, console = browser.selftest(page)
    assert console == [] and result["errors"] == [] and result["docs"] == []
