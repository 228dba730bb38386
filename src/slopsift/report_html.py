"""A self-contained HTML report for reviewers: worst documents first, evidence highlighted.

The page is one file with its CSS, JavaScript and an inline SVG histogram; it loads nothing from
the network. Reviewers open it on hostile content, so every piece of document text, id, path and
note is written through :func:`html.escape`, the embedded JSON has ``<``, ``>`` and ``&`` escaped
(so ``</script>`` and ``<!--`` cannot end or comment out its element), and a Content-Security-
Policy with a per-report nonce stops any script the page did not itself include.

Highlighting happens here, in Python: overlapping evidence spans are cut into segments, each
shown in the colour of the most specific (shortest) span covering it, preferring spans of the
signals named as reasons. The browser only shows, hides and toggles.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import html
import itertools
import json
import secrets
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = [
    "FAMILY_COLOURS",
    "HISTOGRAM_BINS",
    "JUDGED_LABELS",
    "ReportBuilder",
    "ReportDoc",
    "Segment",
    "SpanInfo",
    "embed_json",
    "evidence_spans",
    "highlight_segments",
    "histogram_svg",
    "render_report",
]

HISTOGRAM_BINS = 20
JUDGED_LABELS = frozenset({"ok", "low_quality"})
"""Labels the model judged; a gated text's (``insufficient_text``, ``unsupported_language``) quality
is the model's raw output on a text it was not made for, so it is neither ranked nor binned with these."""
MAX_TEXT_CHARS = 100_000
"""Characters of each document shown in the report; evidence past this point is dropped."""
MAX_ERRORS_LISTED = 500
FAMILY_COLOURS: tuple[str, ...] = (
    "#f4a6c8",
    "#9cc8f7",
    "#ffd36e",
    "#f79c8f",
    "#8fe0d0",
    "#b9e58c",
    "#d1b3f2",
    "#cccccc",
)
"""Background colours of the families, in family order (light enough to read black text on)."""


@dataclass(frozen=True, slots=True)
class SpanInfo:
    """One evidence span: ``text[start:end]`` made ``signal`` (``family.feature``) fire."""

    start: int
    end: int
    signal: str
    note: str = ""
    reason: bool = False

    @property
    def family(self) -> str:
        return self.signal.split(".", 1)[0]


def evidence_spans(
    result: Mapping[str, Any], reason_names: Collection[str], keep: Callable[[Mapping[str, Any]], bool]
) -> list[SpanInfo]:
    """The evidence of a scoring record (``Report.to_dict()`` keys) that ``keep`` accepts, in family order;
    a span is marked ``reason`` when its signal is in ``reason_names``."""
    return [
        SpanInfo(
            int(e["start"]),
            int(e["end"]),
            str(e["signal"]),
            str(e.get("note", "")),
            e["signal"] in reason_names,
        )
        for fam in ((result.get("signals") or {}).get("families") or {}).values()
        for e in fam.get("evidence") or ()
        if keep(e)
    ]


@dataclass(frozen=True, slots=True)
class Segment:
    """``text[start:end]`` is covered by ``spans`` (empty: plain text); ``top`` is the one shown."""

    start: int
    end: int
    spans: tuple[SpanInfo, ...] = ()

    @property
    def top(self) -> SpanInfo | None:
        if not self.spans:
            return None
        return min(self.spans, key=lambda s: (not s.reason, s.end - s.start, s.signal))


def highlight_segments(length: int, spans: Iterable[SpanInfo]) -> list[Segment]:
    """Cut ``[0, length)`` at every span boundary; each piece lists the spans covering it.

    A sweep over the sorted boundaries: O((n + k) log k) for k spans, independent of how much
    the spans overlap except for the size of each segment's cover list.
    """
    clipped = [
        SpanInfo(max(0, s.start), min(length, s.end), s.signal, s.note, s.reason)
        for s in spans
        if min(length, s.end) > max(0, s.start)
    ]
    if not clipped:
        return [Segment(0, length)] if length else []
    cuts = sorted({0, length, *(s.start for s in clipped), *(s.end for s in clipped)})
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, s in enumerate(clipped):
        starts.setdefault(s.start, []).append(i)
        ends.setdefault(s.end, []).append(i)
    active: dict[int, None] = {}
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        for i in ends.get(a, ()):
            active.pop(i, None)
        for i in starts.get(a, ()):
            active[i] = None
        out.append(Segment(a, b, tuple(clipped[i] for i in active)))
    return out


def embed_json(data: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` element (and in any HTML text)."""
    s = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for ch, esc in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        s = s.replace(ch, esc)
    return s


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


# --- documents --------------------------------------------------------------------------------------


@dataclass
class ReportDoc:
    """What the report shows of one scored document."""

    id: str | int
    quality: float
    flagged: bool
    label: str
    text: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[SpanInfo] = field(default_factory=list)
    source: str | None = None
    line: int | None = None
    n_words: int = 0
    warning: str | None = None
    truncated: bool = False

    @property
    def judged(self) -> bool:
        """Whether the model judged the text (``ok``, ``low_quality``), so its quality means something."""
        return self.label in JUDGED_LABELS

    @classmethod
    def from_result(
        cls,
        ident: str | int,
        text: str,
        result: dict[str, Any],
        *,
        source: str | None = None,
        line: int | None = None,
        warning: str | None = None,
    ) -> ReportDoc:
        """From a scoring record made with ``Report.to_dict()`` keys (``reason_details``, ``signals``)."""
        reasons = list(result.get("reason_details") or [])
        reason_names = {r["signal"] for r in reasons}
        truncated = len(text) > MAX_TEXT_CHARS
        shown = text[:MAX_TEXT_CHARS] if truncated else text
        ev = evidence_spans(result, reason_names, lambda e: e["start"] < len(shown))
        return cls(
            id=ident,
            quality=float(result["quality"]),
            flagged=bool(result["flagged"]),
            label=str(result["label"]),
            text=shown,
            reasons=reasons,
            evidence=ev,
            source=source,
            line=line,
            n_words=int((result.get("signals") or {}).get("n_words", 0)),
            warning=warning,
            truncated=truncated,
        )


def _rank(doc: ReportDoc, seq: int) -> tuple[int, float, int]:
    """Larger is worse: judged texts before gated ones, then lower quality, then earlier input
    (gated texts, whose quality means nothing, in input order)."""
    return (doc.judged, -doc.quality if doc.judged else 0.0, -seq)


def _bin(quality: float) -> int:
    return min(HISTOGRAM_BINS - 1, max(0, int(quality * HISTOGRAM_BINS)))


class ReportBuilder:
    """Accumulates a batch in bounded memory: the ``limit`` worst documents, all counts, the histogram.

    The worst are the judged texts of lowest quality; gated texts (not judged) come after every judged
    one, and the histogram counts judged texts only."""

    def __init__(self, *, limit: int = 500, threshold: float | None = None, model_version: str = "") -> None:
        self.limit = max(1, limit)
        self.threshold = threshold
        self.model_version = model_version
        self.bins = [0] * HISTOGRAM_BINS
        self.labels: Counter[str] = Counter()
        self.n_scored = 0
        self.n_flagged = 0
        self.n_gated = 0
        self.errors: list[tuple[str, str]] = []
        self.n_errors = 0
        self._heap: list[tuple[tuple[int, float, int], ReportDoc]] = []  # min-heap: the root is the best kept
        self._seq = itertools.count()

    def add(self, doc: ReportDoc) -> None:
        self.n_scored += 1
        self.n_flagged += doc.flagged
        self.labels[doc.label] += 1
        if doc.judged:
            self.bins[_bin(doc.quality)] += 1
        else:
            self.n_gated += 1
        item = (_rank(doc, next(self._seq)), doc)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, item)
        elif item[0] > self._heap[0][0]:
            heapq.heapreplace(self._heap, item)

    def add_error(self, ident: str | int, message: str) -> None:
        self.n_errors += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append((str(ident), message))

    def docs(self) -> list[ReportDoc]:
        """The kept documents, worst first: judged texts by quality (lowest first, ties in input order),
        then gated texts in input order."""
        return [d for _, d in sorted(self._heap, key=lambda t: t[0], reverse=True)]

    def render(
        self, *, title: str = "slopsift report", csp: bool = True, families: Sequence[str] = ()
    ) -> str:
        return render_report(
            self.docs(),
            bins=self.bins,
            threshold=self.threshold,
            model_version=self.model_version,
            counts={
                "scored": self.n_scored,
                "flagged": self.n_flagged,
                "not_judged": self.n_gated,
                "errors": self.n_errors,
                "shown": min(self.n_scored, self.limit),
                **{f"label:{k}": v for k, v in sorted(self.labels.items())},
            },
            errors=self.errors,
            title=title,
            csp=csp,
            families=families,
        )


# --- rendering --------------------------------------------------------------------------------------


def histogram_svg(bins: Sequence[int], threshold: float | None = None) -> str:
    """Inline SVG bar chart of quality scores over [0, 1] with the operating point marked."""
    w, h, left, bottom, top = 560, 150, 36, 24, 8
    n = len(bins) or 1
    peak = max(bins) if bins and max(bins) > 0 else 1
    bw = (w - left - 8) / n
    ph = h - bottom - top
    parts = [
        f'<svg class="histogram" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg" aria-label="histogram of the quality of judged documents">',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - 8}" y2="{h - bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top + 8}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{h - bottom}" class="tick" text-anchor="end">0</text>',
    ]
    for i, c in enumerate(bins):
        lo, hi = i / n, (i + 1) / n
        bh = ph * c / peak
        x = left + i * bw
        low = threshold is not None and hi <= threshold
        cls = "bar low" if low else "bar"
        parts.append(
            f'<rect class="{cls}" x="{x + 1:.1f}" y="{h - bottom - bh:.1f}" width="{bw - 2:.1f}" '
            f'height="{bh:.1f}"><title>quality {lo:.2f}-{hi:.2f}: {c} documents</title></rect>'
        )
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + t * (w - left - 8)
        parts.append(f'<text x="{x:.1f}" y="{h - 6}" class="tick" text-anchor="middle">{t:g}</text>')
    if threshold is not None:
        x = left + threshold * (w - left - 8)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{h - bottom}" class="threshold">'
            f"<title>flagging threshold {threshold:.3f}</title></line>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _family_index(families: Sequence[str]) -> dict[str, int]:
    return {f: i for i, f in enumerate(families)}


def _fam_class(fam: str, index: dict[str, int]) -> str:
    return f"f{index.get(fam, len(FAMILY_COLOURS) - 1) % len(FAMILY_COLOURS)}"


def _highlighted_text(doc: ReportDoc, index: dict[str, int]) -> str:
    runs: list[tuple[str | None, str]] = []  # (opening <mark> tag or None, raw text)
    for seg in highlight_segments(len(doc.text), doc.evidence):
        top = seg.top
        tag = None
        if top is not None:
            tip = "; ".join(sorted({f"{s.signal}{': ' + s.note if s.note else ''}" for s in seg.spans}))
            cls = f"hl {_fam_class(top.family, index)} {'reason' if top.reason else 'other'}"
            tag = (
                f'<mark class="{cls}" data-family="{_e(top.family)}" data-signal="{_e(top.signal)}" '
                f'title="{_e(tip)}">'
            )
        piece = doc.text[seg.start : seg.end]
        if runs and runs[-1][0] == tag:  # same mark as the previous segment: one element
            runs[-1] = (tag, runs[-1][1] + piece)
        else:
            runs.append((tag, piece))
    return "".join(_e(t) if tag is None else f"{tag}{_e(t)}</mark>" for tag, t in runs)


def _fmt_value(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _e(v)
    return f"{f:.3g}" if abs(f) < 1000 else f"{f:.0f}"


def _doc_article(k: int, doc: ReportDoc, index: dict[str, int]) -> str:
    where = ""
    if doc.source is not None and str(doc.id) != f"{doc.source}:{doc.line}":
        where = f'<div class="where">{_e(doc.source)}{":" + str(doc.line) if doc.line else ""}</div>'
    reasons = "".join(
        f'<li><span class="swatch {_fam_class(str(r["signal"]).split(".", 1)[0], index)}"></span>'
        f"<code>{_e(r['signal'])}</code> = {_fmt_value(r.get('value'))} "
        f'<span class="pct">(human percentile {_fmt_value(r.get("human_percentile"))}, '
        f"impact +{_fmt_value(r.get('impact'))})</span>"
        f'<div class="def">{_e(r.get("definition", ""))}</div></li>'
        for r in doc.reasons
    )
    notes = []
    if doc.warning:
        notes.append(f'<p class="warning">{_e(doc.warning)}</p>')
    if doc.truncated:
        notes.append(f'<p class="warning">Text truncated to the first {MAX_TEXT_CHARS:,} characters.</p>')
    if doc.judged:
        verdict = f"quality <b>{doc.quality:.3f}</b> · {_e(doc.label)}{' · flagged' if doc.flagged else ''}"
    else:
        verdict = (
            f"<b>not judged</b> · {_e(doc.label)} · raw quality {doc.quality:.3f}, "
            "meaningless for a text the model was not made for"
        )
    return (
        f'<article class="doc" id="doc-{k}" hidden>'
        f'<h2 class="doc-id">{_e(doc.id)}</h2>{where}'
        f'<p class="verdict {_e(doc.label)}">{verdict} · {doc.n_words} words</p>'
        + "".join(notes)
        + (
            f'<ol class="reasons">{reasons}</ol>'
            if reasons
            else '<p class="none">No reasons: no signal stands out from human texts.</p>'
        )
        + f'<pre class="text">{_highlighted_text(doc, index)}</pre></article>'
    )


def _row(k: int, doc: ReportDoc) -> str:
    reasons = ", ".join(str(r["signal"]) for r in doc.reasons)
    q = (
        f'<td class="q">{doc.quality:.3f}</td>'
        if doc.judged
        else f'<td class="q gated" title="not judged (raw quality {doc.quality:.3f})">-</td>'
    )
    return (
        f'<tr class="doc-row{" flagged" if doc.flagged else ""}{"" if doc.judged else " gated"}" '
        f'data-doc="doc-{k}" tabindex="0"><td class="rank">{k + 1}</td>{q}'
        f'<td class="label">{_e(doc.label)}</td><td class="id">{_e(doc.id)}</td>'
        f'<td class="reasons">{_e(reasons)}</td></tr>'
    )


def _template(name: str) -> str:
    return resources.files("slopsift").joinpath("templates").joinpath(name).read_text(encoding="utf-8")


def render_report(
    docs: Sequence[ReportDoc],
    *,
    bins: Sequence[int] | None = None,
    threshold: float | None = None,
    model_version: str = "",
    counts: dict[str, int] | None = None,
    errors: Sequence[tuple[str, str]] = (),
    title: str = "slopsift report",
    csp: bool = True,
    families: Sequence[str] = (),
) -> str:
    """The report page for ``docs`` (already in display order); ``bins`` count judged texts only
    (default: those of ``docs``), ``counts`` the whole batch (default: ``docs``)."""
    if not families:
        from slopsift.signals import FAMILY_ORDER

        families = FAMILY_ORDER
    index = _family_index(families)
    if bins is None:
        bins = [0] * HISTOGRAM_BINS
        for d in docs:
            if d.judged:
                bins[_bin(d.quality)] += 1
    counts = dict(
        counts
        or {
            "scored": len(docs),
            "flagged": sum(d.flagged for d in docs),
            "not_judged": sum(not d.judged for d in docs),
            "errors": len(errors),
            **Counter(f"label:{d.label}" for d in docs),
        }
    )
    nonce = secrets.token_urlsafe(18)
    legend = "".join(
        f'<label class="legend-item">'
        f'<input type="checkbox" class="fam-toggle" value="{_fam_class(f, index)}" '
        f'checked><span class="swatch {_fam_class(f, index)}"></span>{_e(f)}</label>'
        for f in families
    )
    colours = "".join(
        f".{c}{{background:{FAMILY_COLOURS[index[f] % len(FAMILY_COLOURS)]}}}"
        f"body.all-evidence mark.hl.other.{c}{{background:{FAMILY_COLOURS[index[f] % len(FAMILY_COLOURS)]}}}"
        f"body.hide-{c} mark.{c}{{background:none!important}}"
        for f in families
        for c in [_fam_class(f, index)]
    )
    err_rows = "".join(f"<tr><td>{_e(i)}</td><td>{_e(m)}</td></tr>" for i, m in errors)
    errors_html = (
        f'<details class="errors"><summary>{counts.get("errors", len(errors))} inputs could not be scored'
        f"</summary><table><tr><th>input</th><th>error</th></tr>{err_rows}</table></details>"
        if errors
        else ""
    )
    scored, not_judged = counts.get("scored", 0), counts.get("not_judged", 0)
    summary_bits = [
        f"{scored} scored",
        f"{counts.get('flagged', 0)} flagged",
        *([f"{not_judged} not judged"] if not_judged else []),
        f"{counts.get('errors', 0)} errors",
    ]
    shown = ""
    if len(docs) < scored:
        shown = f"{len(docs)} of {scored} documents shown"
        summary_bits.append(shown)
        shown = (
            f'<p class="caption shown">{shown}: the judged texts of lowest quality'
            f"{', then texts not judged' if not_judged else ''}.</p>"
        )
    gated = ", ".join(
        f"{v} {k[6:]}"
        for k, v in sorted(counts.items())
        if k.startswith("label:") and k[6:] not in JUDGED_LABELS
    )
    caption = (
        f'<p class="caption">Quality of the {sum(bins)} judged document{"" if sum(bins) == 1 else "s"} '
        "(labels ok and low_quality) only"
        + (
            f"; the {not_judged} not judged ({_e(gated)}) are left out: their quality means nothing."
            if not_judged
            else "."
        )
        + "</p>"
    )
    data = {
        "counts": counts,
        "threshold": threshold,
        "model_version": model_version,
        "bins": list(bins),
        "families": list(families),
        "docs": [
            {
                "key": f"doc-{k}",
                "id": d.id,
                "quality": round(d.quality, 6),
                "label": d.label,
                "judged": d.judged,
                "flagged": d.flagged,
            }
            for k, d in enumerate(docs)
        ],
    }
    csp_meta = (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'\">"
        if csp
        else ""
    )
    page = _template("report.html")
    subs = {
        "csp": csp_meta,
        "nonce": nonce,
        "title": _e(title),
        "css": _template("report.css") + colours,
        "js": _template("report.js"),
        "data": embed_json(data),
        "summary": _e(" · ".join(summary_bits)),
        "meta": _e(
            f"model {model_version or 'unknown'}"
            + (f" · flagged below quality {threshold:.3f}" if threshold is not None else "")
            + f" · generated {_dt.datetime.now(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}"
        ),
        "histogram": histogram_svg(bins, threshold),
        "histogram_caption": caption,
        "shown": shown,
        "legend": legend,
        "rows": "".join(_row(k, d) for k, d in enumerate(docs)),
        "articles": "".join(_doc_article(k, d, index) for k, d in enumerate(docs)),
        "errors": errors_html,
    }
    # One pass over the template: substituted values are never re-scanned for markers.
    pieces = page.split("{{")
    out = [pieces[0]]
    for p in pieces[1:]:
        key, sep, rest = p.partition("}}")
        if not sep or key not in subs:
            raise ValueError(f"report template: unknown marker {{{{{key}}}}}")
        out.append(subs[key])
        out.append(rest)
    return "".join(out)
