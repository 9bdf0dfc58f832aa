"""Notebook submissions become the learner's module."""

from __future__ import annotations

import pytest

from grading_service.edge.notebook import NotebookError, notebook_source


def nb(*cells: dict) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


def code(source: str, tags: list[str] | None = None, cid: str = "c") -> dict:
    return {
        "cell_type": "code",
        "id": cid,
        "metadata": {"tags": tags or []},
        "execution_count": None,
        "outputs": [],
        "source": source,
    }


def test_code_cells_are_joined_in_order_and_markdown_dropped() -> None:
    source = notebook_source(
        nb(
            {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Title"},
            code("x = 1", cid="a"),
            code("def f():\n    return x", cid="b"),
        )
    )
    assert source == "x = 1\n\ndef f():\n    return x\n"


def test_cells_tagged_skip_grading_are_left_out() -> None:
    source = notebook_source(
        nb(code("x = 1", cid="a"), code("print(f())", ["skip-grading"], cid="b"))
    )
    assert "print" not in source


@pytest.mark.parametrize("line", ["%timeit f()", "!ls", "  %%bash"])
def test_magics_and_shell_escapes_are_rejected_clearly(line: str) -> None:
    with pytest.raises(NotebookError, match="IPython syntax"):
        notebook_source(nb(code(line)))


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"nbformat": 4},
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "x"},
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []},
    ],
)
def test_broken_notebooks_are_rejected(broken: dict) -> None:
    with pytest.raises(NotebookError, match="not a valid nbformat v4 notebook"):
        notebook_source(broken)


def test_sources_saved_as_lists_of_lines_are_read_as_on_disk() -> None:
    """The notebook file format allows a cell's source as a list of lines (as a saved
    .ipynb has it); a client posting a file as it is must not get a server error."""
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "id": "a1",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": ["def add(a, b):\n", "    return a + b\n"],
            }
        ],
    }
    assert notebook_source(nb).strip() == "def add(a, b):\n    return a + b"
