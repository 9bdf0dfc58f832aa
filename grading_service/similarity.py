"""Code similarity in a cohort: which learners handed in unusually similar code.

A teacher picks a problem and a cohort; the dashboard gathers one submission per learner
and calls :func:`similar_pairs`. It answers the pairs worth a look, each with a score and
the matching line ranges on both sides, for a side-by-side view. It is evidence for a
conversation, never a verdict: two children can write the same five lines on their own.

How code is compared
--------------------
1. **Tokens, normalised.** Each submission is read with the standard library's
   :mod:`tokenize`. Comments, blank lines and layout are dropped; identifiers become ``N``,
   numbers ``0`` and strings (f-strings too) ``"``, so renaming variables, functions and
   parameters, changing literals or rewording comments changes nothing. Kept as they
   are: keywords, operators, ``NEWLINE``/``INDENT``/``DEDENT`` (the shape of the code),
   builtins (``len``, ``range``, ``sorted``) and method names of the builtin types
   after a dot (``.split``, ``.append``), since a copier who renames variables still
   calls the same builtins, and independent solutions differ in which they use.
   Code that does not tokenise (a syntax error, an unclosed bracket or string) is read
   as far as it goes; after an error the reader resumes on the next line. A note says
   so, and code that yields no tokens at all is skipped with a reason.
2. **k-grams and winnowing** (Schleimer, Wilkerson, Aiken, "Winnowing: local
   algorithms for document fingerprinting", SIGMOD 2003). Every run of ``k`` tokens is
   hashed (BLAKE2b, so results are the same in every process); from each window of
   ``window`` consecutive hashes the smallest is kept as a fingerprint. A shared run of
   at least ``k + window - 1`` tokens is then always seen by a shared fingerprint, and
   one shorter than ``k`` never is. With ``k = 8`` (about one line of code) and
   ``window = 4``, a copied passage of two lines or more is always noticed, and
   reordering functions only changes the few k-grams that span a function boundary.
3. **Starter code is ignored**: every k-gram of the starter is removed from every
   submission before winnowing, so code that everyone was given matches nobody.
4. **What most of the cohort writes counts for nothing** (document frequency): a
   k-gram found in more than ``common_fraction`` of the submissions (and in more than 2)
   is removed too. ``def N ( N ) : { return N % 0 == 0`` is what any solution of an
   easy problem looks like; sharing it says nothing. A group of copiers larger than
   that fraction of the cohort would hide itself; in a class that is not the case
   this tool is for. Cohorts smaller than ``min_cohort`` (5) have no meaningful
   "most", so the rule applies from 5 submissions on.
5. **Score** of a pair: the share of the smaller submission's fingerprints that the
   other submission also has (max containment, the overlap coefficient), from 0 to 1.
   Containment, not Jaccard, so that padding a copy with extra code does not hide it;
   the cost, a tiny submission contained in a large one, is what rule 6 is for.
6. **Flagged** when all three hold:

   - the score reaches the **cutoff**: ``max(min_score, median + cohort_mads * spread)``
     over all pairs of the cohort, where spread is the median absolute deviation
     scaled to a standard deviation (``1.4826 * MAD``, never below ``min_spread``).
     So at least half of the smaller submission's distinctive code is in the other
     (``min_score`` 0.5: a learner who copied two of three functions reaches it;
     independent solutions of a medium problem stay below 0.3), *and* the pair stands
     out from what is typical for this problem and cohort (4 robust standard
     deviations above the median pair); when many pairs are alike, none stands out.
     Cohorts smaller than ``min_cohort`` use ``min_score`` alone; an explicit
     ``threshold`` replaces the cutoff (a teacher's slider);
   - the matching passages (runs of equal k-grams, starter removed, holding at least one
     distinctive k-gram) cover at least ``min_shared_tokens`` tokens (80, about ten
     lines). A short solution is the same in many hands: the if/elif FizzBuzz ladder
     comes out token for token from children who never met (about 60 tokens), so a
     match that small is no evidence whatever its score. The price: a copy of a
     solution shorter than about ten lines cannot be told from honest work, and is
     not reported;
   - the two entries belong to different learners.

   Flagged pairs are ordered by score (then by amount of shared code); the first
   ``max_pairs`` are returned and ``SimilarityReport.flagged`` says how many there were.

Why not ``copydetect``
----------------------
copydetect 0.5.0 implements the same idea, but it imports numpy, matplotlib, jinja2,
pygments and tqdm (matplotlib at import time, for its HTML report), works on files on
disk, and fingerprints characters of a pygments-filtered text rather than Python
tokens. Our needs are strings from MongoDB, Python only, a few hundred submissions at
most: the standard library does it in a few hundred lines, with no dependency added
to the grading service and with our own rules for starter code and common code.

Speed: fingerprints are computed once per submission (reading the tokens is most of
the work); pairs are compared as sets of fingerprints, and matching passages are worked
out only for pairs above the cutoff. Forty submissions of 60 lines take about 0.1 s, a
hundred about 0.4 s, on one core: CPU work, so a Tornado handler runs it in an executor.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import keyword
import statistics
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

__all__ = [
    "Entry",
    "Match",
    "Note",
    "Pair",
    "Settings",
    "SimilarityReport",
    "similar_pairs",
]

Lines = tuple[int, int]
"""First and last line (1-based, inclusive) of a passage in a submission's code."""


@dataclass(frozen=True)
class Entry:
    """One learner's submission for the problem (usually their latest or best)."""

    learner: str
    submission_id: str
    code: str


@dataclass(frozen=True)
class Match:
    """A passage that is the same (after normalisation) in both submissions."""

    a_lines: Lines
    b_lines: Lines
    tokens: int


@dataclass(frozen=True)
class Pair:
    """Two submissions that are unusually similar.

    ``a`` is the entry that came first in the list given to :func:`similar_pairs`.
    ``score`` is the max containment of fingerprints; ``a_share`` and ``b_share`` are
    the share of each side's fingerprints found in the other (``score`` is the larger).
    ``matches`` pair up passages (same index, same colour in a side-by-side view);
    ``a_spans`` and ``b_spans`` are the same lines merged, for simple highlighting.
    """

    a: str
    b: str
    a_submission: str
    b_submission: str
    score: float
    a_share: float
    b_share: float
    shared_tokens: int
    matches: tuple[Match, ...]

    @property
    def a_spans(self) -> tuple[Lines, ...]:
        return _merge(m.a_lines for m in self.matches)

    @property
    def b_spans(self) -> tuple[Lines, ...]:
        return _merge(m.b_lines for m in self.matches)


@dataclass(frozen=True)
class Note:
    """Something a teacher should know about one submission.

    ``compared`` is False when the submission was left out (no code, or nothing but
    starter and common code), True when it was compared as far as it could be read.
    """

    learner: str
    submission_id: str
    message: str
    compared: bool


@dataclass(frozen=True)
class Settings:
    """Tuning of the comparison; the defaults are explained in the module docstring."""

    k: int = 8
    window: int = 4
    min_score: float = 0.5
    cohort_mads: float = 4.0
    min_spread: float = 0.05
    min_cohort: int = 5
    min_shared_tokens: int = 80
    common_fraction: float = 0.5

    def __post_init__(self) -> None:
        if self.k < 1 or self.window < 1:
            raise ValueError("k and window must be at least 1")
        if not 0.0 < self.common_fraction <= 1.0:
            raise ValueError("common_fraction must be in (0, 1]")


@dataclass(frozen=True)
class SimilarityReport:
    """The answer of :func:`similar_pairs`.

    ``pairs``: the flagged pairs, best first, at most ``max_pairs``; ``flagged``: how
    many pairs were flagged in all. ``compared``: submissions with fingerprints left
    after the starter and common code were removed. ``typical_score``, ``spread``,
    ``cutoff``: the median pair score, its robust spread and the score a pair needed
    (to show next to the list: "typical similarity for this problem: 0.12").
    """

    pairs: tuple[Pair, ...]
    flagged: int
    compared: int
    typical_score: float
    spread: float
    cutoff: float
    notes: tuple[Note, ...] = field(default=())


def similar_pairs(
    entries: Sequence[Entry],
    starter: str = "",
    *,
    threshold: float | None = None,
    max_pairs: int = 50,
    settings: Settings | None = None,
) -> SimilarityReport:
    """Pairs of ``entries`` whose code is unusually similar, ignoring ``starter``.

    Pass one entry per learner (pairs of the same learner are never reported), in the
    order the dashboard wants ``a`` and ``b`` (oldest first makes ``a`` the earlier).
    ``threshold`` replaces the cohort's cutoff; the minimum of shared code still applies.
    """
    cfg = settings or Settings()
    notes: list[Note] = []
    docs = _read(entries, cfg, notes)
    starter_tokens, _ = _tokenise(starter)
    starter_hashes = set(_kgram_hashes([t.text for t in starter_tokens], cfg.k))
    common = _common_kgrams(docs, starter_hashes, cfg)
    ignored = starter_hashes | common

    compared: list[_Doc] = []
    for doc in docs:
        doc.fingerprints = _winnow([h for h in doc.hashes if h not in ignored], cfg.window)
        if doc.fingerprints:
            compared.append(doc)
        else:
            message = "nothing beyond the starter code and what most of the cohort wrote"
            notes.append(Note(doc.entry.learner, doc.entry.submission_id, message, compared=False))

    scored: list[tuple[float, float, float, _Doc, _Doc]] = []
    for a, b in combinations(compared, 2):
        if a.entry.learner == b.entry.learner:
            continue
        shared = len(a.fingerprints & b.fingerprints)
        a_share = shared / len(a.fingerprints)
        b_share = shared / len(b.fingerprints)
        scored.append((max(a_share, b_share), a_share, b_share, a, b))

    scores = [s[0] for s in scored]
    typical = statistics.median(scores) if scores else 0.0
    mad = statistics.median(abs(s - typical) for s in scores) if scores else 0.0
    spread = max(1.4826 * mad, cfg.min_spread)
    if threshold is not None:
        cutoff = threshold
    elif len(compared) >= cfg.min_cohort:
        cutoff = max(cfg.min_score, typical + cfg.cohort_mads * spread)
    else:
        cutoff = cfg.min_score

    pairs: list[Pair] = []
    for score, a_share, b_share, a, b in scored:
        if score < cutoff:
            continue
        matches, shared_tokens = _matches(a, b, starter_hashes, common, cfg.k, cfg.window)
        if shared_tokens < cfg.min_shared_tokens:
            continue
        pairs.append(
            Pair(
                a=a.entry.learner,
                b=b.entry.learner,
                a_submission=a.entry.submission_id,
                b_submission=b.entry.submission_id,
                score=round(score, 3),
                a_share=round(a_share, 3),
                b_share=round(b_share, 3),
                shared_tokens=shared_tokens,
                matches=matches,
            )
        )
    pairs.sort(key=lambda p: (-p.score, -p.shared_tokens, p.a, p.b))
    return SimilarityReport(
        pairs=tuple(pairs[: max(max_pairs, 0)]),
        flagged=len(pairs),
        compared=len(compared),
        typical_score=round(typical, 3),
        spread=round(spread, 3),
        cutoff=round(cutoff, 3),
        notes=tuple(notes),
    )


def _read(entries: Sequence[Entry], cfg: Settings, notes: list[Note]) -> list[_Doc]:
    """Tokens and k-gram hashes of each entry; a note for those read only in part."""
    docs: list[_Doc] = []
    for entry in entries:
        tokens, problem = _tokenise(entry.code)
        if len(tokens) < cfg.k:
            message = "too little code to compare" + (f"; {problem}" if problem else "")
            notes.append(Note(entry.learner, entry.submission_id, message, compared=False))
            continue
        if problem:
            notes.append(Note(entry.learner, entry.submission_id, problem, compared=True))
        docs.append(_Doc(entry, tokens, _kgram_hashes([t.text for t in tokens], cfg.k)))
    return docs


def _common_kgrams(docs: list[_Doc], starter: set[int], cfg: Settings) -> set[int]:
    """k-grams in more than ``common_fraction`` of the submissions (and in more than 2)."""
    if len(docs) < cfg.min_cohort:
        return set()
    document_frequency: Counter[int] = Counter()
    for doc in docs:
        document_frequency.update(set(doc.hashes) - starter)
    most = max(2.0, cfg.common_fraction * len(docs))
    return {h for h, df in document_frequency.items() if df > most}


# --- tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    text: str
    first: int  # lines of the source it came from
    last: int
    layout: bool  # NEWLINE, INDENT, DEDENT: shape, but no place of its own to highlight


@dataclass
class _Doc:
    entry: Entry
    tokens: list[_Token]
    hashes: list[int]  # hash of the k-gram starting at each token
    fingerprints: set[int] = field(default_factory=set)


_KEPT_NAMES = frozenset(n for n in dir(builtins) if not n.startswith("_"))
_KEPT_ATTRIBUTES = frozenset(
    n
    for kind in (str, list, dict, set, tuple, int, float, bytes)
    for n in dir(kind)
    if not n.startswith("_")
)
_LAYOUT = {tokenize.NEWLINE: ";", tokenize.INDENT: "{", tokenize.DEDENT: "}"}
_DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
# Python 3.12 splits f-strings into parts; 3.11 reads them as one STRING.
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _tokenise(code: str) -> tuple[list[_Token], str | None]:
    """Normalised tokens of ``code``, and what went wrong reading it (or None).

    After a tokenize error the reader starts again on the line after the one named by
    the error, so one broken line does not hide the rest of the submission.
    """
    # Python 3.12's tokenizer refuses a whole source with a NUL byte in it.
    lines = code.replace("\0", "").splitlines(keepends=True)
    out: list[_Token] = []
    problem: str | None = None
    start = 0
    while start < len(lines):
        state = _Normaliser(out, offset=start)
        try:
            for tok in tokenize.generate_tokens(io.StringIO("".join(lines[start:])).readline):
                state.feed(tok)
            break
        except (tokenize.TokenError, SyntaxError, ValueError) as exc:
            line = _error_line(exc)
            if problem is None:
                where = f"line {start + line}: " if line else ""
                message = exc.args[0] if exc.args else type(exc).__name__
                problem = f"read as far as possible ({where}{message})"
            if not line:
                break
            start = max(start + line, start + 1)
    return out, problem


def _error_line(exc: Exception) -> int:
    if isinstance(exc, SyntaxError):
        return exc.lineno or 0
    if len(exc.args) > 1 and isinstance(exc.args[1], tuple) and exc.args[1]:
        line = exc.args[1][0]
        return line if isinstance(line, int) else 0
    return 0


class _Normaliser:
    def __init__(self, out: list[_Token], offset: int) -> None:
        self.out = out
        self.offset = offset
        self.fstring_depth = 0

    def feed(self, tok: tokenize.TokenInfo) -> None:
        kind, text = tok.type, tok.string
        first, last = tok.start[0] + self.offset, tok.end[0] + self.offset
        if _FSTRING_START is not None and kind == _FSTRING_START:
            if self.fstring_depth == 0:
                self.out.append(_Token('"', first, last, layout=False))
            self.fstring_depth += 1
            return
        if self.fstring_depth:
            if kind == _FSTRING_END:
                self.fstring_depth -= 1
            return
        if kind in _DROPPED:
            return
        if kind in _LAYOUT:
            self.out.append(_Token(_LAYOUT[kind], first, last, layout=True))
            return
        if kind == tokenize.NAME:
            after_dot = bool(self.out) and self.out[-1].text == "."
            if keyword.iskeyword(text):
                norm = text
            elif after_dot:
                norm = text if text in _KEPT_ATTRIBUTES else "N"
            else:
                norm = text if text in _KEPT_NAMES else "N"
        elif kind == tokenize.NUMBER:
            norm = "0"
        elif kind == tokenize.STRING:
            norm = '"'
        else:  # OP, ERRORTOKEN (a stray "$", "!" or unclosed quote)
            norm = text.strip()
            if not norm:
                return
        self.out.append(_Token(norm, first, last, layout=False))


# --- fingerprints -----------------------------------------------------------------------


def _kgram_hashes(texts: list[str], k: int) -> list[int]:
    return [
        int.from_bytes(
            hashlib.blake2b("\x1f".join(texts[i : i + k]).encode(), digest_size=8).digest()
        )
        for i in range(len(texts) - k + 1)
    ]


def _winnow(hashes: list[int], window: int) -> set[int]:
    """Winnowing: the smallest hash of every window (the rightmost one on ties)."""
    if len(hashes) <= window:
        return {min(hashes)} if hashes else set()
    chosen: set[int] = set()
    last = -1
    for start in range(len(hashes) - window + 1):
        best = start
        for i in range(start + 1, start + window):
            if hashes[i] <= hashes[best]:
                best = i
        if best != last:
            chosen.add(hashes[best])
            last = best
    return chosen


# --- matching passages ------------------------------------------------------------------


def _matches(
    a: _Doc, b: _Doc, starter: set[int], common: set[int], k: int, window: int
) -> tuple[tuple[Match, ...], int]:
    """Longest runs of equal k-grams (starter k-grams break a run); the shared tokens.

    A run is kept when it is at least as long as winnowing guarantees to notice
    (``k + window - 1`` tokens: shorter ones are one-line idioms such as
    ``result = [] / for x in``) and holds at least one k-gram that is not common, so
    shared boilerplate is not highlighted while a copied passage stays whole even where
    it contains a common line.
    """
    where_in_b: dict[int, list[int]] = {}
    for j, h in enumerate(b.hashes):
        if h not in starter:
            where_in_b.setdefault(h, []).append(j)
    used_b: set[int] = set()
    runs: list[tuple[int, int, int]] = []  # (start in a, start in b, k-grams)
    i = 0
    while i < len(a.hashes):
        h = a.hashes[i]
        best_j, best_len = -1, 0
        if h not in starter:
            for j in where_in_b.get(h, ()):
                if j in used_b:
                    continue
                n = 1
                while (
                    i + n < len(a.hashes)
                    and j + n < len(b.hashes)
                    and a.hashes[i + n] == b.hashes[j + n]
                    and a.hashes[i + n] not in starter
                    and j + n not in used_b
                ):
                    n += 1
                if n > best_len:
                    best_j, best_len = j, n
        if best_len >= window and any(x not in common for x in a.hashes[i : i + best_len]):
            runs.append((i, best_j, best_len))
            used_b.update(range(best_j, best_j + best_len))
            i += best_len
        else:
            i += 1
    matches = tuple(
        Match(
            a_lines=_lines(a.tokens[i : i + n + k - 1]),
            b_lines=_lines(b.tokens[j : j + n + k - 1]),
            tokens=n + k - 1,
        )
        for i, j, n in runs
    )
    a_covered = _covered((i, i + n + k - 1) for i, _, n in runs)
    b_covered = _covered((j, j + n + k - 1) for _, j, n in runs)
    return matches, min(a_covered, b_covered)


def _lines(tokens: list[_Token]) -> Lines:
    placed = [t for t in tokens if not t.layout] or tokens
    return min(t.first for t in placed), max(t.last for t in placed)


def _covered(ranges: Iterable[tuple[int, int]]) -> int:
    """How many positions the half-open ranges cover together."""
    total, reach = 0, 0
    for start, end in sorted(ranges):
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return total


def _merge(spans: Iterable[Lines]) -> tuple[Lines, ...]:
    merged: list[Lines] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)
