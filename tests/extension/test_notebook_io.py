"""Building problem files and preparing notebooks for submission (pure functions)."""

from __future__ import annotations

import nbformat
import pytest

from extension.notebook_io import (
    build_notebook,
    build_script,
    is_valid_problem_id,
    notebook_for_submission,
    problem_filename,
)


@pytest.mark.parametrize("problem_id", ["a", "sum-two", "p_01", "9lives", "a" * 64])
def test_accepts_grader_style_ids(problem_id: str) -> None:
    assert is_valid_problem_id(problem_id)


@pytest.mark.parametrize(
    "problem_id", ["", "A", "-a", "_a", "a" * 65, "a/b", "..", "a.ipynb", "é", "a\n"]
)
def test_rejects_ids_that_could_escape_or_confuse_paths(problem_id: str) -> None:
    assert not is_valid_problem_id(problem_id)


def test_filename_per_format() -> None:
    assert problem_filename("p1", "notebook") == "p1.ipynb"
    assert problem_filename("p1", "script") == "p1.py"


def test_notebook_has_title_statement_then_starter_and_problem_id() -> None:
    nb = build_notebook("p1", "Title", "Do **this**.\n", "x = 1\n")
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[0].source == "# Title\n\nDo **this**."
    assert nb.cells[1].source == "x = 1"
    assert nb.metadata.coderunner == {"problem_id": "p1"}
    assert nb.metadata.kernelspec.name == "python3"


def test_script_has_marker_title_once_and_points_at_the_rendered_statement() -> None:
    text = build_script("p1", "Title", "# Title\n\nLine **one**", "def f():\n    pass")
    assert text == (
        "# coderunner: problem_id=p1\n"
        "# Title\n"
        "# The problem is shown in the Code Runner panel beside this file.\n"
        "\n"
        "def f():\n"
        "    pass\n"
    )
    assert "**" not in text  # no raw Markdown in comments
    compile(text, "p1.py", "exec")


def test_the_statement_cell_cannot_be_edited_or_deleted() -> None:
    nb = build_notebook("p1", "Title", "Do this.\n", "x = 1\n")
    assert nb.cells[0].metadata == {"editable": False, "deletable": False}
    assert "editable" not in nb.cells[1].metadata


def test_script_without_statement_or_starter_is_still_valid_python() -> None:
    text = build_script("p1", "Title", "", "")
    assert text.startswith("# coderunner: problem_id=p1\n")
    compile(text, "p1.py", "exec")


def test_submission_notebook_drops_outputs_but_keeps_source_and_original() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# t"),
            nbformat.v4.new_code_cell(
                "print(1)", execution_count=7, outputs=[nbformat.v4.new_output("stream", text="1")]
            ),
        ]
    )
    sent = notebook_for_submission(nb)
    nbformat.validate(nbformat.from_dict(sent))
    assert sent["cells"][1]["source"] == "print(1)"
    assert (sent["cells"][1]["outputs"], sent["cells"][1]["execution_count"]) == ([], None)
    assert nb.cells[1].outputs  # the learner's own notebook object is untouched
