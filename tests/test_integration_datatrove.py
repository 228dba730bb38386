"""The datatrove filter: same scores as ``score_many``, flagged documents dropped with their reason.

End to end through datatrove's own executor, reader and writers (one task; two tasks in two worker
processes), and on ``Document`` objects directly.
"""

from __future__ import annotations

import copy
import gzip
import importlib
import json
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "datatrove", reason="datatrove is not installed: pip install 'slopsift[datatrove]' to run these tests"
)

import dill  # a datatrove dependency (its Slurm executor pickles with it)
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

import slopsift
from slopsift.bundle import load_bundle
from slopsift.integrations.datatrove import METADATA_KEYS, SlopsiftFilter
from slopsift.scoring import Detector, Report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
PINS = {
    d["id"]: d["text"]
    for d in map(json.loads, (FIXTURES / "pins" / "documents.jsonl").read_text(encoding="utf-8").splitlines())
}

# id -> text: a content farm (flagged), a human article (kept), the README's six examples (two
# flagged), two short texts (insufficient_text) and two non-English ones (unsupported_language).
CORPUS: dict[str, str] = {
    "content_farm": (FIXTURES / "content_farm.md").read_text(encoding="utf-8"),
    "human_article": (FIXTURES / "human_article.md").read_text(encoding="utf-8"),
    **{f"examples/{p.name}": p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").iterdir())},
    "short-human": PINS["short-human"],
    "one-word": PINS["one-word"],
    "french": PINS["french"],
    "russian": PINS["russian"],
}
IDS = list(CORPUS)
TEXTS = list(CORPUS.values())


@pytest.fixture(scope="module")
def reference() -> dict[str, Report]:
    return dict(zip(IDS, slopsift.score_many(TEXTS), strict=True))


def expected_reason(rep: Report) -> str:
    return rep.reasons[0].signal if rep.reasons else "low_quality"


def test_corpus_covers_every_case(reference: dict[str, Report]) -> None:
    labels = {i: r.label for i, r in reference.items()}
    assert labels["content_farm"] == "low_quality" and labels["human_article"] == "ok"
    assert {labels["short-human"], labels["one-word"]} == {"insufficient_text"}
    assert {labels["french"], labels["russian"]} == {"unsupported_language"}
    assert sum(r.flagged for r in reference.values()) >= 2  # the content farm and a README example


# --- through datatrove's executor ----------------------------------------------------------------


def _read_jsonl_gz(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl.gz")) for line in gzip.open(f, "rt")]


@pytest.mark.parametrize(("tasks", "workers"), [(1, 1), (2, 2)])
def test_pipeline_matches_score_many(
    tmp_path: Path, reference: dict[str, Report], tasks: int, workers: int
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for k in range(3):  # three files, so two tasks each get a share
        with (src / f"part-{k}.jsonl").open("w", encoding="utf-8") as f:
            for i in IDS[k::3]:
                f.write(json.dumps({"id": i, "text": CORPUS[i], "source": "fixture"}) + "\n")
    kept_dir, removed_dir = tmp_path / "kept", tmp_path / "removed"
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            SlopsiftFilter(batch_size=4, exclusion_writer=JsonlWriter(str(removed_dir))),
            JsonlWriter(str(kept_dir)),
        ],
        tasks=tasks,
        workers=workers,
        logging_dir=str(tmp_path / "logs"),
    ).run()

    written = {f.name for f in kept_dir.glob("*.jsonl.gz")}
    assert written == {f"{rank:05d}.jsonl.gz" for rank in range(tasks)}  # every task had documents
    kept, removed = _read_jsonl_gz(kept_dir), _read_jsonl_gz(removed_dir)
    kept_ids, removed_ids = [d["id"] for d in kept], [d["id"] for d in removed]
    assert sorted(kept_ids + removed_ids) == sorted(IDS)  # every document once, none lost or doubled
    assert set(removed_ids) == {i for i, r in reference.items() if r.flagged}
    for d in kept + removed:
        ref, meta = reference[d["id"]], d["metadata"]
        assert meta["slopsift_quality"] == ref.quality  # exact, through JSON and another process
        assert meta["slopsift_label"] == ref.label
        assert meta["slopsift_reasons"] == [r.signal for r in ref.reasons]
        assert meta["source"] == "fixture"  # the reader's metadata is kept
    for d in removed:
        assert d["metadata"]["filter_reason"] == expected_reason(reference[d["id"]])
    by_id = {d["id"]: d["metadata"] for d in kept}
    for i in ("short-human", "one-word", "french", "russian"):
        assert by_id[i]["slopsift_label"] == reference[i].label != "ok"

    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    (step,) = [s for s in stats if "slopsift" in s["name"]]
    flagged = len(removed_ids)
    assert step["stats"]["total"] == len(IDS)
    assert step["stats"]["dropped"] == flagged
    assert step["stats"]["forwarded"] == len(IDS) - flagged
    assert step["stats"]["label_low_quality"] == flagged
    assert step["stats"]["label_insufficient_text"] == 2


# --- the filter on Document objects ----------------------------------------------------------------


def _docs() -> list[Document]:
    return [Document(text=t, id=i) for i, t in CORPUS.items()]


class _MemoryWriter:
    """Stands in for a datatrove writer as ``exclusion_writer``: a context manager with ``write``."""

    def __init__(self) -> None:
        self.docs: list[Document] = []

    def __enter__(self) -> _MemoryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, doc: Document, rank: int = 0) -> None:
        self.docs.append(doc)


def test_filter_batch_annotates_and_decides(reference: dict[str, Report]) -> None:
    docs = _docs()
    results = SlopsiftFilter().filter_batch(docs)
    assert len(results) == len(docs)
    for doc, res in zip(docs, results, strict=True):
        ref = reference[doc.id]
        assert doc.metadata == {
            "slopsift_quality": ref.quality,
            "slopsift_label": ref.label,
            "slopsift_reasons": [r.signal for r in ref.reasons],
        }
        assert set(doc.metadata) == set(METADATA_KEYS)
        assert res == ((False, expected_reason(ref)) if ref.flagged else True)


def test_filter_single_equals_batch(reference: dict[str, Report]) -> None:
    filt = SlopsiftFilter()
    for doc in _docs():
        res = filt.filter(doc)
        assert doc.metadata["slopsift_quality"] == reference[doc.id].quality
        assert res == ((False, expected_reason(reference[doc.id])) if reference[doc.id].flagged else True)


def test_run_batches_streams_and_excludes(reference: dict[str, Report]) -> None:
    writer = _MemoryWriter()
    filt = SlopsiftFilter(batch_size=5, exclusion_writer=writer)
    docs = _docs()

    def stream() -> Iterator[Document]:
        yield from docs

    kept = list(filt.run(stream()))
    flagged = [i for i in IDS if reference[i].flagged]
    assert [d.id for d in kept] == [i for i in IDS if not reference[i].flagged]  # order kept
    assert [d.id for d in writer.docs] == flagged
    for d in writer.docs:
        assert d.metadata["filter_reason"] == expected_reason(reference[d.id])
    s = filt.stats
    assert s["batches"].total == -(-len(docs) // 5)
    assert (s["total"].total, s["dropped"].total) == (len(docs), len(flagged))
    reasons = {expected_reason(reference[i]) for i in flagged}  # several documents may share one
    assert sum(s[f"dropped_{r}"].total for r in reasons) == len(flagged)
    assert s["doc_len"].n == len(docs) - len(flagged)  # datatrove's own stats for kept documents
    assert s["quality"].n == len(docs)


def test_flagged_without_a_named_reason_is_dropped_as_low_quality(reference: dict[str, Report]) -> None:
    # A judged text that is ordinary in every signal (no reasons), under a threshold just above it.
    i, ref = next((i, r) for i, r in reference.items() if r.label == "ok" and not r.reasons)
    doc = Document(text=CORPUS[i], id=i)
    assert SlopsiftFilter(threshold=min(0.9999, ref.quality + 1e-4)).filter(doc) == (False, "low_quality")
    assert doc.metadata["slopsift_label"] == "low_quality"
    assert doc.metadata["slopsift_quality"] == ref.quality


def test_operating_points(reference: dict[str, Report]) -> None:
    filt = SlopsiftFilter(threshold="fpr_0.01")
    strict = filt.detector.threshold
    assert strict == load_bundle().thresholds["fpr_0.01"] < SlopsiftFilter().detector.threshold
    docs = _docs()
    for doc, res in zip(docs, filt.filter_batch(docs), strict=True):
        ref = reference[doc.id]
        assert doc.metadata["slopsift_quality"] == ref.quality  # the score does not move, the cut does
        judged = ref.label in ("ok", "low_quality")
        assert (res is not True) == (judged and ref.quality < strict)


def test_gated_texts_kept_by_default_dropped_on_request(reference: dict[str, Report]) -> None:
    gated = ["short-human", "one-word", "french", "russian"]
    for keep, expect in ((True, True), (False, False)):
        docs = [Document(text=CORPUS[i], id=i) for i in gated] + [Document(text="", id="empty")]
        res = SlopsiftFilter(keep_gated=keep).filter_batch(docs)
        labels = [d.metadata["slopsift_label"] for d in docs]
        assert labels == [reference[i].label for i in gated] + ["insufficient_text"]
        assert res == ([True] * 5 if expect else [(False, label) for label in labels])


def test_failing_document_is_dropped_with_error_not_the_task(
    monkeypatch: pytest.MonkeyPatch, reference: dict[str, Report]
) -> None:
    real = Detector.score_batch

    def score_batch(self: Detector, texts: list[str]) -> list[Report]:
        if any("BOOM" in t for t in texts):
            raise RuntimeError("boom")
        return real(self, texts)

    monkeypatch.setattr(Detector, "score_batch", score_batch)
    docs = [*_docs()[:3], Document(text="BOOM " * 100, id="bad")]
    res = SlopsiftFilter().filter_batch(docs)
    assert res[3] == (False, "error")
    assert docs[3].metadata == {"slopsift_label": "error", "slopsift_error": "RuntimeError: boom"}
    for doc in docs[:3]:
        assert doc.metadata["slopsift_quality"] == reference[doc.id].quality


def test_filter_pickles_without_its_detector(reference: dict[str, Report]) -> None:
    filt = SlopsiftFilter()
    filt.filter(Document(text=CORPUS["content_farm"], id="x"))  # the detector is loaded now
    blob = pickle.dumps(filt)
    assert b"Detector" not in blob and b"estimator" not in blob
    assert len(blob) < 20_000
    # Slurm executors pickle the pipeline with dill, LocalPipelineExecutor deep-copies it per task.
    dilled = dill.loads(dill.dumps(filt, fmode=dill.CONTENTS_FMODE))
    for clone in (pickle.loads(blob), copy.deepcopy(filt), dilled):
        doc = Document(text=CORPUS["content_farm"], id="y")
        assert clone.filter(doc) == (False, expected_reason(reference["content_farm"]))
        assert doc.metadata["slopsift_quality"] == reference["content_farm"].quality


def test_bad_arguments_fail_at_construction() -> None:
    with pytest.raises(ValueError, match=r"fpr_0\.01, fpr_0\.05"):
        SlopsiftFilter(threshold="fpr_0.5")
    for t in (0.0, 1.0, -1.0):
        with pytest.raises(ValueError, match="threshold"):
            SlopsiftFilter(threshold=t)
    with pytest.raises(ValueError, match="batch_size"):
        SlopsiftFilter(batch_size=0)


def test_missing_datatrove_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "datatrove" or m.startswith("datatrove.")]:
        monkeypatch.setitem(sys.modules, name, None)  # None in sys.modules: import raises ImportError
    monkeypatch.delitem(sys.modules, "slopsift.integrations.datatrove")
    with pytest.raises(ImportError, match=r"pip install 'slopsift\[datatrove\]'"):
        importlib.import_module("slopsift.integrations.datatrove")
