"""The seeded class folder the batch tests grade."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

SEEDED = Path(__file__).parent / "class_7a"

# A notebook cut off mid-save. Written by the test, not kept in class_7a/: the linters
# read .ipynb files and would stop at it.
BROKEN_NOTEBOOK = (
    '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", '
    '"source": "def add(a, b):\\n    return a + b\\n", "outp'
)


@pytest.fixture
def seeded_class() -> Callable[[Path], Path]:
    """``seeded_class(folder)`` copies the seeded class to ``folder/class_7a`` and returns
    it, for ``add-two``: alice is right, bob multiplies (1 of 6 tests), carol misnames
    the function (``plus``), dan's file is empty, erin's notebook is broken, frank's
    notebook (in a folder of his own) is right and has a ``skip-grading`` magic cell."""

    def copy(folder: Path) -> Path:
        target = folder / "class_7a"
        shutil.copytree(SEEDED, target)
        (target / "erin.ipynb").write_text(BROKEN_NOTEBOOK)
        return target

    return copy
