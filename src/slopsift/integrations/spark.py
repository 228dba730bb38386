"""Score a Spark DataFrame with slopsift: ``score_dataframe(df, "text")`` adds the verdict columns.

The work runs in Spark's Python workers through :meth:`pyspark.sql.DataFrame.mapInPandas` (rows
travel as Arrow batches, no per-row Python call from the JVM). Each worker process loads the
model once and keeps it in a module-level cache keyed by ``(model, threshold)``, so a partition,
and every later task the reused worker runs, pays the model load (about a second) only once.

Every input row comes out exactly once, with all its columns unchanged, plus:

=========  ===============  ==================================================================
column     Spark type       meaning
=========  ===============  ==================================================================
quality    double           ``P(text is not low-quality generated content)``, full precision
flagged    boolean          quality below the operating point (never for gated texts)
label      string           ``ok``, ``low_quality``, ``insufficient_text``,
                            ``unsupported_language``; ``error`` when the row was not scored
reasons    array<string>    names of the signals that pushed the score down, strongest first
error      string           why the row was not scored (null text, not a string, empty, ...)
=========  ===============  ==================================================================

These are the fields of a ``slopsift score`` JSONL record, with the same meaning; ``quality`` is
not rounded (the CLI rounds to 6 decimals when it writes JSON). A row that cannot be scored gets
``error`` set, null ``quality`` and ``flagged``, label ``error`` and no reasons: bad data never
fails the job. A bad configuration (missing column, unknown operating point, a model that is
missing or fails its SHA-256 check on an executor) does.

Needs ``pip install 'slopsift[spark]'`` (pyspark, pandas, pyarrow) on the driver, and slopsift
itself installed in the Python environment of every executor (see ``docs/spark.md``).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slopsift.inputs import DEFAULT_MAX_DOC_BYTES

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

    from slopsift.scoring import Detector

__all__ = ["DEFAULT_BATCH_SIZE", "RESULT_COLUMNS", "score_dataframe"]

DEFAULT_BATCH_SIZE = 128
"""Texts per ``Detector.score_batch`` call (one classifier call each), as in ``score_many``."""

RESULT_COLUMNS: tuple[str, ...] = ("quality", "flagged", "label", "reasons", "error")
"""The columns ``score_dataframe`` appends, in this order."""

_INSTALL_HINT = "pip install 'slopsift[spark]'"


def _require_engine() -> None:
    """Import what ``mapInPandas`` needs on the driver, or say how to install it."""
    missing = []
    for mod in ("pyspark", "pandas", "pyarrow"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        raise ImportError(
            f"slopsift.integrations.spark needs {', '.join(missing)}: {_INSTALL_HINT} "
            "(and slopsift installed on every executor)"
        )


def _result_schema(input_schema: StructType) -> StructType:
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        DoubleType,
        StringType,
        StructField,
        StructType,
    )

    return StructType(
        [
            *input_schema.fields,
            StructField("quality", DoubleType(), nullable=True),
            StructField("flagged", BooleanType(), nullable=True),
            StructField("label", StringType(), nullable=False),
            StructField("reasons", ArrayType(StringType(), containsNull=False), nullable=False),
            StructField("error", StringType(), nullable=True),
        ]
    )


# --- driver-side checks: fail before the job starts, not in the middle of it ------------------------


def _check_columns(columns: Sequence[str], text_col: str, id_col: str | None) -> None:
    known = ", ".join(repr(c) for c in columns) or "none"
    if text_col not in columns:
        raise ValueError(f"text column {text_col!r} not found; the DataFrame has: {known}")
    if id_col is not None and id_col not in columns:
        raise ValueError(f"id column {id_col!r} not found; the DataFrame has: {known}")
    dupes = sorted({c for c in columns if list(columns).count(c) > 1})
    if dupes:
        raise ValueError(f"duplicate column names {dupes}: rename them before scoring")
    clash = [c for c in RESULT_COLUMNS if c in columns]
    if clash:
        raise ValueError(
            f"the DataFrame already has column(s) {clash}, which score_dataframe adds; "
            "rename or drop them first"
        )


def _warn_if_not_text(df: DataFrame, text_col: str) -> None:
    """Say so up front when no row can be scored: the text column is not a string column."""
    from pyspark.sql.types import StringType

    dtype = df.schema[text_col].dataType
    if not isinstance(dtype, StringType):
        warnings.warn(
            f"text column {text_col!r} has type {dtype.simpleString()}, not string: every row will be "
            f"an error row (cast it first if it holds text, e.g. F.col({text_col!r}).cast('string'))",
            UserWarning,
            stacklevel=3,
        )


def _check_model_and_threshold(model: str | None, threshold: str | float) -> None:
    """Validate the operating point on the driver, from the model's JSON sidecar (no unpickling).

    A user model is checked only if its file is visible to the driver too: it has to exist on the
    executors, not here, and they verify its SHA-256 when they load it."""
    if isinstance(threshold, bool) or not isinstance(threshold, str | int | float):
        raise TypeError(f"threshold must be an operating point name or a number, got {threshold!r}")
    if not isinstance(threshold, str) and not 0.0 < float(threshold) < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    if model is None:
        from slopsift.bundle import bundled_model_path

        path: Path | None = bundled_model_path()
    else:
        path = Path(model) if Path(model).is_file() else None
    if path is not None:
        from slopsift.bundle import ModelIntegrityError, sidecar_path

        side = sidecar_path(path)
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelIntegrityError(
                f"refusing to use {path}: cannot read its metadata file {side.name} (with the SHA-256): {exc}"
            ) from None
        known = meta.get("thresholds") or {}
        if isinstance(threshold, str) and threshold not in known:
            names = ", ".join(sorted(known))
            raise ValueError(f"unknown operating point {threshold!r}; this model has: {names}")


# --- executor side -----------------------------------------------------------------------------------


def _resolve_model(model: str | None) -> str | None:
    """The model path on this executor: as given if it exists here, else (a bare or relative name)
    the copy Spark distributed with ``--files`` / ``SparkContext.addFile``, if there is one."""
    if model is None or Path(model).is_file() or Path(model).is_absolute():
        return model
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(model)
    except Exception:  # not inside Spark, or no file root: keep the path as given
        return model
    return shipped if Path(shipped).is_file() else model


def _get_detector(model: str | None, threshold: str | float) -> Detector:
    """This process's detector for ``(model, threshold)``, loaded on first use and then reused.

    Spark reuses Python workers across tasks (``spark.python.worker.reuse``, on by default), so the
    model is loaded once per worker process (:func:`slopsift.scoring.cached_detector`), not once per
    partition, batch or row; a model file replaced at the same path is loaded anew."""
    from slopsift.scoring import cached_detector

    return cached_detector(_resolve_model(model), threshold)


def _input_error(value: Any, text_col: str, max_doc_bytes: int) -> str | None:
    """Why ``value`` cannot be scored (the CLI's wording where the case is the same), or ``None``.

    Through Arrow a string column arrives as ``str``, with nulls as ``None`` (pandas < 3) or
    ``NaN`` (pandas >= 3); other column types arrive as ``bytes``, numbers (nulls as ``pd.NA``),
    numpy arrays, dicts, timestamps (nulls as ``NaT``), ... Only ``str`` is text."""
    if not isinstance(value, str):
        if _is_null(value):
            return f"field {text_col!r} is null"
        return f"field {text_col!r} is {type(value).__name__}, not a string"
    if len(value) * 4 > max_doc_bytes and len(value.encode("utf-8", "surrogatepass")) > max_doc_bytes:
        return f"document larger than {max_doc_bytes} bytes"
    if not value.strip():
        return "empty text"
    if "\0" in value:
        return "binary text (contains NUL characters)"
    return None


def _is_null(value: Any) -> bool:
    """A Spark null as pandas shows it: ``None``, ``NaN``, ``pd.NA`` (nullable integers), ``NaT``."""
    if value is None:
        return True
    import numpy as np
    import pandas as pd

    na = pd.isna(value)  # an array for array-valued cells, which are never null here
    return isinstance(na, bool | np.bool_) and bool(na)


Verdict = tuple[float | None, bool | None, str, list[str], str | None]
"""``(quality, flagged, label, reasons, error)`` for one row."""


def _error(message: str) -> Verdict:
    return (None, None, "error", [], message)


def _verdicts(det: Detector, texts: list[str]) -> list[Verdict]:
    """Score ``texts`` in one batch; if the batch fails, text by text, so one bad text costs one row."""
    try:
        reports = det.score_batch(texts)
        return [(r.quality, r.flagged, r.label, [x.signal for x in r.reasons], None) for r in reports]
    except Exception:
        pass
    out: list[Verdict] = []
    for t in texts:
        try:
            r = det.score(t)
            out.append((r.quality, r.flagged, r.label, [x.signal for x in r.reasons], None))
        except Exception as exc:
            out.append(_error(f"internal error while scoring: {type(exc).__name__}: {exc}"))
    return out


def _score_pandas(
    pdf: pd.DataFrame,
    text_col: str,
    *,
    model: str | None = None,
    threshold: str | float = "fpr_0.05",
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
) -> pd.DataFrame:
    """``pdf`` with the result columns appended: the per-batch work of :func:`score_dataframe`."""
    det = _get_detector(model, threshold)
    values = pdf[text_col].tolist()
    verdicts: list[Verdict | None] = [None] * len(values)
    todo: list[int] = []
    for i, v in enumerate(values):
        err = _input_error(v, text_col, max_doc_bytes)
        if err is None:
            todo.append(i)
        else:
            verdicts[i] = _error(err)
    for start in range(0, len(todo), batch_size):
        idx = todo[start : start + batch_size]
        for i, verdict in zip(idx, _verdicts(det, [values[i] for i in idx]), strict=True):
            verdicts[i] = verdict
    import pandas as pd

    # object columns: None is null in Arrow as it is (no NaN for a missing quality or flag).
    cols = {
        name: pd.Series([v[k] if v is not None else None for v in verdicts], index=pdf.index, dtype=object)
        for k, name in enumerate(RESULT_COLUMNS)
    }
    return pdf.assign(**cols)


def _score_partition(
    batches: Iterator[pd.DataFrame],
    text_col: str,
    model: str | None,
    threshold: str | float,
    batch_size: int,
    max_doc_bytes: int,
) -> Iterator[pd.DataFrame]:
    """The ``mapInPandas`` function: one output frame per ``batch_size`` rows, so a worker holds
    the reports of one scoring batch at a time, not of a whole Arrow batch (10,000 rows by default)."""
    for pdf in batches:
        for start in range(0, len(pdf), batch_size):
            yield _score_pandas(
                pdf.iloc[start : start + batch_size],
                text_col,
                model=model,
                threshold=threshold,
                batch_size=batch_size,
                max_doc_bytes=max_doc_bytes,
            )


# --- public API --------------------------------------------------------------------------------------


def score_dataframe(
    df: DataFrame,
    text_col: str = "text",
    *,
    id_col: str | None = None,
    threshold: str | float = "fpr_0.05",
    model: str | os.PathLike[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
) -> DataFrame:
    """``df`` with ``quality``, ``flagged``, ``label``, ``reasons`` and ``error`` columns appended.

    Lazy, like any DataFrame transformation: nothing is scored until an action runs. Every input
    row is returned once with its columns unchanged; rows whose text is null, not a string, empty,
    larger than ``max_doc_bytes`` or contains NUL get ``error`` set instead of a score.

    ``text_col``: the column with the text (a string column; any other type gives error rows).
    ``id_col``: optional; checked to exist before the job runs (all columns are kept anyway, so
    join results back on it or on any other key). ``threshold``: an operating point of the model
    (``"fpr_0.05"``, ``"fpr_0.01"``) or a quality in ``(0, 1)``. ``model``: ``None`` for the
    bundled model, or the path of a bundle (``.joblib`` with its ``.json`` sidecar) that exists at
    that path on every executor, or a bare file name shipped to them with both files through
    ``spark-submit --files`` / ``SparkContext.addFile``; each executor checks the SHA-256 before
    loading it. ``batch_size``:
    texts per classifier call. ``max_doc_bytes``: larger texts (UTF-8) are error rows, as in
    ``slopsift score --max-doc-bytes``.
    """
    _require_engine()
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not isinstance(max_doc_bytes, int) or isinstance(max_doc_bytes, bool) or max_doc_bytes < 1:
        raise ValueError(f"max_doc_bytes must be a positive integer, got {max_doc_bytes!r}")
    _check_columns(df.columns, text_col, id_col)
    _warn_if_not_text(df, text_col)
    model_path = None if model is None else os.fspath(model)
    _check_model_and_threshold(model_path, threshold)
    fn = partial(
        _score_partition,
        text_col=text_col,
        model=model_path,
        threshold=threshold,
        batch_size=batch_size,
        max_doc_bytes=max_doc_bytes,
    )
    return df.mapInPandas(fn, _result_schema(df.schema))
