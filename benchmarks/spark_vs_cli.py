"""``slopsift score --jobs 2`` against Spark ``local[2]`` + ``score_dataframe`` on the same JSONL.

    python benchmarks/spark_vs_cli.py                 # 20,000 documents (takes a while on 2 cores)
    python benchmarks/spark_vs_cli.py --docs 500      # smoke run

The input is built deterministically from the bench corpus (``build/bench_corpus.jsonl``, made by
``benchmarks/corpus.py`` if missing): document ``k`` is corpus document ``k mod 2,020``, so 20,000
documents are the corpus about ten times over (slopsift caches nothing per text, so repeats cost
the same). Both sides read that file and write their results to a file (the CLI's JSONL; Spark's
JSON part files with ``id`` and the result columns), wall-clock timed. Spark is timed twice: the
job alone (read, score, write) and with the session start (JVM launch) added, which is what a
one-off run pays. Then every document's quality (rounded to 6 decimals as the CLI writes it),
flag, label and reasons are compared between the two; the script exits 1 on any disagreement.

Wall-clock on a shared machine: the load average before and after each run is printed beside the
figures. Needs ``pip install 'slopsift[spark]'`` and Java 17+.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _bench import (  # one OpenMP/BLAS thread per process (inherited by the CLI and Spark workers)
    BUILD,
    load_corpus,
    machine,
    markdown_table,
)
from cli_memory import model_path


def write_input(path: Path, n_docs: int) -> tuple[int, str]:
    """Write ``n_docs`` JSONL ``{"id", "text"}`` records cycling through the bench corpus; returns
    (bytes written, a description)."""
    corpus = load_corpus()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for k in range(n_docs):
            d = corpus[k % len(corpus)]
            f.write(json.dumps({"id": f"{k:06d}/{d['id']}", "text": d["text"]}, ensure_ascii=False) + "\n")
    size = path.stat().st_size
    copies = f"{n_docs / len(corpus):.1f}x the {len(corpus):,}-document bench corpus"
    return size, f"{n_docs:,} documents ({copies}), {size / 1e6:.1f} MB"


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) of every live descendant of ``root``, plus what their reaped
    children used (``cutime``/``cstime``): the JVM and its Python workers. Linux ``/proc`` only."""
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        pid = int(entry)
        parent[pid] = int(fields[1])
        ticks[pid] = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    total, todo = 0, [p for p, pp in parent.items() if pp == root]
    while todo:
        p = todo.pop()
        total += ticks.get(p, 0)
        todo.extend(c for c, pp in parent.items() if pp == p)
    return total / os.sysconf("SC_CLK_TCK")


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min) / {five:.2f} (5 min)"


def run_cli(corpus: Path, out: Path, model: str, jobs: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "slopsift", "score", "--model", model, "-j", str(jobs), "-q"]
    cmd += ["-o", str(out), str(corpus)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = load_note()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"slopsift score failed ({proc.returncode}): {proc.stderr.decode()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load_before": load_before, "load_after": load_note()}


def run_spark(corpus: Path, out: Path, model: str, cores: int, split_bytes: int) -> dict[str, Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this interpreter
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    load_before = load_note()
    t0, c0 = time.perf_counter(), time.process_time()
    from pyspark.sql import SparkSession

    from slopsift.integrations.spark import score_dataframe

    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("slopsift-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.files.maxPartitionBytes", f"{split_bytes}b")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    t1, cpu1 = time.perf_counter(), time.process_time() - c0 + tree_cpu_s(os.getpid())
    try:
        df = spark.read.schema("id STRING, text STRING").json(str(corpus))
        partitions = df.rdd.getNumPartitions()
        scored = score_dataframe(df, "text", id_col="id", model=model).drop("text")
        scored.write.mode("overwrite").json(str(out))
        t2, cpu2 = time.perf_counter(), time.process_time() - c0 + tree_cpu_s(os.getpid())
    finally:
        spark.stop()
    return {
        "session_start_s": t1 - t0,
        "job_s": t2 - t1,
        "total_s": t2 - t0,
        "session_start_cpu_s": cpu1,
        "job_cpu_s": cpu2 - cpu1,
        "total_cpu_s": cpu2,
        "partitions": partitions,
        "load_before": load_before,
        "load_after": load_note(),
    }


def _read_jsonl(paths: list[Path]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in paths:
        with p.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    out[str(rec["id"])] = rec
    return out


def compare(cli_out: Path, spark_out: Path, n_docs: int) -> list[str]:
    """Every disagreement between the two outputs (empty when they agree on every document)."""
    cli = _read_jsonl([cli_out])
    spark = _read_jsonl(sorted(spark_out.glob("part-*.json")))
    problems = []
    if len(cli) != n_docs or len(spark) != n_docs:
        problems.append(f"record counts: CLI {len(cli)}, Spark {len(spark)}, expected {n_docs}")
    for i in sorted(set(cli) | set(spark)):
        c, s = cli.get(i), spark.get(i)
        if c is None or s is None:
            problems.append(f"{i}: only in {'Spark' if c is None else 'the CLI'}")
            continue
        if c.get("error") or s.get("error"):
            problems.append(f"{i}: error CLI {c.get('error')!r}, Spark {s.get('error')!r}")
            continue
        sq = s.get("quality")
        if not isinstance(sq, float) or round(sq, 6) != c["quality"]:
            problems.append(f"{i}: quality CLI {c['quality']!r}, Spark {sq!r}")
        for key in ("flagged", "label", "reasons"):
            if c[key] != s.get(key):
                problems.append(f"{i}: {key} CLI {c[key]!r}, Spark {s.get(key)!r}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20_000, help="documents (default 20,000)")
    ap.add_argument("--cores", type=int, default=2, help="slopsift --jobs N and Spark local[N] (default 2)")
    ap.add_argument(
        "--tasks-per-core",
        type=int,
        default=4,
        help="input splits per core, so no core idles at the end of the job (default 4)",
    )
    ap.add_argument("--model", help="model bundle (default: the shipped one)")
    args = ap.parse_args()

    model = model_path(args.model)
    work = BUILD / "spark_vs_cli"
    corpus = work / f"input-{args.docs}.jsonl"
    nbytes, what = write_input(corpus, args.docs)
    cli_out, spark_out = work / "cli.jsonl", work / "spark-out"
    print(f"{machine()}; {what}", flush=True)

    cli = run_cli(corpus, cli_out, model, args.cores)
    print(f"CLI done in {cli['wall_s']:.1f} s ({cli['load_before']} -> {cli['load_after']})", flush=True)
    split_bytes = max(64 * 1024, -(-nbytes // (args.tasks_per_core * args.cores)))
    spark = run_spark(corpus, spark_out, model, args.cores, split_bytes)
    print(f"Spark done in {spark['total_s']:.1f} s ({spark['load_before']} -> {spark['load_after']})")
    problems = compare(cli_out, spark_out, args.docs)

    n, cores = args.docs, args.cores

    def row(name: str, wall: float, cpu: float, docs: int | None = n) -> list[str]:
        if docs is None:
            return [name, f"{wall:.1f}", "", f"{cpu:.1f}", "", "", "", ""]
        return [
            name,
            f"{wall:.1f}",
            f"{docs / wall:,.0f}",
            f"{cpu:.1f}",
            f"{docs / cpu:,.0f}",
            f"{cpu / docs * 1e6 / 3600:.2f}",
            f"{wall / cli['wall_s']:.2f}x",
            f"{cpu / cli['cpu_s']:.2f}x",
        ]

    local = f"Spark `local[{cores}]`"
    rows = [
        row(
            f"`slopsift score --jobs {cores}` (start, model load, read, score, write)",
            cli["wall_s"],
            cli["cpu_s"],
        ),
        row(f"{local}: session start (JVM)", spark["session_start_s"], spark["session_start_cpu_s"], None),
        row(f"{local}: job (read JSON, `score_dataframe`, write JSON)", spark["job_s"], spark["job_cpu_s"]),
        row(f"{local}: session start + job", spark["total_s"], spark["total_cpu_s"]),
    ]
    print()
    print(f"{what}; Spark: {spark['partitions']} input partitions of <= {split_bytes / 1e6:.1f} MB")
    header = [
        "run",
        "wall s",
        "docs/s",
        "CPU s",
        "docs per CPU-s",
        "core-h / M docs",
        "wall vs CLI",
        "CPU vs CLI",
    ]
    print(markdown_table(header, rows))
    print(
        "\nCPU = user + system seconds of every process involved (CLI and its workers; driver, JVM and "
        "Python workers): on a shared machine the stable measure of the work; core-hours per million "
        "documents = CPU s / docs x 10^6 / 3600."
    )
    if problems:
        print(f"\nDISAGREEMENT on {len(problems)} item(s); first ones:", *problems[:10], sep="\n  ")
    else:
        print(f"\nagreement: all {n:,} documents have the same quality (6 decimals), flag, label and reasons")
    result = {"docs": n, "bytes": nbytes, "cores": cores, "machine": machine(), "cli": cli, "spark": spark}
    result["disagreements"] = len(problems)
    (BUILD / "bench_spark_vs_cli.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
