"""``slopsift.integrations.spark.score_dataframe`` on a real local Spark (``local[2]``).

One Spark session for the module (start-up takes seconds). Skipped when pyspark, pandas or pyarrow
is not installed (``pip install 'slopsift[spark]'``) or there is no Java. Spark is kept off the
network: no UI, driver bound to 127.0.0.1. Arrow batches are made tiny (3 rows) so that every
partition goes through several batches.
"""

from __future__ import annotations

import datetime
import decimal
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="pyspark not installed: pip install 'slopsift[spark]'")
pytest.importorskip("pandas", reason="pandas not installed: pip install 'slopsift[spark]'")
pytest.importorskip("pyarrow", reason="pyarrow not installed: pip install 'slopsift[spark]'")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs Java: no `java` on PATH and JAVA_HOME is unset", allow_module_level=True)

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import types as T

import slopsift
from slopsift.bundle import bundled_model_path
from slopsift.integrations import spark as sp

pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

ROOT = Path(__file__).resolve().parent.parent
GERMAN = (
    "Der alte Bahnhof am Rand der Stadt wurde im letzten Sommer renoviert. Die Gemeinde hat lange darüber "
    "gestritten, ob das Gebäude abgerissen werden sollte. Am Ende haben sich die Bürger durchgesetzt, und "
    "jetzt gibt es dort ein kleines Café, eine Bibliothek und einen Raum für Vereine. Jeden Samstag kommen "
    "Familien mit ihren Kindern, um Kuchen zu essen und Bücher auszuleihen. Die Renovierung hat fast zwei "
    "Jahre gedauert, weil das Dach undicht war und die Fenster ersetzt werden mussten. Viele Freiwillige "
    "haben geholfen, die Wände zu streichen und den Garten neu anzulegen."
)


def _texts() -> dict[str, str]:
    """Human, content-farm, learner, short and non-English texts, keyed by a unique id."""
    paths = sorted((ROOT / "tests" / "fixtures").glob("*.md")) + sorted(
        p for p in (ROOT / "examples").iterdir() if p.suffix in (".txt", ".md")
    )
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    texts["short-1"] = "Just a short note to say the meeting moved to Tuesday."
    texts["short-2"] = "Ok."
    texts["german"] = GERMAN
    return texts


TEXTS = _texts()


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "SPARK_LOCAL_IP")}
    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers run this interpreter (slopsift installed)
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = (
        SparkSession.builder.master("local[2]")
        .appName("slopsift-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "3")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _frame(spark: SparkSession, texts: dict[str, str | None], partitions: int = 3) -> Any:
    schema = T.StructType([T.StructField("id", T.StringType()), T.StructField("text", T.StringType())])
    return spark.createDataFrame(list(texts.items()), schema).repartition(partitions)


def _by_id(rows: list[Any]) -> dict[str, Any]:
    out = {r["id"]: r for r in rows}
    assert len(out) == len(rows), "duplicate ids in the output"
    return out


def test_scores_equal_score_many(spark: SparkSession) -> None:
    ids = list(TEXTS)
    expected = dict(zip(ids, slopsift.score_many([TEXTS[i] for i in ids]), strict=True))
    rows = _by_id(sp.score_dataframe(_frame(spark, dict(TEXTS)), "text", id_col="id").collect())
    assert set(rows) == set(ids)
    for i in ids:
        r, e = rows[i], expected[i]
        assert r["quality"] == e.quality, i  # exact: same model, same float
        assert r["flagged"] is e.flagged, i
        assert r["label"] == e.label, i
        assert r["reasons"] == [x.signal for x in e.reasons], i
        assert r["error"] is None, i
        assert r["text"] == TEXTS[i], i
    labels = {r["label"] for r in rows.values()}
    assert {"ok", "low_quality", "insufficient_text", "unsupported_language"} <= labels
    assert any(r["reasons"] for r in rows.values())


def test_output_schema(spark: SparkSession) -> None:
    out = sp.score_dataframe(_frame(spark, {"a": "x"}))
    assert out.columns == ["id", "text", "quality", "flagged", "label", "reasons", "error"]
    types = {f.name: f.dataType for f in out.schema.fields}
    assert types["quality"] == T.DoubleType()
    assert types["flagged"] == T.BooleanType()
    assert types["label"] == T.StringType()
    assert types["reasons"] == T.ArrayType(T.StringType(), containsNull=False)
    assert types["error"] == T.StringType()


def test_rows_keep_their_identity_through_partitions(spark: SparkSession) -> None:
    # 40 rows, each text made distinct, spread over 5 partitions; results joined back by id.
    texts = {f"doc{k:02d}": f"{list(TEXTS.values())[k % len(TEXTS)]}\n\nNote {k}." for k in range(40)}
    expected = dict(zip(texts, slopsift.score_many(list(texts.values())), strict=True))
    src = _frame(spark, dict(texts), partitions=5)
    scored = sp.score_dataframe(src, id_col="id").select("id", "quality", "label")
    joined = src.join(scored, on="id", how="full_outer").collect()
    assert len(joined) == 40
    for r in joined:
        assert r["text"] == texts[r["id"]]
        assert r["quality"] == expected[r["id"]].quality, r["id"]
        assert r["label"] == expected[r["id"]].label, r["id"]


def test_bad_rows_become_error_rows_and_the_job_succeeds(spark: SparkSession) -> None:
    good = TEXTS["short-1"]
    texts: dict[str, str | None] = {
        "null": None,
        "empty": "",
        "blank": " \n\t ",
        "nul": "some text\0more text",
        "huge": "word " * 300,
        "good": good,
    }
    rows = _by_id(sp.score_dataframe(_frame(spark, texts), id_col="id", max_doc_bytes=1000).collect())
    assert set(rows) == set(texts)
    for i in ("null", "empty", "blank", "nul", "huge"):
        r = rows[i]
        assert r["quality"] is None and r["flagged"] is None, i
        assert r["label"] == "error" and r["reasons"] == [], i
        assert r["error"], i
    assert "null" in rows["null"]["error"]
    assert rows["empty"]["error"] == rows["blank"]["error"] == "empty text"
    assert "NUL" in rows["nul"]["error"]
    assert "larger than 1000 bytes" in rows["huge"]["error"]
    assert rows["good"]["error"] is None
    assert rows["good"]["quality"] == slopsift.score_many([good])[0].quality


def test_non_string_text_column_gives_error_rows(spark: SparkSession) -> None:
    schema = T.StructType(
        [
            T.StructField("id", T.StringType()),
            T.StructField("n", T.LongType()),
            T.StructField("b", T.BinaryType()),
        ]
    )
    df = spark.createDataFrame([("a", 7, b"bytes"), ("b", None, None)], schema)
    with pytest.warns(UserWarning, match="text column 'n' has type bigint, not string"):
        scored = sp.score_dataframe(df, "n")
    by_n = _by_id(scored.collect())
    assert by_n["a"]["error"] == "field 'n' is int, not a string"
    assert by_n["b"]["error"] == "field 'n' is null"
    with pytest.warns(UserWarning, match="has type binary"):
        by_b = _by_id(sp.score_dataframe(df, "b").collect())
    assert by_b["a"]["error"] == "field 'b' is bytes, not a string"
    assert by_b["b"]["error"] == "field 'b' is null"
    assert all(r["quality"] is None for r in [*by_n.values(), *by_b.values()])


def test_other_columns_pass_through_unchanged(spark: SparkSession) -> None:
    schema = T.StructType(
        [
            T.StructField("id", T.LongType(), nullable=False),
            T.StructField("i", T.IntegerType()),
            T.StructField("ts", T.TimestampType()),
            T.StructField("d", T.DateType()),
            T.StructField("dec", T.DecimalType(10, 2)),
            T.StructField("arr", T.ArrayType(T.StringType())),
            T.StructField("st", T.StructType([T.StructField("a", T.IntegerType())])),
            T.StructField("m", T.MapType(T.StringType(), T.IntegerType())),
            T.StructField("text", T.StringType()),
        ]
    )
    data = [
        (1, None, datetime.datetime(2020, 1, 1, 12), datetime.date(2020, 1, 2), decimal.Decimal("1.25"), ["a", None], (3,), {"k": 1}, TEXTS["german"]),  # noqa: E501
        (2, 5, None, None, None, None, None, None, None),
        (3, -1, datetime.datetime(1999, 12, 31), None, decimal.Decimal("-0.01"), [], (None,), {}, "Ok."),
    ]  # fmt: skip
    df = spark.createDataFrame(data, schema)
    out = sp.score_dataframe(df)
    assert out.schema.fields[: len(schema.fields)] == schema.fields
    before = {r["id"]: tuple(r) for r in df.collect()}
    after = {r["id"]: tuple(r)[: len(schema.fields)] for r in out.collect()}
    assert after == before


def test_threshold_is_respected(spark: SparkSession) -> None:
    ids = list(TEXTS)
    texts = [TEXTS[i] for i in ids]
    default = {i: r.flagged for i, r in zip(ids, slopsift.score_many(texts), strict=True)}
    for threshold in (0.95, "fpr_0.01"):
        expected = {
            i: r.flagged for i, r in zip(ids, slopsift.score_many(texts, threshold=threshold), strict=True)
        }
        rows = sp.score_dataframe(_frame(spark, dict(TEXTS)), threshold=threshold).collect()
        assert {r["id"]: r["flagged"] for r in rows} == expected, threshold
        if threshold == 0.95:  # the chosen point must change something, or this test proves nothing
            assert expected != default


def test_user_model_path_is_loaded_and_verified(spark: SparkSession, tmp_path: Path) -> None:
    src = bundled_model_path()
    model = tmp_path / "copy.joblib"
    shutil.copyfile(src, model)
    shutil.copyfile(src.with_suffix(".json"), model.with_suffix(".json"))
    texts = {"farm": TEXTS["content_farm.md"], "human": TEXTS["human_article.md"]}
    expected = dict(zip(texts, slopsift.score_many(list(texts.values()), model=str(model)), strict=True))
    rows = _by_id(sp.score_dataframe(_frame(spark, dict(texts)), model=model).collect())
    assert {i: r["quality"] for i, r in rows.items()} == {i: e.quality for i, e in expected.items()}

    # Shipped to the executors with addFile (spark-submit --files) and named by its bare file name,
    # which does not exist in the workers' working directory: found through SparkFiles.
    shipped = tmp_path / f"shipped-{os.getpid()}-{id(tmp_path)}.joblib"
    shutil.copyfile(src, shipped)
    shutil.copyfile(src.with_suffix(".json"), shipped.with_suffix(".json"))
    spark.sparkContext.addFile(str(shipped))
    spark.sparkContext.addFile(str(shipped.with_suffix(".json")))
    assert not Path(shipped.name).exists()
    rows = _by_id(sp.score_dataframe(_frame(spark, dict(texts)), model=shipped.name).collect())
    assert {i: r["quality"] for i, r in rows.items()} == {i: e.quality for i, e in expected.items()}

    # A copy changed after its digest was recorded (a new path: workers cache models by path).
    tampered = tmp_path / "tampered.joblib"
    tampered.write_bytes(model.read_bytes() + b"\0")
    shutil.copyfile(src.with_suffix(".json"), tampered.with_suffix(".json"))
    with pytest.raises(Exception, match="SHA-256"):
        sp.score_dataframe(_frame(spark, dict(texts)), model=str(tampered)).collect()


def test_configuration_errors_fail_before_the_job(spark: SparkSession, tmp_path: Path) -> None:
    df = _frame(spark, {"a": "some text"})
    with pytest.raises(ValueError, match="text column 'body' not found; the DataFrame has: 'id', 'text'"):
        sp.score_dataframe(df, "body")
    with pytest.raises(ValueError, match="id column 'doc_id' not found"):
        sp.score_dataframe(df, id_col="doc_id")
    with pytest.raises(ValueError, match="already has column"):
        sp.score_dataframe(df.withColumnRenamed("id", "quality"))
    with pytest.raises(ValueError, match=r"unknown operating point 'fpr_0\.5'"):
        sp.score_dataframe(df, threshold="fpr_0.5")
    with pytest.raises(ValueError, match=r"threshold must be in \(0, 1\)"):
        sp.score_dataframe(df, threshold=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        sp.score_dataframe(df, batch_size=0)
    lonely = tmp_path / "no-sidecar.joblib"
    lonely.write_bytes(b"not a model")
    with pytest.raises(slopsift.bundle.ModelIntegrityError, match="metadata"):
        sp.score_dataframe(df, model=lonely)


def test_detector_is_loaded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The partition function reuses one detector across batches and calls (no Spark needed)."""
    import slopsift.scoring

    made: list[tuple[Any, Any]] = []
    real = slopsift.scoring.Detector

    def counting(model: Any = None, threshold: Any = "fpr_0.05") -> Any:
        made.append((model, threshold))
        return real(model, threshold)

    monkeypatch.setattr(slopsift.scoring, "Detector", counting)
    monkeypatch.setattr(slopsift.scoring, "_detectors", {})
    frames = [pd.DataFrame({"text": [TEXTS["german"], None, "Ok."]}) for _ in range(3)]
    for _ in range(2):
        out = list(sp._score_partition(iter(frames), "text", None, "fpr_0.05", 2, 1000))
        assert sum(len(f) for f in out) == 9
    assert made == [(None, "fpr_0.05")]
    list(sp._score_partition(iter(frames[:1]), "text", None, 0.5, 2, 1000))
    assert made == [(None, "fpr_0.05"), (None, 0.5)]
