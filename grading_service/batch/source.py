"""A file's bytes → the learner's module, exactly as live grading makes it.

A notebook becomes code through ``edge.notebook.notebook_source``, the function the
grading service uses for notebook submissions (code cells in order, ``skip-grading``
cells left out, IPython magics refused). A file that yields no module is not an error of
the run but the learner's result, a row with its own verdict and score 0, recorded like
any other so that a resumed run does not try it again:

- ``empty``: nothing to grade (an empty file, or a notebook without code);
- ``invalid``: the file cannot become a module (not UTF-8, not a valid nbformat v4
  notebook, IPython syntax, larger than the service accepts). The message says why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from ..edge.notebook import NotebookError, notebook_source

FileVerdict = Literal["empty", "invalid"]
"""Verdicts of files that hold no module to grade (on top of ``records.Verdict``)."""
FILE_VERDICTS: tuple[FileVerdict, ...] = ("empty", "invalid")

# The grading service's defaults (GradingService.max_code_bytes, max_notebook_bytes),
# so a file graded here is refused exactly when the service would refuse it.
MAX_CODE_BYTES = 64 * 1024
MAX_NOTEBOOK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Module:
    """Code to grade."""

    code: str


@dataclass(frozen=True)
class Unusable:
    """A file that yields no module: the verdict and message of its row."""

    verdict: FileVerdict
    message: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def module_from(
    data: bytes,
    kind: str,
    *,
    max_code_bytes: int = MAX_CODE_BYTES,
    max_notebook_bytes: int = MAX_NOTEBOOK_BYTES,
) -> Module | Unusable:
    """The module in a ``.py`` file (``kind`` ``code``) or a notebook (``notebook``)."""
    if not data.strip():
        return Unusable("empty", "The file is empty: there is no code to grade.")
    if kind == "notebook" and len(data) > max_notebook_bytes:
        return Unusable("invalid", f"The notebook is larger than {max_notebook_bytes} bytes.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Unusable("invalid", f"The file is not UTF-8 text (byte {exc.start}).")
    if kind == "notebook":
        try:
            notebook = json.loads(text)
        except ValueError as exc:
            return Unusable("invalid", f"Cannot grade this notebook: it is not JSON ({exc}).")
        if not isinstance(notebook, dict):
            return Unusable("invalid", "Cannot grade this notebook: it is not a JSON object.")
        try:
            text = notebook_source(notebook)
        except NotebookError as exc:
            return Unusable("invalid", f"Cannot grade this notebook: {exc}")
        if not text.strip():
            return Unusable("empty", "The notebook has no code cells: there is no code to grade.")
    if len(text.encode()) > max_code_bytes:
        return Unusable("invalid", f"The code is larger than {max_code_bytes} bytes.")
    return Module(text)
