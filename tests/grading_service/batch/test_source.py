"""A file's bytes become the module live grading would grade, or a row saying why not."""

from __future__ import annotations

import itertools
import json

import pytest

from grading_service.batch.source import Module, Unusable, module_from


def notebook(*cells: dict, **top) -> bytes:
    doc = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells), **top}
    return json.dumps(doc).encode()


IDS = itertools.count()


def cell(source: str | list[str], kind: str = "code", tags: list[str] | None = None) -> dict:
    made = {"cell_type": kind, "id": f"cell-{next(IDS)}", "source": source}
    made["metadata"] = {"tags": tags} if tags else {}
    if kind == "code":
        made.update(execution_count=None, outputs=[])
    return made


def test_a_python_file_is_its_own_module() -> None:
    assert module_from(b"def add(a, b):\n    return a + b\n", "code") == Module(
        "def add(a, b):\n    return a + b\n"
    )


def test_a_notebook_on_disk_with_sources_as_lists_of_lines_is_joined_as_nbformat_reads_it() -> None:
    data = notebook(
        cell(["# Add\n", "Write add."], kind="markdown"),
        cell(["def add(a, b):\n", "    return a + b"]),
        cell("%timeit add(1, 2)", tags=["skip-grading"]),
    )
    assert module_from(data, "notebook") == Module("def add(a, b):\n    return a + b\n")


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b"", "code", "The file is empty"),
        (b"  \n\n\t\n", "code", "The file is empty"),
        (b"", "notebook", "The file is empty"),
        (notebook(cell("Only words.", kind="markdown")), "notebook", "no code cells"),
        (notebook(cell(["   \n"])), "notebook", "no code cells"),
    ],
)
def test_nothing_to_grade_is_the_verdict_empty(data: bytes, kind: str, message: str) -> None:
    result = module_from(data, kind)
    assert isinstance(result, Unusable) and result.verdict == "empty"
    assert message in result.message


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b'{"nbformat": 4, "cells": [{"cell_type": "co', "notebook", "it is not JSON"),
        (b"[1, 2]", "notebook", "not a JSON object"),
        (
            json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}).encode(),
            "notebook",
            "not a valid nbformat v4 notebook",
        ),
        (notebook(cell("!pip install numpy")), "notebook", "uses IPython syntax"),
        (b"x = '\xff\xfe'\n", "code", "not UTF-8"),
        (b"x = 1\n" * 20000, "code", "larger than 65536 bytes"),
        (notebook(cell("x = 1")) + b" " * (1024 * 1024), "notebook", "larger than 1048576"),
    ],
)
def test_a_file_that_cannot_become_a_module_is_the_verdict_invalid(
    data: bytes, kind: str, message: str
) -> None:
    result = module_from(data, kind)
    assert isinstance(result, Unusable) and result.verdict == "invalid", result
    assert message in result.message


def test_a_byte_order_mark_is_not_part_of_the_code() -> None:
    assert module_from(b"\xef\xbb\xbfx = 1\n", "code") == Module("x = 1\n")
