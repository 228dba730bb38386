"""The ``slopsift`` command line: batch scoring, explanations, HTML reports, signals, training.

Exit codes: 0 success; 1 something was flagged and ``--fail-on-flag`` was given; 2 usage or
configuration error (one line on stderr, no traceback), including an input path that does not
exist; 3 some input records could not be read and ``--fail-on-error`` was given (each is an error
row of the output); 4 the output could not be written (disk full, ...); 130 interrupted (Ctrl-C),
with the output written so far complete and valid.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from slopsift._atomic import replacing
from slopsift._version import __version__
from slopsift.cli._output import (
    CsvWriter,
    JsonlWriter,
    Progress,
    Summary,
    TableWriter,
    format_of_name,
    one_line,
    open_output,
    use_colour,
    write_file,
)
from slopsift.inputs import DEFAULT_MAX_DOC_BYTES, FORMATS, InputRecord, ReadOptions, iter_records

__all__ = ["UsageError", "build_parser", "main"]

PROG = "slopsift"
EXIT_OK, EXIT_FLAGGED, EXIT_USAGE, EXIT_INPUT_ERRORS, EXIT_OUTPUT = 0, 1, 2, 3, 4
EXIT_INTERRUPTED, EXIT_PIPE = 130, 141


class UsageError(Exception):
    """Bad arguments or configuration: reported on one line, exit code 2."""


class OutputError(Exception):
    """The output could not be written: reported on one line, exit code 4."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


# --- argument types ---------------------------------------------------------------------------------


def _threshold(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {s!r}") from None
    if not 0.0 < v < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {s}")
    return v


def _int(s: str) -> int:
    try:
        return int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {s!r}") from None


def _positive_int(s: str) -> int:
    v = _int(s)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {s}")
    return v


_OFFSETS_HELP = (
    "evidence offsets index the text scored: a JSONL/CSV record's text field, a file's text after any "
    "byte-order mark, an HTML file's extracted main text (not its source)"
)
"""What CLI evidence offsets refer to (the API's index the string passed in)."""

_JOBS_HELP = "worker processes (default, 0 or -1: all cores)"


def _seed(s: str) -> int:
    v = _int(s)
    if not 0 <= v < 2**32:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**32 - 1, got {s}")
    return v


def _label_spellings() -> str:
    from slopsift.training._labels import LABEL_SPELLINGS

    return LABEL_SPELLINGS


def _jobs(s: str) -> int:
    from slopsift.cli._pipeline import default_jobs

    v = _int(s)
    if v in (0, -1):
        return default_jobs()
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (or 0 or -1 for all cores), got {s}")
    return v


# --- parser -----------------------------------------------------------------------------------------


def _model_options() -> _Parser:
    p = _Parser(add_help=False)
    g = p.add_argument_group("model and operating point")
    g.add_argument(
        "--model", metavar="PATH", help="a model bundle (.joblib with its .json); default: the bundled one"
    )
    op = g.add_mutually_exclusive_group()
    op.add_argument(
        "--fpr",
        choices=("0.01", "0.05"),
        help="flag at the point where this share of human texts is flagged (default 0.05)",
    )
    op.add_argument("--threshold", type=_threshold, metavar="Q", help="flag texts whose quality is below Q")
    return p


def _input_options() -> _Parser:
    p = _Parser(add_help=False)
    g = p.add_argument_group("inputs")
    g.add_argument(
        "--glob",
        action="append",
        default=[],
        metavar="PATTERN",
        help="in directories, only files matching PATTERN: a file name ('*.md') or, with '/', a path "
        "below the directory ('2024/*.txt', '**/drafts/*'); repeatable; default: every non-hidden file",
    )
    g.add_argument(
        "--text-field", default="text", metavar="NAME", help="JSONL/CSV field with the text (default: text)"
    )
    g.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="JSONL/CSV field with the id (default: id; else file:line)",
    )
    g.add_argument(
        "--input-format",
        choices=FORMATS,
        default="auto",
        help="how to read inputs (default: from the file name; .json: JSON Lines, an array of record objects "
        "or one object, sniffed; stdin: as a .json file when it opens with { or [ and all of it is such "
        "records, else one text)",
    )
    g.add_argument(
        "--html-extractor",
        choices=("stdlib", "trafilatura"),
        default="stdlib",
        help="main-text extraction for .html (trafilatura needs: pip install 'slopsift[html]')",
    )
    g.add_argument(
        "--max-doc-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_DOC_BYTES,
        metavar="N",
        help="larger documents are reported as errors, a JSONL line or an element of a JSON array by its id "
        "if the id comes before the text, else as file:line (file[n] for an array element; "
        f"default: {DEFAULT_MAX_DOC_BYTES})",
    )
    g.add_argument(
        "--strict-utf8",
        action="store_true",
        help="report bytes invalid in the input's encoding (UTF-8, or what a BOM or an HTML <meta> charset "
        "declares) as an error instead of scoring the text with replacement characters",
    )
    return p


def _run_options() -> _Parser:
    p = _Parser(add_help=False)
    g = p.add_argument_group("execution")
    g.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes (default, 0 or -1: all cores; 1: no pool)",
    )
    g.add_argument(
        "--chunk-size",
        type=_positive_int,
        default=64,
        metavar="N",
        help="documents per work unit (64); score reading a pipe or a terminal on standard input makes a "
        "unit of what has arrived, so JSON Lines are scored, and their rows written, as they come "
        "(tail -f x.jsonl | slopsift score)",
    )
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no notes")
    return p


def _version_text() -> str:
    model = "no bundled model"
    try:
        from slopsift.bundle import bundled_model_path, sidecar_path

        side = sidecar_path(bundled_model_path())
        if side.is_file():
            model = "model " + str(
                json.loads(side.read_text(encoding="utf-8")).get("model_version", "unknown")
            )
    except Exception:
        pass
    return f"{PROG} {__version__} ({model})"


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    ap = _Parser(
        prog=PROG,
        description="Detect low-quality and machine-generated web text, with the evidence behind each score.",
        epilog="exit codes: 0 ok, 1 flagged (with --fail-on-flag), 2 usage error, 3 unreadable records "
        "(with --fail-on-error), 4 output not written, 130 interrupted",
    )
    ap.add_argument("--version", action="version", version=_version_text())
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    model, inputs, run = _model_options(), _input_options(), _run_options()

    s = sub.add_parser(
        "score",
        parents=[model, inputs, run],
        help="score documents; one output record per input record",
        description="Score every document of the inputs (files, directories, JSONL, JSON, CSV, HTML, gzipped "
        "or not; none or '-': standard input). One record per input, in input order. Directories are "
        "walked in sorted order, hidden files skipped, symlinks followed (a directory reached twice is "
        "walked once).",
    )
    s.add_argument("inputs", nargs="*", metavar="INPUT")
    s.add_argument(
        "-f",
        "--format",
        choices=("jsonl", "csv", "table"),
        help="default with -o: csv for a FILE named .csv or .csv.gz, else jsonl; without: table on a "
        "terminal (jsonl with --explain), else jsonl",
    )
    s.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here instead of standard output ('-': standard output); a FILE named .gz is written "
        "gzip-compressed (out.jsonl.gz, out.csv.gz), flushed so that what is written so far decompresses",
    )
    s.add_argument(
        "--explain",
        action="store_true",
        help="include every signal value and evidence span (jsonl and csv only); " + _OFFSETS_HELP,
    )
    s.add_argument("--fail-on-flag", action="store_true", help="exit with 1 when any document is flagged")
    s.add_argument(
        "--fail-on-error", action="store_true", help="exit with 3 when any record could not be read or scored"
    )
    s.set_defaults(func=cmd_score)

    e = sub.add_parser(
        "explain",
        parents=[model, inputs],
        help="one document: score, reasons and highlighted evidence",
        description="Explain the score of one document: each reason with its value and its percentile "
        "among human texts, and the text with the evidence highlighted per signal family. With -f json, "
        + _OFFSETS_HELP
        + ".",
    )
    e.add_argument("file", metavar="FILE", help="a text/markdown/HTML file ('-': stdin), or a JSONL/CSV file")
    e.add_argument(
        "--record", metavar="ID", help="in a JSONL/CSV file, the record with this id (default: the first)"
    )
    e.add_argument(
        "--all-evidence", action="store_true", help="highlight every signal's evidence, not only the reasons'"
    )
    e.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto", dest="color")
    e.add_argument("-f", "--format", choices=("text", "json"), default="text")
    e.set_defaults(func=cmd_explain)

    r = sub.add_parser(
        "report",
        parents=[model, inputs, run],
        help="a self-contained HTML report for reviewers",
        description="Score the inputs and write one self-contained HTML page: documents worst first (the "
        "judged texts by quality, then those not judged: insufficient_text, unsupported_language), evidence "
        "highlighted per family, a histogram of the judged texts' quality.",
    )
    r.add_argument("inputs", nargs="*", metavar="INPUT")
    r.add_argument(
        "-o",
        "--output",
        default="slopsift-report.html",
        metavar="FILE",
        help="a FILE named .gz is written gzip-compressed ('-': standard output; default: %(default)s)",
    )
    r.add_argument(
        "--limit",
        type=_positive_int,
        default=500,
        metavar="N",
        help="documents listed, worst first (500); the page says how many of the batch it shows",
    )
    r.add_argument("--title", default="slopsift report")
    r.set_defaults(func=cmd_report)

    g = sub.add_parser(
        "signals",
        help="list every signal with its definition and direction",
        description="Every signal slopsift measures: its family, unit, direction (higher is worse, better, "
        "or neutral) and definition.",
    )
    g.add_argument("-f", "--format", choices=("table", "json"), default="table")
    g.add_argument("--family", metavar="NAME", help="only this family")
    g.add_argument("--full", action="store_true", help="whole definitions (default: their first sentence)")
    g.set_defaults(func=cmd_signals)

    t = sub.add_parser(
        "train",
        help="train a model on your labelled JSONL",
        description="Fit and calibrate a model on a JSONL (gzip too) with 'text' and 'label', optional "
        "'group' (texts of one group never straddle fitting and calibration), 'source', 'domain', "
        f"'split_role' (only 'train' records are fitted on), 'generator' (a machine text's model; base "
        "models' continuations of human text train but do not vote on the register signals). Labels, any "
        f"case: {_label_spellings()}. "
        "Texts `slopsift score` would not score (under the word minimum, not English) are left out "
        "and counted. Writes OUT and its .json metadata (with the SHA-256).",
    )
    _add_data(t)
    t.add_argument(
        "-o", "--out", required=True, metavar="OUT.joblib", help="the model; its metadata goes to OUT.json"
    )
    t.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N", help=_JOBS_HELP)
    t.add_argument("--seed", type=_seed, default=0, help="random seed of the split and the trees (>= 0)")
    t.set_defaults(func=cmd_train, model=None)

    v = sub.add_parser(
        "evaluate",
        help="evaluate a model on your labelled JSONL",
        description="Metrics of a model (default: the bundled one) on a labelled JSONL (as for train), "
        "printed as JSON; the texts are scored as `slopsift score` scores them (those it would not "
        "score are counted, not scored). Data with one label gives that label's rates.",
    )
    _add_data(v)
    v.add_argument(
        "--model", metavar="PATH", help="a model bundle (.joblib with its .json); default: the bundled one"
    )
    v.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N", help=_JOBS_HELP)
    v.set_defaults(func=cmd_evaluate, out=None, seed=0)

    _add_prepare(sub, argv)
    return ap


def _add_prepare(sub: Any, argv: Sequence[str]) -> None:
    """``prepare-data`` comes from :mod:`slopsift.training.prepare`, imported only when asked for."""
    wanted = "prepare-data" in argv[:3] or any(a in ("-h", "--help") for a in argv[:1])
    if wanted:
        try:
            from slopsift.training import prepare
        except ImportError:
            prepare = None  # type: ignore[assignment]
        register = getattr(prepare, "register_cli", None)
        if register is not None:
            register(sub)
            parser = sub.choices.get("prepare-data")
            run = parser.get_default("func") if parser is not None else None
            if parser is not None and run is not None:
                parser.set_defaults(func=_data_errors_are_usage_errors(run))
            return
    p = sub.add_parser(
        "prepare-data", help="build the training corpus from the shared data sets", add_help=False
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_prepare_unavailable)


def _data_errors_are_usage_errors(run: Any) -> Any:
    def wrapped(args: argparse.Namespace) -> int:
        return _training_exit(run, args, (FileNotFoundError, NotADirectoryError, ValueError))

    return wrapped


def _training_exit(
    run: Callable[[argparse.Namespace], int], args: argparse.Namespace, usage: tuple[type[BaseException], ...]
) -> int:
    """Run a training-side command: ``usage`` errors (bad data) exit 2, an output that could not be
    written (:class:`~slopsift.training._paths.OutputWriteError`) exits 4."""
    from slopsift.training._paths import OutputWriteError

    try:
        return int(run(args))
    except OutputWriteError as exc:
        raise OutputError(str(exc)) from None
    except usage as exc:
        raise UsageError(str(exc)) from None


def _prepare_unavailable(args: argparse.Namespace) -> int:
    raise UsageError(
        "prepare-data is not available in this installation (slopsift.training.prepare is missing)"
    )


# --- helpers ----------------------------------------------------------------------------------------


def _threshold_of(args: argparse.Namespace) -> str | float:
    if getattr(args, "threshold", None) is not None:
        return float(args.threshold)
    fpr = getattr(args, "fpr", None)
    return f"fpr_{float(fpr):.2f}" if fpr else "fpr_0.05"


def _threshold_name(thr: str | float) -> str:
    if isinstance(thr, str) and thr.startswith("fpr_"):
        return f"the point flagging {float(thr[4:]) * 100:g}% of human texts"
    return "set with --threshold"


def _read_options(
    args: argparse.Namespace, progress: Progress | None = None, output: IO[str] | None = None
) -> ReadOptions:
    """How to read ``args.inputs``; ``output``'s file is never read back from a directory."""
    exclude: frozenset[tuple[int, int]] = frozenset()
    if output is not None:
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            st = os.fstat(output.fileno())
            exclude = frozenset([(st.st_dev, st.st_ino)])
    if args.html_extractor == "trafilatura":
        try:
            import trafilatura  # noqa: F401
        except ImportError:
            raise UsageError("--html-extractor trafilatura needs: pip install 'slopsift[html]'") from None
    return ReadOptions(
        text_field=args.text_field,
        id_field=args.id_field,
        globs=tuple(args.glob),
        input_format=args.input_format,
        html_extractor=args.html_extractor,
        max_doc_bytes=args.max_doc_bytes,
        strict_utf8=args.strict_utf8,
        on_bytes=progress.add_bytes if progress is not None and progress.enabled else None,
        on_note=None if getattr(args, "quiet", False) else _note,
        exclude=exclude,
    )


def _check_inputs(inputs: Sequence[str]) -> None:
    """An input path that does not exist is a usage error: a typo must not pass as a run that
    scored nothing (checked before any output file is created)."""
    for p in inputs:
        if p != "-" and not os.path.lexists(p):
            raise UsageError(f"no such file or directory: {p}")


def _note(msg: str) -> None:
    print(f"{PROG}: note: {msg}", file=sys.stderr)


def _total_bytes(inputs: Sequence[str]) -> int | None:
    """Total size when every input is a regular file (for a percentage); else unknown."""
    total = 0
    for p in inputs:
        if p == "-" or not os.path.isfile(p):
            return None
        total += os.path.getsize(p)
    return total or None


def _load(args: argparse.Namespace, detail: bool) -> Any:
    """The pipeline config, with the detector loaded now so model errors are reported up front."""
    from slopsift.bundle import ModelError
    from slopsift.cli._pipeline import ScoreConfig, load_detector

    cfg = ScoreConfig(args.model, _threshold_of(args), detail)
    try:
        load_detector(cfg.model, cfg.threshold)
    except ModelError as exc:
        hint = " (pass --model PATH)" if cfg.model is None else ""
        raise UsageError(f"{exc}{hint}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return cfg


def _output_record(r: InputRecord, res: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id}
    if r.source is not None:
        out["source"] = r.source
        out["line"] = r.line
    err = r.error if r.error is not None else (res or {}).get("error")
    if err is not None or res is None:
        out.update(quality=None, flagged=None, label="error", reasons=[], error=err or "not scored")
    else:
        out.update(res)
    warning = _record_warning(r)
    if warning is not None:
        out["warning"] = warning
    return out


def _record_warning(r: InputRecord) -> str | None:
    """What a record's row warns of: bytes of invalid UTF-8 replaced, and the reader's note."""
    warnings = [w for w in (_utf8_warning(r.replaced) if r.replaced else None, r.note) if w]
    return "; ".join(warnings) if warnings else None


def _utf8_warning(n: int) -> str:
    return f"invalid UTF-8: {n} byte{'s' if n != 1 else ''} replaced with U+FFFD"


def _count(summary: Summary, rec: dict[str, Any], r: InputRecord) -> None:
    if rec.get("error") is not None:
        summary.errors += 1
    else:
        summary.scored += 1
        summary.flagged += bool(rec.get("flagged"))
    summary.replaced += r.replaced > 0


def _stdout() -> IO[str]:
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):
        # Lone surrogates in ids (from JSON escapes) come out as \udXXX: valid JSON, never a crash.
        with contextlib.suppress(Exception):
            out.reconfigure(encoding="utf-8", errors="backslashreplace")
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _live_stdin(inputs: Sequence[str]) -> bool:
    """Whether standard input is read and can keep the reader waiting (a pipe, a terminal, a socket:
    not a regular file), so that rows are written as records arrive (``score_records(live=True)``).
    It is then read through its descriptor, unbuffered: the reader thread, left waiting at exit,
    must hold no lock of ``sys.stdin`` (its buffer's close at shutdown would abort the process)."""
    if inputs and "-" not in inputs:
        return False
    try:
        return not stat.S_ISREG(os.fstat(sys.stdin.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False  # replaced by an object that has no descriptor (a test's)


def _jobs_of(args: argparse.Namespace) -> int:
    from slopsift.cli._pipeline import default_jobs

    return int(args.jobs) if args.jobs else default_jobs()


# --- commands ---------------------------------------------------------------------------------------


def _stdout_if_dash(args: argparse.Namespace) -> None:
    """``-o -`` is standard output, as ``-`` is standard input (a file named ``-`` is ``./-``)."""
    if args.output == "-":
        args.output = None


def cmd_score(args: argparse.Namespace) -> int:
    from slopsift.cli._pipeline import deferred_sigint, score_records

    _stdout_if_dash(args)
    if args.explain and args.format == "table":
        raise UsageError(
            "--explain needs -f jsonl or -f csv: the table has no room for the details "
            "(for one document: slopsift explain FILE)"
        )
    _check_inputs(args.inputs)
    for p in args.inputs:
        if args.output and p != "-" and os.path.isfile(p) and _same_file(p, args.output):
            raise UsageError(f"output file {args.output} is also an input")
    cfg = _load(args, detail=args.explain)
    if (not args.inputs or "-" in args.inputs) and sys.stdin.isatty() and not args.quiet:
        print(f"{PROG}: reading one document from standard input (end with Ctrl-D)", file=sys.stderr)
    progress = Progress(sys.stderr.isatty() and not args.quiet, total_bytes=_total_bytes(args.inputs))
    fmt = args.format
    if args.output:
        if fmt is None:
            fmt = format_of_name(args.output)
        try:
            stream = open_output(args.output)  # closed in the finally below
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        stream = _stdout()
        if fmt is None:
            fmt = "table" if stream.isatty() and not args.explain else "jsonl"
    opts = _read_options(args, progress, stream if args.output else None)
    live = _live_stdin(args.inputs)
    if live:  # read by the pipeline's reader thread: see _live_stdin
        opts.stdin = open(sys.stdin.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115
    writer: JsonlWriter | CsvWriter | TableWriter
    if fmt == "csv":
        writer = CsvWriter(stream, detail=args.explain)
    elif fmt == "table":
        writer = TableWriter(stream, colour=use_colour(stream) and not args.output)
    else:
        writer = JsonlWriter(stream)
    summary = Summary()
    interrupted = False
    failed: OSError | None = None
    shared_terminal = progress.enabled and stream.isatty()
    try:
        for chunk in score_records(
            iter_records(args.inputs, opts), cfg, jobs=_jobs_of(args), chunk_size=args.chunk_size, live=live
        ):
            if shared_terminal:
                progress.clear()
            with deferred_sigint():  # a record is never cut in half
                try:
                    for r, res in chunk:
                        rec = _output_record(r, res)
                        _count(summary, rec, r)
                        writer.write(rec)
                    stream.flush()
                except BrokenPipeError:
                    raise
                except OSError as exc:  # disk full, quota, I/O error: stop, say so once
                    failed = exc
                    break
            progress.update(summary)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
        try:
            with deferred_sigint():  # a second Ctrl-C must not cut the close (gzip's trailer) short
                for close in (writer.close, stream.close if args.output else None):
                    try:
                        if close is not None:
                            close()  # (the last flush can fail too)
                    except BrokenPipeError:
                        pass
                    except OSError as exc:
                        failed = failed or exc
        except KeyboardInterrupt:
            interrupted = True
    if failed is not None:
        target = args.output or "standard output"
        raise OutputError(f"cannot write {target}: {failed.strerror or failed} ({summary.line()})")
    print(f"{PROG}: {summary.line(interrupted=interrupted)}", file=sys.stderr)
    if interrupted:
        return EXIT_INTERRUPTED
    if args.fail_on_error and summary.errors:
        return EXIT_INPUT_ERRORS
    return EXIT_FLAGGED if args.fail_on_flag and summary.flagged else EXIT_OK


def _families_and_units() -> tuple[list[str], dict[str, str]]:
    from slopsift.features import feature_specs
    from slopsift.signals import FAMILY_ORDER

    return list(FAMILY_ORDER), {name: spec.unit for name, spec in feature_specs()}


def cmd_explain(args: argparse.Namespace) -> int:
    from slopsift.cli._explain import render_explanation
    from slopsift.cli._pipeline import score_texts

    if os.path.isdir(args.file):
        raise UsageError(
            f"{args.file} is a directory: explain takes one file (score or report take directories)"
        )
    cfg = _load(args, detail=True)
    opts = _read_options(args)
    chosen: InputRecord | None = None
    for rec in iter_records([args.file], opts):
        if args.record is None or str(rec.id) == args.record:
            chosen = rec
            break
    if chosen is None:
        raise UsageError(
            f"no record in {args.file}"
            if args.record is None
            else f"no record with id {args.record!r} in {args.file}"
        )
    warning = _record_warning(chosen)
    if chosen.error is not None or chosen.text is None:
        print(f"{PROG}: {one_line(str(chosen.id))}: {chosen.error}", file=sys.stderr)
        return EXIT_USAGE
    res = score_texts([chosen.text], cfg.detail)[0]
    if "error" in res:
        print(f"{PROG}: {one_line(str(chosen.id))}: {res['error']}", file=sys.stderr)
        return EXIT_USAGE
    out = _stdout()
    if args.format == "json":
        out.write(
            json.dumps(
                {"id": chosen.id, **res, **({"warning": warning} if warning else {})}, ensure_ascii=False
            )
        )
        out.write("\n")
        return EXIT_OK
    families, units = _families_and_units()
    out.write(
        render_explanation(
            str(chosen.id),
            res,
            chosen.text,
            families=families,
            units=units,
            threshold_name=_threshold_name(cfg.threshold),
            colour=use_colour(out, args.color),
            all_evidence=args.all_evidence,
            warning=warning,
        )
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from slopsift.cli._pipeline import load_detector, score_records
    from slopsift.report_html import ReportBuilder, ReportDoc

    _stdout_if_dash(args)
    _check_inputs(args.inputs)
    if args.output is not None and Path(args.output).is_dir():
        raise UsageError(f"{args.output} is a directory: name the report file (-o report.html)")
    if args.output is not None and not Path(args.output).resolve().parent.is_dir():
        raise UsageError(f"cannot write {args.output}: no such directory")
    cfg = _load(args, detail=True)
    det = load_detector(cfg.model, cfg.threshold)
    progress = Progress(sys.stderr.isatty() and not args.quiet, total_bytes=_total_bytes(args.inputs))
    opts = _read_options(args, progress)
    builder = ReportBuilder(limit=args.limit, threshold=det.threshold, model_version=det.model_version)
    summary = Summary()
    try:
        for chunk in score_records(
            iter_records(args.inputs, opts), cfg, jobs=_jobs_of(args), chunk_size=args.chunk_size
        ):
            for r, res in chunk:
                rec = _output_record(r, res)
                _count(summary, rec, r)
                if rec.get("error") is not None or res is None or r.text is None:
                    builder.add_error(
                        r.id if r.source is None else f"{r.id} ({r.source}:{r.line})", str(rec["error"])
                    )
                else:
                    builder.add(
                        ReportDoc.from_result(
                            r.id, r.text, res, source=r.source, line=r.line, warning=rec.get("warning")
                        )
                    )
            progress.update(summary)
    except KeyboardInterrupt:
        progress.close()
        print(f"{PROG}: {summary.line(interrupted=True)}; no report written", file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.close()
    page = builder.render(title=args.title)
    if args.output is None:
        try:
            stream = _stdout()
            stream.write(page)
            stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"report not written to standard output: {exc.strerror or exc}") from None
        print(f"{PROG}: {summary.line()}; wrote standard output", file=sys.stderr)
        return EXIT_OK
    out = Path(args.output)
    # Written beside and renamed into place: the report is either complete or absent.
    try:
        with replacing(out) as target:
            write_file(target, page, name=out)
    except OSError as exc:
        raise OutputError(f"report not written to {out}: {exc.strerror or exc}") from None
    print(f"{PROG}: {summary.line()}; wrote {out}", file=sys.stderr)
    return EXIT_OK


def cmd_signals(args: argparse.Namespace) -> int:
    from slopsift.features import feature_specs
    from slopsift.signals import FAMILY_ORDER, families

    fams = [f for f in families() if args.family is None or f.name == args.family]
    if not fams:
        raise UsageError(f"unknown family {args.family!r}; families: {', '.join(FAMILY_ORDER)}")
    out = _stdout()
    if args.format == "json":
        specs = [
            {
                "name": name,
                "family": name.split(".", 1)[0],
                "definition": s.definition,
                "unit": s.unit,
                "direction": s.direction,
            }
            for name, s in feature_specs()
            if args.family is None or name.split(".", 1)[0] == args.family
        ]
        out.write(json.dumps(specs, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    arrow = {"higher_worse": "higher = worse", "higher_better": "higher = better", "neutral": "neutral"}
    n = 0
    for fam in fams:
        head = f"{fam.name}: {fam.description}" if fam.description else fam.name
        out.write(f"{head}\n")
        if not fam.features:
            out.write("  (no signals yet)\n")
        width = max((len(s.name) for s in fam.features), default=0)
        for s in fam.features:
            definition = s.definition if args.full else _first_sentence(s.definition)
            out.write(f"  {fam.name}.{s.name:<{width}}  [{arrow[s.direction]}; {s.unit}]  {definition}\n")
            n += 1
        out.write("\n")
    out.write(f"{n} signals in {len(fams)} families\n")
    return EXIT_OK


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _add_data(p: argparse.ArgumentParser) -> None:
    """DATA as a positional argument or as ``--data`` (the form the README and the model card use)."""
    p.add_argument("data", nargs="?", metavar="DATA", help="labelled JSONL, gzipped or not")
    p.add_argument("--data", dest="data_opt", metavar="DATA", help="the same, as an option")


def _data_of(args: argparse.Namespace) -> str:
    given: list[str] = [d for d in (args.data, args.data_opt) if d is not None]
    if not given:
        raise UsageError("give the labelled JSONL: DATA or --data DATA")
    if len(given) == 2 and given[0] != given[1]:
        raise UsageError(f"DATA given twice: {given[0]!r} and --data {given[1]!r}")
    return given[0]


def _first_sentence(s: str) -> str:
    return _SENTENCE_END.split(s.strip(), maxsplit=1)[0]


def _training_errors() -> tuple[type[BaseException], ...]:
    from slopsift.bundle import ModelError

    return (ValueError, FileNotFoundError, ModelError)


def _run_training(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """``train``/``evaluate``: resolve ``--jobs``, check DATA exists, report data errors as usage
    errors and a model that could not be written as an output error."""
    args.jobs = _jobs_of(args)
    args.data = _data_of(args)
    if os.path.isdir(args.data):
        raise UsageError(f"{args.data} is a directory: pass a JSONL file")
    if not os.path.isfile(args.data):
        raise UsageError(f"no such file: {args.data}")
    return _training_exit(run, args, _training_errors())


def cmd_train(args: argparse.Namespace) -> int:
    from slopsift.training.train import cmd_train as run

    if args.out == "-":  # refused, not written to a file named '-' (which ./- still names)
        raise UsageError(
            "train writes a model file and its .json metadata: name a file (-o model.joblib), "
            "not '-' (standard output)"
        )
    return _run_training(args, run)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from slopsift.training.train import cmd_evaluate as run

    return _run_training(args, run)


# --- entry point ------------------------------------------------------------------------------------


def _one_line(msg: str) -> str:
    return " ".join(msg.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(args_list)
        try:
            args = parser.parse_args(args_list)
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
        if not getattr(args, "func", None):
            raise UsageError(f"missing command (see '{PROG} --help')")
        return int(args.func(args))
    except UsageError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as exc:
        print(f"{PROG}: error: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as grep does.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
