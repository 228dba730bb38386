"""Probe sets: texts written for slopsift by a current chat model, scored by a model as a check.

The training corpora's generators date from 2019-2024 (GPT-2 to GPT-4, Llama-2, Claude-instant, PaLM-2)
plus the 2023-2026 agent blogs of ``web-articles``. A probe set asks how the model fares on what a
chat model writes *today* when a user asks for an ordinary text: never fitted on, reported in the
model card beside the check-only sets.

A probe set is a directory of ``NN-genre-slug.txt`` files (UTF-8) beside a ``README.md`` that
says what they are (its first paragraph is the card's description). Each text opens with the request
that produced it, ``PROMPT: ...`` and a blank line; that header is not scored. The genre is the file
name's second part (``03-blog-repot-houseplants.txt`` is a ``blog`` text). The sets live side by
side under one root (:data:`DEFAULT_PROBE_ROOT`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slopsift.scoring import Detector

__all__ = [
    "DEFAULT_PROBE_ROOT",
    "ProbeText",
    "describe",
    "probe_sets",
    "probe_summary",
    "probe_table",
    "read_probe",
]

_HERE = Path(__file__).resolve()  # <checkout>/src/slopsift/training/probes.py when run from a checkout
DEFAULT_PROBE_ROOT = (
    _HERE.parents[3] / "benchmarks" / "probes"
    if _HERE.parents[2].name == "src"
    else Path("benchmarks/probes")
)
"""Where a checkout keeps its probe sets, found from this file so that the card has them whatever the
working directory. They are not in the wheel: an installed package looks in the working directory."""

_PROMPT = "PROMPT: "


@dataclass(frozen=True)
class ProbeText:
    name: str
    """File name without ``.txt``."""
    genre: str
    prompt: str
    """The request that produced the text (not scored)."""
    text: str


def read_probe(directory: Path) -> list[ProbeText]:
    """Every ``*.txt`` probe in ``directory``, in name order.

    Raises ``ValueError`` for a file that does not follow the layout (no ``PROMPT:`` header and
    blank line, or a name without a genre), so that a malformed file is never scored with its request.
    """
    out: list[ProbeText] = []
    for path in sorted(directory.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        head, sep, body = raw.partition("\n\n")
        parts = path.stem.split("-")
        if not head.startswith(_PROMPT) or "\n" in head or not sep or len(parts) < 3:
            raise ValueError(
                f"{path}: expected NN-genre-slug.txt opening with 'PROMPT: ...' and a blank line"
            )
        out.append(ProbeText(path.stem, parts[1], head[len(_PROMPT) :].strip(), body.strip()))
    if not out:
        raise ValueError(f"{directory}: no probe texts (*.txt)")
    return out


def probe_sets(root: Path) -> list[Path]:
    """The probe sets under ``root``: its subdirectories holding ``*.txt`` files, in name order."""
    return sorted(d for d in root.iterdir() if d.is_dir() and any(d.glob("*.txt"))) if root.is_dir() else []


def describe(directory: Path) -> str:
    """The first paragraph after the title of the set's ``README.md``, on one line ("" without one)."""
    readme = directory / "README.md"
    if not readme.is_file():
        return ""
    paras = [p for p in readme.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    body = [p for p in paras if not p.lstrip().startswith("#")]
    return " ".join(body[0].split()) if body else ""


def probe_summary(detector: Detector, probes: Sequence[ProbeText]) -> dict[str, Any]:
    """Share flagged at the detector's operating point and median quality, overall and per genre,
    plus the reasons named most often for the flagged texts. JSON-ready."""
    reports = detector.score_batch([p.text for p in probes])

    def cell(rows: list[int]) -> dict[str, Any]:
        return {
            "n": len(rows),
            "flagged": sum(reports[i].flagged for i in rows),
            "median_quality": statistics.median(reports[i].quality for i in rows),
        }

    genres: dict[str, list[int]] = {}
    for i, p in enumerate(probes):
        genres.setdefault(p.genre, []).append(i)
    reasons = Counter(r.signal for rep in reports if rep.flagged for r in rep.reasons)
    return {
        **cell(list(range(len(probes)))),
        "threshold": detector.threshold,
        "by_genre": {g: cell(rows) for g, rows in genres.items()},
        "reasons": dict(reasons.most_common(8)),
        "quality": {p.name: reports[i].quality for i, p in enumerate(probes)},
    }


def probe_table(summary: dict[str, Any]) -> str:
    """A markdown table of :func:`probe_summary`: one row per genre, then all texts."""
    lines = ["| genre | texts | flagged | median quality |", "|---|---|---|---|"]
    rows = [*summary["by_genre"].items(), ("**all**", summary)]
    for genre, c in rows:
        lines.append(f"| {genre} | {c['n']} | {c['flagged']} | {c['median_quality']:.2f} |")
    return "\n".join(lines) + "\n"
