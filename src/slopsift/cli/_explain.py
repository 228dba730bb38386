"""``slopsift explain``: one document in the terminal, its reasons and its highlighted evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slopsift.cli._output import one_line, visible
from slopsift.report_html import SpanInfo, evidence_spans, highlight_segments

__all__ = ["family_markers", "render_explanation"]

# Background colours (black text) per family, in family order; then a grey fallback.
_ANSI_BG = ("\x1b[30;105m", "\x1b[30;104m", "\x1b[30;103m", "\x1b[30;101m", "\x1b[30;106m", "\x1b[30;102m")
_ANSI_FALLBACK = "\x1b[30;47m"
_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"


def family_markers(families: Sequence[str]) -> dict[str, str]:
    """A distinct capital letter per family, its first letter not yet taken (``repetition`` -> ``R``)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for fam in families:
        letter = next((c.upper() for c in fam if c.isalpha() and c.upper() not in used), "?")
        used.add(letter)
        out[fam] = letter
    return out


def _fmt(v: Any) -> str:
    f = float(v)
    return f"{f:.3g}" if abs(f) < 1000 else f"{f:,.0f}"


def _highlight(text: str, spans: list[SpanInfo], families: Sequence[str], colour: bool) -> str:
    markers = family_markers(families)
    index = {f: i for i, f in enumerate(families)}
    # Consecutive segments shown the same way (same top family) are merged into one run.
    runs: list[tuple[str | None, str]] = []
    for seg in highlight_segments(len(text), spans):
        top = seg.top
        fam = None if top is None else top.family
        piece = visible(text[seg.start : seg.end])
        if runs and runs[-1][0] == fam:
            runs[-1] = (fam, runs[-1][1] + piece)
        else:
            runs.append((fam, piece))
    out: list[str] = []
    for fam, piece in runs:
        if fam is None:
            out.append(piece)
        elif colour:
            i = index.get(fam, -1)
            bg = _ANSI_BG[i] if 0 <= i < len(_ANSI_BG) else _ANSI_FALLBACK
            # Re-open the colour after each newline so that pagers keep it per line.
            out.append(bg + piece.replace("\n", _RESET + "\n" + bg) + _RESET)
        else:
            out.append(f"[{markers.get(fam, '?')}|{piece}]")
    return "".join(out)


def render_explanation(
    ident: str,
    result: dict[str, Any],
    text: str,
    *,
    families: Sequence[str],
    units: dict[str, str],
    threshold_name: str,
    colour: bool,
    all_evidence: bool = False,
    warning: str | None = None,
) -> str:
    """The terminal page for one scored document (``result`` from the pipeline with ``detail``)."""
    b, r = (_BOLD, _RESET) if colour else ("", "")
    q = float(result["quality"])
    label = str(result["label"])
    thr = float(result["threshold"])
    if label == "low_quality":
        verdict = f"FLAGGED as low quality (quality {q:.3f} < threshold {thr:.3f}, {threshold_name})"
    elif label == "ok":
        verdict = f"ok (quality {q:.3f} >= threshold {thr:.3f}, {threshold_name})"
    elif label == "insufficient_text":
        verdict = f"not judged: too little prose to score reliably (quality {q:.3f} shown for reference)"
    else:
        verdict = f"not judged: {label.replace('_', ' ')} (quality {q:.3f} shown for reference)"
    n_words = (result.get("signals") or {}).get("n_words", 0)
    lines = [
        f"{b}{one_line(ident)}{r}",
        f"{b}{verdict}{r}",
        f"model {result.get('model_version', 'unknown')} · {n_words} words",
    ]
    if warning:
        lines.append(f"warning: {warning}")
    reasons = list(result.get("reason_details") or [])
    lines.append("")
    if reasons:
        lines.append(
            f"{b}Reasons{r} (value, percentile among human texts, log-odds of quality gained if typical):"
        )
        markers = family_markers(families)
        for k, rd in enumerate(reasons, 1):
            sig = str(rd["signal"])
            fam = sig.split(".", 1)[0]
            unit = units.get(sig, "")
            lines.append(
                f"  {k}. [{markers.get(fam, '?')}] {sig} = {_fmt(rd['value'])}{' ' + unit if unit else ''}"
                f"  (human p{_fmt(rd['human_percentile'])}, impact +{_fmt(rd['impact'])})"
            )
            if rd.get("definition"):
                lines.append(f"       {rd['definition']}")
            notes = sorted({str(e.get("note", "")) for e in rd.get("evidence") or [] if e.get("note")})
            if notes:
                shown = "; ".join(one_line(n) for n in notes[:4]) + (" ..." if len(notes) > 4 else "")
                lines.append(f"       evidence: {shown}")
    else:
        lines.append("No reasons: no signal stands out from human texts.")
    reason_names = {str(rd["signal"]) for rd in reasons}
    spans = evidence_spans(result, reason_names, lambda e: all_evidence or e["signal"] in reason_names)
    markers = family_markers(families)
    if colour:
        index = {f: i for i, f in enumerate(families)}
        legend = "  ".join(
            f"{_ANSI_BG[index[f]] if index[f] < len(_ANSI_BG) else _ANSI_FALLBACK} {f} {_RESET}"
            for f in families
        )
    else:
        legend = "  ".join(f"[{markers[f]}|...] {f}" for f in families)
    scope = "all signals" if all_evidence else "the reasons"
    lines += ["", f"{b}Text{r} (evidence of {scope} highlighted)   {legend}", ""]
    lines.append(_highlight(text, spans, families, colour))
    return "\n".join(lines) + "\n"
