"""Code similarity: a disguised copy is found, independent solutions are left alone."""

from __future__ import annotations

import pytest

from grading_service.similarity import Entry, Pair, Settings, similar_pairs

from . import similarity_samples as samples


def entries(solutions: dict[str, str]) -> list[Entry]:
    return [Entry(learner, f"sub-{learner}", code) for learner, code in solutions.items()]


def words_cohort(**extra: str) -> list[Entry]:
    return entries({**samples.WORDS_INDEPENDENT, **extra})


def line_of(code: str, text: str) -> int:
    """The 1-based number of the one line of ``code`` that contains ``text``."""
    found = [n for n, line in enumerate(code.splitlines(), start=1) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


def inside(line: int, spans: tuple[tuple[int, int], ...]) -> bool:
    return any(first <= line <= last for first, last in spans)


def every_pair(cohort: list[Entry], starter: str = "") -> list[Pair]:
    """Every pair with its score, however low: what the cohort rule compares against."""
    report = similar_pairs(
        cohort, starter, threshold=0.0, max_pairs=10_000, settings=Settings(min_shared_tokens=0)
    )
    return list(report.pairs)


def test_planted_copy_is_flagged_with_high_score_and_spans_on_the_copied_code() -> None:
    original, copy = samples.WORDS_ORIGINAL, samples.WORDS_PLANTED_COPY
    # The disguise is thorough: apart from blank lines, the two files share only the
    # `if __name__ == "__main__":` line.
    shared_lines = {line.strip() for line in original.splitlines()} & {
        line.strip() for line in copy.splitlines()
    }
    assert shared_lines == {"", 'if __name__ == "__main__":'}

    report = similar_pairs(
        words_cohort(olga=original, pavel=copy), samples.WORDS_STARTER, max_pairs=10
    )

    assert [(p.a, p.b) for p in report.pairs] == [("olga", "pavel")]
    pair = report.pairs[0]
    assert (pair.a_submission, pair.b_submission) == ("sub-olga", "sub-pavel")
    assert pair.score >= 0.9
    assert pair.shared_tokens >= 200
    # Each function of the original is matched with the same function in the copy, which
    # sits elsewhere in the file: the side-by-side view pairs them up.
    for in_original, in_copy in [
        ("while len(word) > 0 and word[-1] in PUNCTUATION:", "while len(w) > 0 and w[-1] in"),
        ("counts[word] = counts[word] + 1", "tally[cleaned] = tally[cleaned] + 1"),
        ("for i in range(min(n, len(pairs))):", "for k in range(min(how_many, len(every"),
        ("return (-item[1], item[0])", "return (-entry[1], entry[0])"),
    ]:
        a_line, b_line = line_of(original, in_original), line_of(copy, in_copy)
        assert any(
            m.a_lines[0] <= a_line <= m.a_lines[1] and m.b_lines[0] <= b_line <= m.b_lines[1]
            for m in pair.matches
        ), (in_original, pair.matches)
    assert report.typical_score < 0.2


def test_spans_cover_the_copied_functions_and_not_the_one_written_alone() -> None:
    original, partial = samples.WORDS_ORIGINAL, samples.WORDS_PARTIAL_COPY
    report = similar_pairs(words_cohort(olga=original, quinn=partial), samples.WORDS_STARTER)

    assert [(p.a, p.b) for p in report.pairs] == [("olga", "quinn")]
    pair = report.pairs[0]
    for copied in ["while len(token) > 0 and token[0] in MARKS:", "found[w] = found[w] + 1"]:
        assert inside(line_of(partial, copied), pair.b_spans), copied
    for own in ["best.append((counts[word], word))", "best.sort(key=lambda t: -t[0])"]:
        assert not inside(line_of(partial, own), pair.b_spans), own
    assert not inside(line_of(original, "pairs.sort(key=by_count)"), pair.a_spans)


@pytest.mark.parametrize(
    "solutions",
    [samples.IS_EVEN, samples.TOTAL, samples.FIZZBUZZ],
    ids=["is_even", "total", "fizzbuzz"],
)
def test_independent_solutions_of_an_easy_problem_are_not_flagged(
    solutions: dict[str, str],
) -> None:
    cohort = entries(solutions)
    # Children do write the same lines: some pairs are identical once names are ignored.
    assert any(p.score == 1.0 for p in every_pair(cohort))

    report = similar_pairs(cohort)

    assert report.pairs == ()
    assert report.flagged == 0


@pytest.mark.parametrize("starter", [samples.WORDS_STARTER, ""], ids=["starter", "no-starter"])
def test_independent_solutions_of_a_medium_problem_are_not_flagged(starter: str) -> None:
    cohort = words_cohort()

    report = similar_pairs(cohort, starter)

    assert report.pairs == ()
    assert report.compared == len(cohort)
    # Far from the line, not just under it.
    assert max(p.score for p in every_pair(cohort, starter)) < 0.4


def test_starter_code_shared_by_everyone_does_not_make_pairs_similar() -> None:
    # Three learners kept the 30-line starter and each wrote `average` their own way.
    cohort = [
        Entry(learner, f"sub-{learner}", samples.table_submission(body))
        for learner, body in samples.TABLE_AVERAGES.items()
    ]
    without_starter = similar_pairs(cohort)
    assert without_starter.flagged == 3  # the starter alone makes them look alike

    report = similar_pairs(cohort, samples.TABLE_STARTER)

    assert report.pairs == ()
    assert report.typical_score == 0.0


def test_broken_code_does_not_crash_and_is_compared_as_far_as_it_reads() -> None:
    broken = {
        "unclosed_bracket": "def f(x):\n    return (x + 1\n\ny = f(2)\n",
        "bad_dedent": "def f(x):\n        a = 1\n    b = 2\n    return a\n",
        "open_docstring": 'def f():\n    """never closed\n    return 1\n',
        "open_string": "name = 'Ada\nprint(name)\n",
        "nul_byte": "x = 1\x00\ny = 2\n",
        "mixed_tabs": "if x:\n\ty = 1\n        z = 2\n",
        "shell_escape": "!pip install numpy\n%timeit f()\n",
        "notebook_json": '{"cells": [{"source": ["def f(:"]}], "nbformat": 4}',
        "empty": "",
        "only_comments": "# TODO\n\n# later\n",
    }
    # A copy whose count_words lost a closing bracket halfway through is still a copy.
    broken_copy = samples.WORDS_PLANTED_COPY.replace("tally[cleaned] = 0", "tally[cleaned] = (0")
    cohort = words_cohort(olga=samples.WORDS_ORIGINAL, pavel=broken_copy, **broken)

    report = similar_pairs(cohort, samples.WORDS_STARTER)

    assert [(p.a, p.b) for p in report.pairs] == [("olga", "pavel")]
    assert report.pairs[0].score >= 0.7
    notes = {note.learner: note for note in report.notes}
    assert notes["pavel"].compared and "read as far as possible" in notes["pavel"].message
    assert not notes["empty"].compared and "too little code" in notes["empty"].message
    assert not notes["only_comments"].compared
    assert "olga" not in notes


def test_nothing_but_broken_code_gives_an_empty_report() -> None:
    report = similar_pairs(entries({"a": ")(", "b": '"""', "c": "\x00", "d": "\t\t)"}))

    assert report.pairs == ()
    assert report.compared == 0
    assert {note.learner for note in report.notes} == {"a", "b", "c", "d"}


def test_each_pair_is_reported_once_ordered_by_score_and_limited_by_max_pairs() -> None:
    dev_copy = samples.rename(
        samples.WORDS_INDEPENDENT["dev"],
        {"word": "token", "words": "parts", "result": "freq", "left": "rest", "top": "best",
         "best_word": "winner", "letters": "ok", "i": "p", "j": "q", "w": "cur"},
    )  # fmt: skip
    cohort = words_cohort(
        olga=samples.WORDS_ORIGINAL,
        pavel=samples.WORDS_PLANTED_COPY,
        quinn=samples.WORDS_PARTIAL_COPY,
        ravi=dev_copy,
    )

    full = similar_pairs(cohort, samples.WORDS_STARTER)

    found = [frozenset((p.a, p.b)) for p in full.pairs]
    assert set(found) == {
        frozenset(pair)
        for pair in [("olga", "pavel"), ("olga", "quinn"), ("pavel", "quinn"), ("dev", "ravi")]
    }
    assert len(found) == len(set(found)) == full.flagged == 4
    scores = [p.score for p in full.pairs]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) > 1

    limited = similar_pairs(cohort, samples.WORDS_STARTER, max_pairs=2)

    assert limited.pairs == full.pairs[:2]
    assert limited.flagged == 4


def test_two_submissions_of_one_learner_are_not_a_pair() -> None:
    cohort = words_cohort() + [
        Entry("olga", "first", samples.WORDS_ORIGINAL),
        Entry("olga", "second", samples.WORDS_PLANTED_COPY),
    ]

    assert similar_pairs(cohort, samples.WORDS_STARTER).pairs == ()


def test_an_explicit_threshold_replaces_the_cohort_cutoff() -> None:
    cohort = words_cohort(olga=samples.WORDS_ORIGINAL, quinn=samples.WORDS_PARTIAL_COPY)
    automatic = similar_pairs(cohort, samples.WORDS_STARTER)
    score = automatic.pairs[0].score

    assert similar_pairs(cohort, samples.WORDS_STARTER, threshold=score + 0.01).pairs == ()
    strict = similar_pairs(cohort, samples.WORDS_STARTER, threshold=score)
    assert strict.cutoff == score and len(strict.pairs) == 1
