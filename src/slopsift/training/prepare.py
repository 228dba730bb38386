"""Build the labelled training corpus from the shared data sets, with their traps defused.

Each data set under ``shared/data/<folder>`` gets one loader that yields :class:`Record` objects with
the raw text; so does the one that ships in the package (:mod:`slopsift.training.chat_pairs`, machine
counterparts of human training texts by a current chat model, cleaned by their seed's source rules).
:func:`build_corpus` then, for every record and identically for both labels:

1. folds encoding damage and typography (:func:`fold_text`), so curly quotes cannot mean "machine";
2. drops whole-text refusals and strips leading chat preambles (:mod:`slopsift.preamble`), keeping the
   preamble in ``meta["preamble"]``;
3. applies :func:`clean_text`: the per-source rules, each defeating a documented trap (see
   ``_SOURCE_RULES`` and the rule functions below);
4. drops non-English and short (< 50 words) texts;
5. removes exact duplicates (lower-cased, whitespace-collapsed) across all folders, merging the
   groups of the copies (union-find) so that pairs stay together;
6. groups DetectRL's attack variants with the text they were derived from (TF-IDF near-duplicates)
   and infers the domain of DetectRL machine texts, which the benchmark files do not record.

Groups (``Record.group``) must never be split between train and test. Roles: ``train`` may fit the
shipped model; ``check`` sets only measure (herbold, ellipse, wi-learner, the chat-2026 pairs: never train);
``robustness`` are attacked machine texts (DetectRL prompt/paraphrase/perturbation attacks, OUTFOX
adversarial and DIPPER texts), reported separately.

Run: ``python -m slopsift.training.prepare --data-dir ../shared/data --out build/corpus.jsonl.gz``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import itertools
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal, cast

from slopsift._atomic import replacing
from slopsift.normalize import normalise
from slopsift.preamble import is_refusal, strip_preamble
from slopsift.training import chat_pairs
from slopsift.training._paths import OutputWriteError, check_output_path

__all__ = [
    "LOADERS",
    "MIN_WORDS",
    "PACKAGED_SOURCES",
    "BuildStats",
    "Record",
    "build_corpus",
    "clean_text",
    "dedupe",
    "default_data_dir",
    "fold_text",
    "main",
    "read_jsonl",
    "register_cli",
    "summarise",
    "write_jsonl",
]

Label = Literal["human", "machine"]
Role = Literal["train", "check", "robustness"]
MIN_WORDS = 50
ENV_DATA_DIR = "SLOPSIFT_DATA_DIR"
DEFAULT_OUT = Path("build/corpus.jsonl.gz")
# Duplicates that disagree on role keep the most restrictive one: a text that is also in a check-only
# set must not reach training through its other copy.
_ROLE_RANK: dict[str, int] = {"train": 0, "robustness": 1, "check": 2}


@dataclass(frozen=True)
class Record:
    """One labelled text. ``group``: records sharing it must stay in the same split.

    ``meta`` is a plain ``dict[str, str]`` (JSON-friendly); records are therefore not hashable.
    """

    text: str
    label: Label
    source: str
    generator: str
    domain: str
    group: str
    split_role: Role
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class BuildStats:
    """Counts of what :func:`build_corpus` removed or changed, keyed ``"source/label"``."""

    loaded: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    preambles: Counter[str] = field(default_factory=Counter)
    short: Counter[str] = field(default_factory=Counter)
    non_english: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    near_duplicates: Counter[str] = field(default_factory=Counter)
    label_conflicts: int = 0

    def as_dict(self) -> dict[str, Any]:
        def total(c: Counter[str]) -> dict[str, Any]:
            return {"total": sum(c.values()), **dict(sorted(c.items()))}

        return {
            "loaded": total(self.loaded),
            "dropped_refusals": total(self.refusals),
            "preambles_stripped": total(self.preambles),
            "dropped_short": total(self.short),
            "dropped_non_english": total(self.non_english),
            "dropped_duplicates": total(self.duplicates),
            "dropped_near_duplicates": total(self.near_duplicates),
            "duplicate_label_conflicts": self.label_conflicts,
        }


# --------------------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------------------

# cp1252 punctuation that survived as C1 control characters (OUTFOX student essays: \x92, \x93 ...),
# and the acute accent used as an apostrophe on some keyboards (W&I: "it´s").
_C1_TABLE = str.maketrans(
    {
        "\x85": "...",
        "\x91": "'",
        "\x92": "'",
        "\x93": '"',
        "\x94": '"',
        "\x96": "-",
        "\x97": "-",
        "\xa0": " ",
    }
)
_ACUTE_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\u00b4(?=[A-Za-z])")
# UTF-8 bytes read as cp1252/latin-1 ("didnâ\x80\x99t", "Ã©"): a lead byte 0xC2-0xF4 then continuations.
_CP1252_CONT = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
_CP1252_CONT += "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CP1252_CONT}]{{1,3}}")


def _unmojibake(m: re.Match[str]) -> str:
    run = m.group()
    for enc in ("cp1252", "latin-1"):
        try:
            return run.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return run


def fold_text(text: str) -> str:
    """Repair encoding damage, then apply slopsift's own normaliser (NFKC, typography, invisibles).

    Uses :func:`slopsift.normalize.normalise`, so training text looks exactly like what the features
    see at inference. Line endings become LF; trailing spaces on lines are dropped.
    """
    if not text.isascii():
        text = _MOJIBAKE.sub(_unmojibake, text)
        text = _ACUTE_APOSTROPHE.sub("'", text.translate(_C1_TABLE))
    text = normalise(text).text
    return re.sub(r"[ \t]+\n", "\n", text.replace("\t", " "))


# -- anonymisation tokens and template placeholders (essay sets; harmless elsewhere) --------------
# Trap: only student essays carry PERSUADE/ELLIPSE anonymisation tokens and only LLM essays carry
# "[Your Name]" templates. Both become the same realistic values; lines made only of them go.
_ANON_TOKENS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:Generic_Name|PROPER_NAME|STUDENT_NAME|RELATIVE_NAME)(?=s?\b|is\b)s?"), "Alex"),
    (re.compile(r"\bTEACHER_NAME\b"), "Mr. Smith"),
    (re.compile(r"\b(?:Generic_School|Genereic_School|SCHOOL_NAME)s?\b"), "Lincoln School"),
    (re.compile(r"\b(?:Generic_City|LOCATION_NAME|ADDRESS_NAME)\b"), "Springfield"),
    (re.compile(r"\bPHONE_NUMBER\b"), "555-0100"),
)
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Za-z'./&, -]{0,40})\]")
_PLACEHOLDER_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b(?:e-?mail|phone|contact|twitter|instagram|website)\b"), ""),
    (re.compile(r"(?i)\bdate\b"), "May 5"),
    (re.compile(r"(?i)\bschool\b"), "Lincoln School"),
    (re.compile(r"(?i)\b(?:city|town|location|state|country|zip|address|park)\b"), "Springfield"),
    (re.compile(r"(?i)\bname\b"), "Alex"),
)
_ANON_LINE = re.compile(
    r"(?m)^[ \t]*(?:(?:\[[A-Z][A-Za-z'./&, -]{0,40}\]|Generic_Name|PROPER_NAME|STUDENT_NAME|TEACHER_NAME"
    r"|Generic_School|SCHOOL_NAME|Generic_City|LOCATION_NAME)[ \t,.]*)+\n"
)


def _placeholder_value(inner: str) -> str | None:
    for rx, value in _PLACEHOLDER_VALUES:
        if rx.search(inner):
            return value
    return None


def _replace_placeholder(m: re.Match[str]) -> str:
    value = _placeholder_value(m.group(1))
    return m.group() if value is None else value


def _remove_anon_line(m: re.Match[str]) -> str:
    # Keep a line holding a bracketed term that is not a template placeholder ("[Test]" in code).
    inner = [b for b in re.findall(r"\[([^\]]*)\]", m.group())]
    return m.group() if any(_placeholder_value(b) is None for b in inner) else ""


def _anonymisation(text: str) -> str:
    if "[" not in text and "_" not in text:
        return text
    text = _ANON_LINE.sub(_remove_anon_line, text + "\n")[:-1] if text else text
    for rx, value in _ANON_TOKENS:
        text = rx.sub(value, text)
    return _PLACEHOLDER.sub(_replace_placeholder, text)


# -- essays -----------------------------------------------------------------------------------------
# Trap: 74% of kaggle gpt-3.5 essays (and many gpt-4 ones) open with a bare title line; students never
# do. A first line of <= 12 words without end punctuation, followed by more text, is dropped.
_BARE_TITLE = re.compile(r"\A[ \t]*(?:#{1,3}[ \t]+)?[^\n]{1,120}?(?<![.!?:;,])[ \t]*\n(?=\s*\S)")


def _drop_bare_title(text: str) -> str:
    m = _BARE_TITLE.match(text)
    if m and len(m.group().split()) <= 12:
        return text[m.end() :]
    return text


# -- DetectRL and other flattened sources ----------------------------------------------------------
# Trap: DetectRL removed newlines, leaving "nn" debris from "\n\n" on the human Yelp side
# ("Ermahgerd. nnSecond") and sentences glued at the old line break ("ago.An").
_NN_DEBRIS = re.compile(
    r"(?<![^\s.!?\"')\]])(?:n{1,2}(?=\s*[A-Z0-9\"(])|nn(?=[a-z]))"  # " nnSecond", "nnfor"
    r"|(?<=[a-z]{3})nn(?=\s+[A-Z][a-z])"  # "foodnn The"
)
_SENTENCE_GLUE = re.compile(r"((?:[a-z]{2}|[0-9%])[.!?][\"')\]]?)(?=[A-Z][a-z]|I\s)")
# arXiv abstracts lost their hard line breaks without a space: "theHiggsino", "starsPG 1618".
_CAMEL_GLUE = re.compile(r"([a-z]{2})(?=[A-Z])")


# WritingPrompts (DetectRL human stories, 70%) is tokenised Reddit text: "There' s", "do' t", '" Hi, "
# she said', "( like this )", "word ,". Undone on both labels; markdown *emphasis* marks go too.
_TOK_CONTRACTION = re.compile(r"(\w) ?' (s|re|ve|ll|d|m)\b")
_TOK_NT = re.compile(r"(\w) ?(?:n ?' ?t|' t)\b")
_TOK_SPACE_PUNCT = re.compile(r"([\w\"')\]]) +([,.;:!?]+)(?=\s|$|[\"')\]])")
_TOK_PARENS = re.compile(r"([(\[]) +| +([)\]])")
_TOK_QUOTES = re.compile(r'(?:^|\s)" \w|\w "(?:\s|$)')
_EMPHASIS = re.compile(r"(?<![\w*])\*{1,3}(?=[^\s*])|(?<=[^\s*])\*{1,3}(?![\w*])")


def _fix_quote_spacing(text: str) -> str:
    """Pair straight double quotes in order; drop spaces just inside each pair (tokenised text only)."""
    if not _TOK_QUOTES.search(text):
        return text
    parts = text.split('"')
    for k in range(1, len(parts)):
        if k % 2 == 1:  # the quote before parts[k] opens
            parts[k] = parts[k].lstrip(" ")
        else:  # the quote before parts[k] closes
            parts[k - 1] = parts[k - 1].rstrip(" ")
    return '"'.join(parts)


def _emphasis(text: str) -> str:
    return _EMPHASIS.sub("", text)


def _detokenise(text: str) -> str:
    text = _EMPHASIS.sub("", text)
    text = _TOK_NT.sub(r"\1n't", text)
    text = _TOK_CONTRACTION.sub(r"\1'\2", text)
    text = _TOK_PARENS.sub(lambda m: m.group(1) or m.group(2), text)
    return _TOK_SPACE_PUNCT.sub(r"\1\2", _fix_quote_spacing(text))


def _detectrl_debris(text: str) -> str:
    text = _NN_DEBRIS.sub(" ", text)
    return _CAMEL_GLUE.sub(r"\1 ", text)


_GLUE_CANDIDATE = re.compile(r"[.!?][\"')\]]?[A-Z]")


def _sentence_glue(text: str) -> str:
    return _SENTENCE_GLUE.sub(r"\1 ", text) if _GLUE_CANDIDATE.search(text) else text


# -- LLMFake ----------------------------------------------------------------------------------------
# Trap: 84% of CoAID human texts open with the scraped headline in quotes ('"6 best oils for the flu"
# influenza is ...'); the rewrites rarely do. A leading quoted span of <= 25 words is dropped.
_QUOTED_HEADLINE = re.compile(r'\A\s*"([^"\n]{1,250})"\s+(?=\S)')


def _drop_quoted_headline(text: str) -> str:
    m = _QUOTED_HEADLINE.match(text)
    if m and len(m.group(1).split()) <= 25:
        return text[m.end() :]
    return text


# -- HC3 --------------------------------------------------------------------------------------------
# Traps: open_qa human answers are tokenised Wikipedia ("Kolb , Oliveros 's"); finance ChatGPT answers
# glue sentences ("stocks.Small"); medicine human answers open with clinic greetings and close with
# sign-offs, ChatGPT ones with "I'm sorry to hear that ..." and "I hope this helps".
_SPACE_BEFORE_PUNCT = re.compile(r"(\w) +(?=[,.;:!?)](?:\s|$)|'s\b|n't\b)")
_SPACE_AFTER_PAREN = re.compile(r"\( +")
_MED_OPENERS = re.compile(
    r"(?:"
    r"(?:Hi+|Hello|Hey|HI|Dear|Greetings|Good (?:morning|afternoon|evening))\b"
    r"(?:[ ,]*(?:and|there|dear|friend|sir|madam|ma'am|mam|user|doctor))*[ \t]*[,.!]*"
    r"|(?:and )?[Ww]elcome (?:to|at|on)\b(?:[^.!?\n]{0,80}?[.!]+|[^.!?\n]{0,60}?(?=I |[A-Z][a-z]))"
    r"|(?:Thanks?|Thank you)\b[^.!?\n]{0,80}?"
    r"\b(?:query|queries|question|asking|posting|contact|writing|trust|using|choosing)\b"
    r"(?:[^.!?\n]{0,60}?[.!]+|[^.!?\n]{0,60}?(?=[A-Z][a-z]))"
    r"|(?:I|We) (?:have |had )?"
    r"(?:gone|went|read|reviewed|carefully read|read carefully|understand|can understand|truly understand"
    r"|passed)\b"
    r"[^.!?\n]{0,80}?\b(?:query|question|concerns?|details|history|case|through)\b"
    r"(?:[^.!?\n]{0,60}?[.!]+|[^.!?\n]{0,60}?(?=[A-Z][a-z]))"
    r"|Understanding your concerns?[.!,]*"
    r"|I'm sorry to hear (?:that|about)\b[^.!?\n]{0,250}[.!]"
    r")\s*"
)
_MED_CLOSER = re.compile(
    r"(?:(?<=[.!?\s])|^)(?:[Hh]ope|I hope|[Ww]ish(?:ing)? you|[Tt]ake care"
    r"|(?:Best |Warm |Thanks (?:and|&) )?[Rr]egards|[Gg]ood luck|[Hh]ave a (?:nice|good|great) day"
    r"|Revert back|Feel free|Get well|For (?:further|more) (?:queries|information|doubts|details)"
    r"|Dr\.|Chat ?Doctor|Any further|In case of (?:any )?(?:further )?(?:query|doubt)"
    r"|If you have any (?:other |further |more )?(?:quer|question|doubt))[^\n]{0,250}\Z"
)


def _hc3_fix(text: str) -> str:
    text = text.replace("H.C.M.", "HCM")
    text = _SPACE_AFTER_PAREN.sub("(", _SPACE_BEFORE_PUNCT.sub(r"\1", text))
    for _ in range(5):
        m = _MED_OPENERS.match(text)
        if not m or m.end() == 0:
            break
        text = text[m.end() :]
    for _ in range(3):
        tail = _MED_CLOSER.search(text, max(0, len(text) - 300))
        if not tail or tail.start() < len(text) // 2:
            break
        text = text[: tail.start()].rstrip()
    return text


# -- code (Stack Overflow, Stack Exchange, web articles) --------------------------------------------
# Trap: ChatGPT answers carry ``` fences and `backticks`, human answers had their HTML stripped so
# code is pasted inline. Fenced blocks, "[code block]" placeholders and code-looking lines go on both
# sides; short inline code keeps its words without the backticks (as the human side shows them).
_FENCE = re.compile(r"(?ms)^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[^\n]*$|\Z)")
_INLINE_CODE = re.compile(r"`([^`\n]{1,80})`")
_CODE_LINE = re.compile(
    r"^(?:\s*[{}()\[\];]+\s*$"  # lone braces / brackets
    r"|.*[;{}]\s*$"  # ends like a statement or block
    r"|\s*(?://|/\*|\*/|#include|#define|#!|<\?|<[a-zA-Z/][^>]*>\s*$|import |from \S+ import |def "
    r"|class \w+[:(]|public |private |protected |static |var |let |const |function |return "
    r"|if ?\(|for ?\(|while ?\(|\$ |>>> )"
    r"|.*\b\w+\s*(?:=|==|!=|\+=|->|=>|::)\s*\S.*[;)]\s*$"
    r"|.*\w\([^()\s]*\)\s*$)"
)


# A shell line ("# m4 /etc/mail.mc > /etc/mail.cf", "$ make") or a one- or two-token line holding code
# punctuation (a URL, a path, a call).
_CODE_TOKEN_LINE = re.compile(r"^\s*(?:[#$>]\s+\S+(?: \S+){0,7}|(?=.*[/\\_(){}=<>;$#@|])\S+(?: \S+)?)\s*$")


def _strip_code(text: str) -> str:
    text = _FENCE.sub("", text)
    text = _INLINE_CODE.sub(lambda m: m.group(1) if len(m.group(1).split()) <= 4 else "", text)
    text = text.replace("[code block]", "")
    lines = []
    for line in text.split("\n"):
        s = line.rstrip()
        if (
            s
            and not s.lstrip().startswith(("- ", "* "))
            and (line.startswith(("    ", "\t")) or _CODE_LINE.match(s) or _CODE_TOKEN_LINE.match(s))
        ):
            continue
        lines.append(line.strip())
    return "\n".join(lines)


# -- web articles -----------------------------------------------------------------------------------
# Traps: human sites hard-wrap prose at ~80 columns (line width = site), and the machine posts are
# 2023-2026 and name their models. Prose paragraphs are unwrapped (markdown structure kept), years
# 1990-2029 become 2020, and model / vendor / agent-framework names become "Acme". Topic remains
# confounded (agents, AI): evaluate leaving whole repositories out (``meta["source_repo"]``).
_YEAR = re.compile(r"(?<![\d.,/-])(?:199\d|20[0-2]\d)(?![\d])")
_MODEL_NAMES = re.compile(
    r"\b(?:ChatGPT|GPT-?[345](?:\.\d)?(?:o|-turbo|-mini|o-mini)?|GPT|o[134](?:-mini)?|OpenAI|Anthropic"
    r"|Claude(?: Code| \d(?:\.\d)?)?(?: (?:Sonnet|Opus|Haiku))?|Sonnet"
    r"|Gemini(?: \d(?:\.\d)?)?(?: (?:Pro|Flash))?|Bard|Llama ?\d?(?:\.\d)?|GLM-?\d(?:\.\d)?"
    r"|Grok|Mistral|Mixtral|DeepSeek|Qwen|Codex|Copilot|OpenRouter|OpenClaw|Agent Zero|Cloudflare AI)\b"
)
_MD_STRUCTURE = re.compile(r"^(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||=+\s*$|-+\s*$|!\[|<)")


def _is_code_block(lines: list[str]) -> bool:
    """Indented (4 spaces / tab) or code-looking lines in the majority: an unfenced code block."""
    code = sum(1 for ln in lines if ln.startswith(("    ", "\t")) or _CODE_LINE.match(ln.strip()))
    return code * 2 > len(lines)


def _unwrap_markdown(text: str) -> str:
    """Join hard-wrapped prose lines of each paragraph; keep structured blocks; drop unfenced code."""
    out: list[str] = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines or _is_code_block(lines):
            continue
        if len(lines) > 1 and not any(_MD_STRUCTURE.match(ln.lstrip()) for ln in lines):
            out.append(" ".join(ln.strip() for ln in lines))
        else:
            out.append("\n".join(ln.rstrip() for ln in lines))
    return "\n\n".join(out)


def _web_articles(text: str) -> str:
    text = _unwrap_markdown(_FENCE.sub("", text))
    text = _YEAR.sub("2020", text)
    return _MODEL_NAMES.sub("Acme", text)


# -- paragraph layout -------------------------------------------------------------------------------
def _flatten(text: str) -> str:
    """One paragraph: for sources where one side has no line breaks at all."""
    return " ".join(text.split())


def _blank_lines(text: str) -> str:
    """Every line break is a paragraph break ("\\n\\n"), whatever the source used."""
    paras = [" ".join(p.split()) for p in re.split(r"\n+", text)]
    return "\n\n".join(p for p in paras if p)


def _markdown_layout(text: str) -> str:
    """Keep markdown lines; collapse runs of blank lines and of spaces within lines."""
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(re.sub(r"(?<=\S) {2,}", " ", ln.rstrip()) for ln in text.split("\n")).strip()


TextRule = Callable[[str], str]


@dataclass(frozen=True)
class _SourceRules:
    before: tuple[TextRule, ...]  # run on the text with its line structure
    layout: TextRule
    after: tuple[TextRule, ...] = ()  # run on the laid-out text


_ESSAY_BEFORE: tuple[TextRule, ...] = (_anonymisation, _drop_bare_title)
# Paragraph breaks are unified per source. Where one side of a source has none at all (DetectRL,
# LLMFake, fast-detectgpt and HC3 human texts; OUTFOX FLAN/DIPPER and 47% of its students), the whole
# source is flattened to one paragraph so layout cannot separate the labels there.
_SOURCE_RULES: dict[str, _SourceRules] = {
    "detectrl": _SourceRules((), _flatten, (_detokenise, _detectrl_debris, _sentence_glue)),
    "llmfake-misinfo": _SourceRules((_drop_quoted_headline,), _flatten, (_sentence_glue, _emphasis)),
    "fast-detectgpt": _SourceRules((), _flatten, (_detokenise,)),
    "web-articles": _SourceRules((_web_articles,), _markdown_layout),
    "kaggle-daigt-essays": _SourceRules(_ESSAY_BEFORE, _blank_lines),
    "outfox-essays": _SourceRules(_ESSAY_BEFORE, _flatten),
    # herbold students separate paragraphs with "\n " and ChatGPT with "\n\n": both become "\n\n".
    "herbold-essays-chatgpt": _SourceRules(_ESSAY_BEFORE, _blank_lines),
    "ellipse-ell-essays": _SourceRules(_ESSAY_BEFORE, _blank_lines),
    "wi-learner-essays": _SourceRules(_ESSAY_BEFORE, _blank_lines),
    "so-chatgpt-answers": _SourceRules((_strip_code,), _blank_lines),
    "stackexchange-small-sites": _SourceRules((_strip_code,), _blank_lines),
    "hc3-qa-subsets": _SourceRules((), _flatten, (_sentence_glue, _hc3_fix, _detokenise)),
}
_DEFAULT_RULES = _SourceRules((_anonymisation,), _blank_lines)


def clean_text(text: str, source: str) -> str:
    """Normalise ``text`` from data set folder ``source``; the same rules apply to both labels.

    Folding (:func:`fold_text`) is always applied; then ``_SOURCE_RULES[source]`` (unknown sources get
    anonymisation and ``\\n\\n`` paragraphs). Idempotent in practice; leading/trailing space is stripped.
    """
    return _clean_folded(fold_text(text), source)


def _clean_folded(text: str, source: str) -> str:
    rules = _SOURCE_RULES.get(source, _DEFAULT_RULES)
    text = text.strip()
    for rule in rules.before:
        text = rule(text).strip()
    text = rules.layout(text)
    for rule in rules.after:
        text = rule(text)
    return rules.layout(text).strip()


def _norm_key(text: str) -> str:
    """Duplicate key: lower-cased, whitespace-collapsed text."""
    return " ".join(text.lower().split())


def _word_count(text: str) -> int:
    return len(text.split())


_ANY_ASCII_LETTER = re.compile(r"[A-Za-z]")
_DROP_ASCII_LETTERS = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _is_english(text: str) -> bool:
    """At least 90% of the letters are ASCII (drops Chinese/Russian LLMFake outputs)."""
    if text.isascii():
        return _ANY_ASCII_LETTER.search(text) is not None
    ascii_letters = len(text) - len(text.translate(_DROP_ASCII_LETTERS))
    other = sum(1 for c in _NON_ASCII.findall(text) if c.isalpha())
    return ascii_letters > 0 and ascii_letters >= 0.9 * (ascii_letters + other)


def _sha(text: str, n: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


# --------------------------------------------------------------------------------------------------
# Loaders (raw text; one per data set folder)
# --------------------------------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with _open_text(path, "r") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _label(value: object) -> Label:
    return "human" if str(value).lower() == "human" else "machine"


_DETECTRL_GENERATORS = {
    "ChatGPT": "gpt-3.5-turbo",
    "Claude-instant": "claude-instant",
    "Google-PaLM": "palm-2",
    "Llama-2-70b": "llama-2-70b",
}
_DETECTRL_HUMAN_DOMAINS = {
    "abstract": "abstracts",
    "document": "news",
    "story": "stories",
    "content": "reviews",
}
_DETECTRL_FILE_DOMAINS = {
    "arxiv": "abstracts",
    "xsum": "news",
    "writing_prompt": "stories",
    "yelp_review": "reviews",
}
UNKNOWN_DOMAIN = "unknown"


def load_detectrl(data_dir: Path) -> Iterator[Record]:
    """DetectRL test splits: human texts repeat across files (deduplicated later); machine texts with a
    ``data_type`` other than ``direct_prompt`` are attacks (role ``robustness``, ``meta["attack"]``).

    The files do not pair machine texts with a human text, and only the Multi_Domain files tell a
    machine text's domain: others get ``unknown`` here and are resolved in :func:`build_corpus`.
    """
    root = data_dir / "detectrl" / "Benchmark" / "Benchmark_Data"
    for path in sorted(root.glob("*/*_test.json")):
        file_domain = UNKNOWN_DOMAIN
        for key, dom in _DETECTRL_FILE_DOMAINS.items():
            if path.name == f"multi_domains_{key}_test.json":
                file_domain = dom
        with path.open(encoding="utf-8") as f:
            rows = json.load(f)
        for row in rows:
            text = str(row["text"])
            if row["label"] == "human":
                yield Record(
                    text,
                    "human",
                    "detectrl",
                    "human",
                    _DETECTRL_HUMAN_DOMAINS.get(str(row["data_type"]), UNKNOWN_DOMAIN),
                    f"detectrl/{_sha(text)}",
                    "train",
                    {"file": path.name},
                )
            else:
                attack = str(row["data_type"])
                yield Record(
                    text,
                    "machine",
                    "detectrl",
                    _DETECTRL_GENERATORS.get(str(row["llm_type"]), str(row["llm_type"]).lower()),
                    file_domain,
                    f"detectrl/{_sha(text)}",
                    "train" if attack == "direct_prompt" else "robustness",
                    {"file": path.name, "attack": "none" if attack == "direct_prompt" else attack},
                )


def _llmfake_generator(raw: str) -> str:
    raw = raw.lower()
    if raw.startswith("chatgpt"):
        return "gpt-3.5-turbo"
    m = re.match(r"llama2_(\d+b)", raw)
    if m:
        return f"llama-2-{m.group(1)}"
    m = re.match(r"vicuna-v?([\d.]+)_(\d+b)", raw)
    if m:
        return f"vicuna-{m.group(1)}-{m.group(2)}"
    return raw


def load_llmfake_misinfo(data_dir: Path) -> Iterator[Record]:
    """LLMFake: every ``human.jsonl`` text is human (``news_label`` is fake/real news, not authorship);
    machine rewrites share the group of the news item they came from."""
    root = data_dir / "llmfake-misinfo"
    for row in _jsonl(root / "human.jsonl"):
        yield Record(
            row["text"],
            "human",
            "llmfake-misinfo",
            "human",
            "misinfo-news",
            f"llmfake/{row['id']}",
            "train",
            {"dataset": str(row.get("dataset", "")), "news_label": str(row.get("news_label", ""))},
        )
    for row in _jsonl(root / "machine.jsonl"):
        group = row.get("group") or row["id"]
        yield Record(
            row["text"],
            "machine",
            "llmfake-misinfo",
            _llmfake_generator(str(row["generator"])),
            "misinfo-news",
            f"llmfake/{group}",
            "train",
            {
                "dataset": str(row.get("dataset", "")),
                "method": str(row.get("method", "")),
                "generator_raw": str(row["generator"]),
            },
        )


_FDG_DOMAINS = {"xsum": "news", "writing": "stories", "pubmed": "medicine", "squad": "wiki"}


def load_fast_detectgpt(data_dir: Path) -> Iterator[Record]:
    """fast-detectgpt: index-paired human/LLM texts (the LLM continues the human's first ~30 tokens).

    The same human text appears in every generator's file; exact deduplication merges those pairs.
    """
    root = data_dir / "fast-detectgpt"
    for path in sorted(root.glob("*/data/*.raw_data.json")):
        stem = path.name.removesuffix(".raw_data.json")
        dataset, _, model = stem.partition("_")
        args_path = path.with_name(f"{stem}.args.json")
        if args_path.is_file():
            with args_path.open(encoding="utf-8") as f:
                args = json.load(f)
            model = str(args.get("openai_model") or args.get("base_model_name") or model)
        generator = model.lower()
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
        domain = _FDG_DOMAINS.get(dataset, dataset)
        for i, (orig, sampled) in enumerate(zip(data["original"], data["sampled"], strict=True)):
            group = f"fast-detectgpt/{path.parent.parent.name}/{stem}/{i}"
            meta = {"dataset": dataset, "file": path.name}
            yield Record(orig, "human", "fast-detectgpt", "human", domain, group, "train", meta)
            yield Record(sampled, "machine", "fast-detectgpt", generator, domain, group, "train", dict(meta))


_WEB_GENERATORS = {
    "dhruval30/blogGPT": "llama-3",
    "kangclaw/kangclaw.github.io": "glm-4.7",
    "gandli/gandli.github.io": "glm-5",
    "AbelHutten/tinygrad-study-guide-ai-generated": "openai-codex",
    "jquave/Clawblog": "claude",
}


def load_web_articles(data_dir: Path) -> Iterator[Record]:
    """Markdown blog posts. Group = repository, so a grouped split leaves whole repositories out (the
    README's protocol against site/topic leakage); ``meta["source_repo"]`` is kept as well."""
    root = data_dir / "web-articles"
    for name in ("human.jsonl", "machine.jsonl"):
        for row in _jsonl(root / name):
            label = _label(row["label"])
            repo = str(row["source_repo"])
            yield Record(
                row["text"],
                label,
                "web-articles",
                "human" if label == "human" else _WEB_GENERATORS.get(repo, "unknown"),
                "web-articles",
                f"web-articles/{repo}",
                "train",
                {
                    "source_repo": repo,
                    "date": str(row.get("date", "")),
                    "licence": str(row.get("licence", "")),
                },
            )


def _essay_generator(raw: str) -> str:
    raw = raw.lower()
    if raw.startswith(("gpt-3.5", "chatgpt")):
        return "gpt-3.5-turbo"
    if raw.startswith("gpt-4"):
        return "gpt-4"
    if raw.startswith("unknown"):
        return "unknown"
    return raw.split(" ")[0]


def _essay_record(row: dict[str, Any], source: str, group: str, role: Role, meta: dict[str, str]) -> Record:
    """An essay-domain record from a row with ``text``, ``label`` and (for machine rows) ``generator``."""
    label = _label(row["label"])
    generator = "human" if label == "human" else _essay_generator(str(row["generator"]))
    return Record(row["text"], label, source, generator, "essays", group, role, meta)


def load_kaggle_daigt_essays(data_dir: Path) -> Iterator[Record]:
    """Kaggle DAIGT essays. Group = prompt (only two): LLM essays answer a prompt, not a given student
    essay, so the prompt is the unit that must not be split (leave-prompt-out)."""
    for row in _jsonl(data_dir / "kaggle-daigt-essays" / "essays.jsonl"):
        yield _essay_record(
            row,
            "kaggle-daigt-essays",
            f"kaggle-daigt/prompt-{row['prompt_id']}",
            "train",
            {"prompt_name": str(row.get("prompt_name", "")), "id": str(row["id"])},
        )


def load_outfox_essays(data_dir: Path) -> Iterator[Record]:
    """OUTFOX prompt triplets (group = ``pair_id``); attacked texts are role ``robustness``.

    The folder holds the JSON-lines conversion of the original pickled lists (see its SOURCE.txt).
    """
    for row in _jsonl(data_dir / "outfox-essays" / "essays.jsonl"):
        attack = str(row.get("attack") or "none")
        yield _essay_record(
            row,
            "outfox-essays",
            str(row["pair_id"]),
            "train" if attack == "none" else "robustness",
            {"attack": attack, "generator_raw": str(row.get("generator", ""))},
        )


def load_herbold_essays_chatgpt(data_dir: Path) -> Iterator[Record]:
    """Herbold et al. essays: check only (tiny; non-native students vs ChatGPT on the same topics)."""
    for row in _jsonl(data_dir / "herbold-essays-chatgpt" / "essays.jsonl"):
        yield _essay_record(
            row,
            "herbold-essays-chatgpt",
            str(row["pair_id"]),
            "check",
            {"topic": str(row.get("topic", ""))},
        )


def load_ellipse_ell_essays(data_dir: Path) -> Iterator[Record]:
    """ELLIPSE learner essays (human only): check only, with proficiency scores in ``meta``."""
    path = data_dir / "ellipse-ell-essays" / "ELLIPSE_Final_github_test.csv"
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield Record(
                row["full_text"],
                "human",
                "ellipse-ell-essays",
                "human",
                "essays",
                f"ellipse/{row['text_id_kaggle']}",
                "check",
                {
                    "proficiency": row.get("Overall", ""),
                    "grade": row.get("grade", ""),
                    "prompt": row.get("prompt", ""),
                },
            )


def load_wi_learner_essays(data_dir: Path) -> Iterator[Record]:
    """Write & Improve learner texts: check only, NEVER train (licence). Group = writer."""
    for row in _jsonl(data_dir / "wi-learner-essays" / "wi_abc.jsonl"):
        user = row.get("userid")
        yield Record(
            row["text"],
            "human",
            "wi-learner-essays",
            "human",
            "learner-writing",
            f"wi/user/{user}" if user else str(row["id"]),
            "check",
            {"cefr": str(row.get("cefr", "")), "level": str(row.get("level", ""))},
        )


def load_so_chatgpt_answers(data_dir: Path) -> Iterator[Record]:
    """Stack Overflow answers, one human and one ChatGPT per question (group = question)."""
    for row in _jsonl(data_dir / "so-chatgpt-answers" / "answers.jsonl"):
        label = _label(row["label"])
        yield Record(
            row["text"],
            label,
            "so-chatgpt-answers",
            "human" if label == "human" else "gpt-3.5-turbo",
            "qa",
            str(row["pair_id"]),
            "train",
            {"generator_raw": str(row.get("generator", ""))},
        )


def load_stackexchange_small_sites(data_dir: Path) -> Iterator[Record]:
    """coffee/beer Stack Exchange posts (human forum register). Group = thread (question + answers);
    ``meta["owner"]`` allows author-grouped splits too."""
    for row in _jsonl(data_dir / "stackexchange-small-sites" / "posts.jsonl"):
        site = str(row["site"])
        thread = row.get("parent_id") or str(row["id"]).rsplit("/", 1)[-1]
        yield Record(
            row["text"],
            "human",
            "stackexchange-small-sites",
            "human",
            "forum",
            f"{site}/thread/{thread}",
            "train",
            {
                "site": site,
                "post_type": str(row.get("post_type", "")),
                "owner": str(row.get("owner_user_id", "")),
            },
        )


_HC3_DOMAINS = {"medicine": "medicine", "open_qa": "qa", "wiki_csai": "wiki", "finance": "finance"}


def load_hc3_qa_subsets(data_dir: Path) -> Iterator[Record]:
    """HC3 answers. Only medicine may train; open_qa, wiki_csai and finance are check only.

    Questions are not included; in converter order (``seq``) each question's human answers precede its
    ChatGPT answers, so a new group starts at every human answer that follows a machine one (over-
    grouping when a human answer was filtered out is safe).
    """
    rows = sorted(
        _jsonl(data_dir / "hc3-qa-subsets" / "answers.jsonl"), key=lambda r: (r["subset"], r["seq"])
    )
    group_no = 0
    prev: tuple[str, str] | None = None
    for row in rows:
        subset, label = str(row["subset"]), _label(row["label"])
        if prev is None or prev[0] != subset or (label == "human" and prev[1] == "machine"):
            group_no += 1
        prev = (subset, label)
        yield Record(
            row["text"],
            label,
            "hc3-qa-subsets",
            "human" if label == "human" else "gpt-3.5-turbo",
            _HC3_DOMAINS.get(subset, subset),
            f"hc3/{subset}/{group_no}",
            "train" if subset == "medicine" else "check",
            {"subset": subset, "generator_raw": str(row.get("generator", ""))},
        )


LOADERS: dict[str, Callable[[Path], Iterator[Record]]] = {
    "detectrl": load_detectrl,
    "llmfake-misinfo": load_llmfake_misinfo,
    "fast-detectgpt": load_fast_detectgpt,
    "web-articles": load_web_articles,
    "kaggle-daigt-essays": load_kaggle_daigt_essays,
    "outfox-essays": load_outfox_essays,
    "herbold-essays-chatgpt": load_herbold_essays_chatgpt,
    "ellipse-ell-essays": load_ellipse_ell_essays,
    "wi-learner-essays": load_wi_learner_essays,
    "so-chatgpt-answers": load_so_chatgpt_answers,
    "stackexchange-small-sites": load_stackexchange_small_sites,
    "hc3-qa-subsets": load_hc3_qa_subsets,
    chat_pairs.SOURCE: chat_pairs.load_chat_pairs,
}
PACKAGED_SOURCES = frozenset({chat_pairs.SOURCE})
"""Sources whose texts ship with slopsift instead of living in the data folder."""


# --------------------------------------------------------------------------------------------------
# Grouping and deduplication
# --------------------------------------------------------------------------------------------------


class _UnionFind:
    """Union-find over group names; the canonical name of a set is its smallest member."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def _regroup(records: Sequence[Record], uf: _UnionFind) -> list[Record]:
    return [r if uf.find(r.group) == r.group else replace(r, group=uf.find(r.group)) for r in records]


def _stricter(a: Role, b: Role) -> Role:
    return a if _ROLE_RANK[a] >= _ROLE_RANK[b] else b


NEAR_DUP_PREFIX_WORDS = 20
NEAR_DUP_JACCARD = 0.6


def dedupe(records: Iterable[Record], stats: BuildStats | None = None) -> list[Record]:
    """Keep one record per text and merge the dropped copies' groups into the kept one's (union-find).

    Exact duplicates share the normalised text (lower-cased, whitespace-collapsed). A text found with
    both labels keeps the human copy (an LLM "rewrite" identical to its source is human text). Human
    near-duplicates (same first 20 words and word-set Jaccard >= 0.6: the differing kaggle/OUTFOX
    versions of one PERSUADE essay) are merged too. The kept copy takes the most restrictive role of
    all copies (check > robustness > train), so a check-only text never reaches training.
    """
    kept: dict[str, Record] = {}
    uf = _UnionFind()
    for r in records:
        key = _norm_key(r.text)
        first = kept.get(key)
        if first is None:
            kept[key] = r
            continue
        if stats is not None:
            stats.duplicates[f"{r.source}/{r.label}"] += 1
        uf.union(first.group, r.group)
        winner = first
        if first.label != r.label:
            if stats is not None:
                stats.label_conflicts += 1
            winner = first if first.label == "human" else r
        role = _stricter(first.split_role, r.split_role)
        if winner is not first or role != first.split_role:
            kept[key] = replace(winner, split_role=role)
    out = list(kept.values())
    buckets: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(out):
        words = _norm_key(r.text).split()
        if r.label == "human" and len(words) >= 2 * NEAR_DUP_PREFIX_WORDS:
            buckets[" ".join(words[:NEAR_DUP_PREFIX_WORDS])].append(i)
    dropped: set[int] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        sets = {i: set(_norm_key(out[i].text).split()) for i in members}
        for pos, a in enumerate(members):
            if a in dropped:
                continue
            for b in members[pos + 1 :]:
                if b in dropped or len(sets[a] & sets[b]) < NEAR_DUP_JACCARD * len(sets[a] | sets[b]):
                    continue
                dropped.add(b)
                uf.union(out[a].group, out[b].group)
                out[a] = replace(out[a], split_role=_stricter(out[a].split_role, out[b].split_role))
                if stats is not None:
                    stats.near_duplicates[f"{out[b].source}/{out[b].label}"] += 1
    return _regroup([r for i, r in enumerate(out) if i not in dropped], uf)


_WORD = re.compile(r"\b[A-Za-z][a-z]+\b")


def _lookup(mapping: dict[str, str], m: re.Match[str]) -> str:
    return mapping[m.group()]


_SHORT_WORDS = frozenset(
    {"of", "in", "to", "an", "on", "as", "at", "by", "we", "be", "or", "is", "it", "if", "no", "so"}
)


def _split_glued_words(records: list[Record], indexes: Sequence[int]) -> None:
    """Split words glued at DetectRL's lost line breaks ("partof", "ahuge", "Differentkinds") in place.

    arXiv abstracts were hard-wrapped; DetectRL deleted the line breaks without a space, so about one
    word per line of every human abstract is two words run together. A token is split in two when both
    parts are at least ten times as frequent in DetectRL as the token and either the two-word form is
    itself ten times as frequent ("ofthe") or the token is a hapax of two parts of 3+ letters
    ("havedominated"). Compounds like "nonlinear" may be split too: the rule is applied to both labels.
    """
    tokens = {i: _WORD.findall(records[i].text) for i in indexes}
    unique: dict[str, list[str]] = {records[i].text: tokens[i] for i in indexes}  # count copies once
    freq: Counter[str] = Counter()
    for toks in unique.values():
        freq.update(t.lower() for t in toks)
    candidates: dict[str, list[tuple[int, str, str]]] = {}
    for w, n in freq.items():
        if len(w) >= 4:
            opts = [
                (k, w[:k], w[k:])
                for k in range(1, len(w) - 1)
                if min(freq[w[:k]], freq[w[k:]]) >= max(5, 10 * n)
            ]
            if opts:
                candidates[w] = opts
    if not candidates:
        return
    needed = {(a, b) for opts in candidates.values() for _, a, b in opts}
    bigrams: Counter[tuple[str, str]] = Counter()
    for toks in unique.values():
        low = [t.lower() for t in toks]
        bigrams.update(pair for pair in itertools.pairwise(low) if pair in needed)
    where: dict[str, int] = {}
    for w, opts in candidates.items():
        k, a, b = max(opts, key=lambda o: (bigrams[(o[1], o[2])], min(freq[o[1]], freq[o[2]])))
        if bigrams[(a, b)] >= max(2, 10 * freq[w]):
            where[w] = k  # the two-word form is common and ten times the glued form ("ofthe")
        elif freq[w] <= 2 and (len(a) >= 3 or a in _SHORT_WORDS) and (len(b) >= 3 or b in _SHORT_WORDS):
            where[w] = k  # a hapax made of two frequent words ("havedominated", "newtransiting")
    if not where:
        return
    for i in indexes:
        mapping = {
            t: f"{t[: where[t.lower()]]} {t[where[t.lower()] :]}" for t in tokens[i] if t.lower() in where
        }
        if mapping:
            rx = re.compile(r"\b(?:" + "|".join(map(re.escape, mapping)) + r")\b")
            records[i] = replace(records[i], text=rx.sub(partial(_lookup, mapping), records[i].text))


def _detectrl_families(records: list[Record], threshold: float = 0.5) -> None:
    """Group DetectRL texts that are variants of one another; fill in unknown machine domains.

    Attack variants (paraphrase, perturbation, SICO of the same output) and outputs for the same
    prompt are TF-IDF near-duplicates (cosine >= ``threshold``); they are unioned into one group so a
    split cannot put an attacked text on the other side of its original. A machine text without a
    known domain takes the majority domain of its known-domain family members, else the nearest
    known-domain centroid (human texts and the Multi_Domain files have known domains).
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    idx = [i for i, r in enumerate(records) if r.source == "detectrl"]
    if len(idx) < 2:
        return
    vec = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.05, stop_words="english", dtype=np.float32)
    x = vec.fit_transform([records[i].text for i in idx])
    uf = _UnionFind()
    for i in idx:
        uf.find(records[i].group)
    # Machine rows against all columns: human-human copies were already merged by dedupe().
    xt = x.T.tocsr()
    rows = np.array([k for k, i in enumerate(idx) if records[i].label == "machine"], dtype=np.int64)
    chunk = 1500
    for lo in range(0, len(rows), chunk):
        part = rows[lo : lo + chunk]
        sims = (x[part] @ xt).tocoo()
        keep = (sims.data >= threshold) & (part[sims.row] != sims.col)
        for a, b in zip(part[sims.row[keep]].tolist(), sims.col[keep].tolist(), strict=True):
            uf.union(records[idx[a]].group, records[idx[b]].group)
    # domains
    known = [k for k, i in enumerate(idx) if records[i].domain != UNKNOWN_DOMAIN]
    unknown = [k for k, i in enumerate(idx) if records[i].domain == UNKNOWN_DOMAIN]
    fam_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for k in known:
        r = records[idx[k]]
        fam_votes[uf.find(r.group)][r.domain] += 1
    need_centroid: list[int] = []
    for k in unknown:
        votes = fam_votes.get(uf.find(records[idx[k]].group))
        if votes:
            records[idx[k]] = replace(
                records[idx[k]],
                domain=votes.most_common(1)[0][0],
                meta={**records[idx[k]].meta, "domain_from": "family"},
            )
        else:
            need_centroid.append(k)
    if need_centroid and known:
        domains = sorted({records[idx[k]].domain for k in known})
        labels = np.array([domains.index(records[idx[k]].domain) for k in known])
        xk = x[known]
        cents = normalize(np.vstack([np.asarray(xk[labels == d].mean(axis=0)) for d in range(len(domains))]))
        pred = np.asarray((x[need_centroid] @ cents.T).argmax(axis=1)).ravel()
        for k, d in zip(need_centroid, pred, strict=True):
            r = records[idx[k]]
            records[idx[k]] = replace(r, domain=domains[int(d)], meta={**r.meta, "domain_from": "centroid"})
    records[:] = _regroup(records, uf)


# --------------------------------------------------------------------------------------------------
# Building, summarising, reading and writing
# --------------------------------------------------------------------------------------------------


def default_data_dir() -> Path:
    """``$SLOPSIFT_DATA_DIR`` if set, else ``../shared/data`` relative to the working directory."""
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env) if env else Path("..") / "shared" / "data"


# Outcome of preparing one raw text: (status, cleaned text, stripped preamble).
_Prepared = tuple[Literal["ok", "refusal", "non_english", "short"], str, str]


def _prepare_text(raw: str, source: str) -> _Prepared:
    folded = fold_text(raw).strip()
    if is_refusal(folded):
        return "refusal", "", ""
    body, preamble = strip_preamble(folded)
    text = _clean_folded(body, source)
    if not _is_english(text):
        return "non_english", text, preamble
    if _word_count(text) < MIN_WORDS:
        return "short", text, preamble
    return "ok", text, preamble


def _prepare_record(r: Record, stats: BuildStats, cache: dict[tuple[str, str], _Prepared]) -> Record | None:
    """Fold, drop refusals, strip the preamble, clean and filter one record (memoised by raw text)."""
    key = f"{r.source}/{r.label}"
    stats.loaded[key] += 1
    rules = r.meta.get("clean_as", r.source)  # a machine counterpart is cleaned like its human seed
    ck = (rules, r.text)
    prepared = cache.get(ck)
    if prepared is None:
        prepared = cache[ck] = _prepare_text(r.text, rules)
    status, text, preamble = prepared
    if status == "refusal":
        stats.refusals[key] += 1
        return None
    if preamble:
        stats.preambles[key] += 1
    if status == "non_english":
        stats.non_english[key] += 1
        return None
    if status == "short":
        stats.short[key] += 1
        return None
    return replace(r, text=text, meta={**r.meta, "preamble": preamble} if preamble else r.meta)


def build_corpus(
    data_dir: Path,
    sources: Sequence[str] | None = None,
    stats: BuildStats | None = None,
) -> list[Record]:
    """Load, clean, filter, deduplicate and group every data set (or only ``sources``).

    Pass a :class:`BuildStats` to receive the counts of dropped and changed records.
    """
    stats = stats if stats is not None else BuildStats()
    names = list(LOADERS) if sources is None else list(sources)
    unknown = [n for n in names if n not in LOADERS]
    if unknown:
        raise ValueError(f"unknown data set(s): {', '.join(unknown)}; known: {', '.join(LOADERS)}")
    records: list[Record] = []
    cache: dict[tuple[str, str], _Prepared] = {}
    for name in names:
        if name not in PACKAGED_SOURCES and not (data_dir / name).is_dir():
            raise FileNotFoundError(f"data set folder not found: {data_dir / name}")
        for raw in LOADERS[name](data_dir):
            rec = _prepare_record(raw, stats, cache)
            if rec is not None:
                records.append(rec)
    detectrl = [i for i, r in enumerate(records) if r.source == "detectrl"]
    if detectrl:
        _split_glued_words(records, detectrl)
    records = dedupe(records, stats)
    _detectrl_families(records)
    return records


def summarise(records: Sequence[Record]) -> dict[str, Any]:
    """Counts per source x label, generator, domain, role and source x role."""

    def count(key: Callable[[Record], str]) -> dict[str, int]:
        return dict(sorted(Counter(key(r) for r in records).items()))

    return {
        "records": len(records),
        "groups": len({r.group for r in records}),
        "by_label": count(lambda r: r.label),
        "by_source_label": count(lambda r: f"{r.source}/{r.label}"),
        "by_generator": count(lambda r: r.generator),
        "by_domain_label": count(lambda r: f"{r.domain}/{r.label}"),
        "by_role_label": count(lambda r: f"{r.split_role}/{r.label}"),
        "by_source_role": count(lambda r: f"{r.source}/{r.split_role}"),
    }


def _open_text(path: Path, mode: Literal["r", "w"], *, gz: bool | None = None) -> IO[str]:
    if path.name.endswith(".gz") if gz is None else gz:
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8"))
    return path.open(mode, encoding="utf-8")


def write_jsonl(records: Iterable[Record], path: Path) -> int:
    """Write one JSON object per record (gzip when ``path`` ends with ``.gz``); returns the count.

    Written beside ``path`` and renamed into place: a failure leaves any previous file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as target, _open_text(target, "w", gz=path.name.endswith(".gz")) as f:
        return _dump_rows(records, f)


def _dump_rows(records: Iterable[Record], f: IO[str]) -> int:
    n = 0
    for r in records:
        row = {
            "text": r.text,
            "label": r.label,
            "source": r.source,
            "generator": r.generator,
            "domain": r.domain,
            "group": r.group,
            "split_role": r.split_role,
            "meta": r.meta,
        }
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def read_jsonl(path: Path) -> list[Record]:
    """Read records written by :func:`write_jsonl`."""
    out: list[Record] = []
    with _open_text(path, "r") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            if row["label"] not in ("human", "machine") or row["split_role"] not in _ROLE_RANK:
                raise ValueError(f"{path}: bad label/split_role in {line[:120]!r}")
            out.append(
                Record(
                    text=row["text"],
                    label=row["label"],
                    source=row["source"],
                    generator=row["generator"],
                    domain=row["domain"],
                    group=row["group"],
                    split_role=row["split_role"],
                    meta={str(k): str(v) for k, v in (row.get("meta") or {}).items()},
                )
            )
    return out


def _format_summary(summary: dict[str, Any], stats: BuildStats, seconds: float) -> str:
    lines = [f"records: {summary['records']}  groups: {summary['groups']}  ({seconds:.1f}s)"]
    for key in ("by_source_label", "by_generator", "by_domain_label", "by_role_label"):
        lines.append(f"{key}:")
        lines.extend(f"  {k:<48} {v:>7}" for k, v in summary[key].items())
    for key, value in stats.as_dict().items():
        if isinstance(value, dict):
            lines.append(f"{key}: {value.pop('total')}")
            lines.extend(f"  {k:<48} {v:>7}" for k, v in value.items())
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    stats = BuildStats()
    sources = [s.strip() for s in args.sources.split(",") if s.strip()] or None
    check_output_path(args.out, "--out", special_ok=True)
    out = Path(args.out)
    data_dir = Path(args.data_dir).resolve()
    if out.resolve().is_relative_to(data_dir):
        raise ValueError(
            f"--out {out} is inside --data-dir {args.data_dir}: it must not overwrite the sources"
        )
    records = build_corpus(Path(args.data_dir), sources=sources, stats=stats)
    # The corpus may go to our own standard output (--out /dev/stdout): written to it as it is, not
    # reopened (`>> file` keeps appending), and the summary goes aside.
    to_stdout = _same_file(out, sys.stdout)
    try:
        if to_stdout and not out.name.endswith(".gz"):
            _dump_rows(records, sys.stdout)
            sys.stdout.flush()
        else:
            write_jsonl(records, out)
    except BrokenPipeError:
        raise  # the reader of a pipe stopped (`| head`): the CLI ends quietly, as grep does
    except OSError as exc:
        raise OutputWriteError(f"corpus not written to {out}: {exc}") from None
    summary = summarise(records)
    seconds = time.perf_counter() - t0
    report = sys.stderr if to_stdout else sys.stdout
    if args.json:
        doc = {"summary": summary, "stats": stats.as_dict(), "seconds": round(seconds, 1)}
        print(json.dumps(doc, indent=2), file=report)
    else:
        print(_format_summary(summary, stats, seconds), file=report)
        print(f"wrote {len(records)} records to {args.out}", file=report)
    return 0


def _same_file(path: Path, stream: IO[str]) -> bool:
    """Whether ``path`` is the file ``stream`` writes to."""
    try:
        a, b = os.stat(path), os.fstat(stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        default=str(default_data_dir()),
        help=f"folder holding the data set folders (default: ${ENV_DATA_DIR} or ../shared/data)",
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output JSONL (.gz = gzip); default %(default)s"
    )
    parser.add_argument("--sources", default="", help="comma-separated data set folders (default: all)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def register_cli(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``prepare-data`` subcommand to a CLI's subparsers."""
    p = subparsers.add_parser(
        "prepare-data",
        help="build the labelled training corpus from the shared data sets",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    _add_arguments(p)
    p.set_defaults(func=_run)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m slopsift.training.prepare``: build, write and summarise the corpus."""
    parser = argparse.ArgumentParser(prog="python -m slopsift.training.prepare", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    _add_arguments(parser)
    return _run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
