"""Turning a submitted notebook into the learner's module."""

from __future__ import annotations

import nbformat

SKIP_TAG = "skip-grading"


class NotebookError(ValueError):
    """The notebook cannot be graded; the message tells the learner why."""


def notebook_source(notebook: dict) -> str:
    """The code cells, in order, as one module.

    Cells tagged ``skip-grading`` are left out. IPython magics and shell escapes are
    rejected: they only work in a kernel, and a graded module must be plain Python.
    """
    try:
        nb = nbformat.from_dict(notebook)
        nbformat.validate(nb, version=4)
    except Exception as exc:  # nbformat raises several types for a broken document
        raise NotebookError(f"not a valid nbformat v4 notebook: {_first_line(exc)}") from None
    parts = []
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        if SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        # On disk a cell's source may be a list of lines (JupyterLab sends one string).
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        for line in source.splitlines():
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                raise NotebookError(
                    f"cell {number} uses IPython syntax ({stripped[:40]!r}); remove it or "
                    f"tag the cell '{SKIP_TAG}' so it is not graded"
                )
        parts.append(source)
    return "\n\n".join(parts) + "\n"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
