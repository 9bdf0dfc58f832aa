"""Building a problem's notebook or script, and reading a learner's file back for grading.

Pure functions: no I/O, so they are tested without a server.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

Format = Literal["notebook", "script"]
FORMATS: dict[str, str] = {"notebook": ".ipynb", "script": ".py"}

#: Problem ids as the grader names them; checked before any call or file name is built.
PROBLEM_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

SCRIPT_MARKER = "# coderunner: problem_id="

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def is_valid_problem_id(problem_id: str) -> bool:
    return PROBLEM_ID_RE.fullmatch(problem_id) is not None


def problem_filename(problem_id: str, fmt: Format) -> str:
    return f"{problem_id}{FORMATS[fmt]}"


def build_notebook(problem_id: str, title: str, statement: str, starter: str) -> NotebookNode:
    """A v4 notebook: ``# <title>`` + statement in Markdown, then the starter code.

    ``metadata.coderunner.problem_id`` lets the front end submit the notebook without asking
    which problem it belongs to.
    """
    heading = f"# {title}"
    if statement.lstrip().startswith("# "):  # the statement brings its own title
        markdown = statement.strip()
    else:
        markdown = f"{heading}\n\n{statement.strip()}" if statement.strip() else heading
    nb = nbformat.v4.new_notebook(
        cells=[
            # JupyterLab and Notebook 7 keep a cell with these flags from being edited or
            # deleted, so a child cannot lose the problem's text by accident.
            nbformat.v4.new_markdown_cell(
                markdown, metadata={"editable": False, "deletable": False}
            ),
            nbformat.v4.new_code_cell(starter.rstrip("\n")),
        ],
        metadata={
            "coderunner": {"problem_id": problem_id},
            "kernelspec": dict(_KERNELSPEC),
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


def link_assets(statement: str, asset_base: str) -> str:
    """Point the statement's ``assets/<image>`` links at this server's asset route."""
    return statement.replace("](assets/", f"]({asset_base}")


SCRIPT_POINTER = "# The problem is shown in the Code Runner panel beside this file."


def build_script(problem_id: str, title: str, statement: str, starter: str) -> str:
    """A ``.py`` file: marker line, the title, where to read the problem, the starter.

    The statement itself is Markdown with pictures: the side panel shows it rendered
    beside the editor, rather than as raw Markdown in comments. The marker line is
    optional (a file under ``problems/`` is also known by its name).
    """
    lines = [f"{SCRIPT_MARKER}{problem_id}", f"# {title}", SCRIPT_POINTER]
    text = "\n".join(lines) + "\n\n"
    if starter.strip():
        text += starter.rstrip("\n") + "\n"
    return text


def notebook_for_submission(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of the learner's notebook without outputs.

    The grader re-runs the code itself, so outputs (plots can weigh megabytes) would only
    count against the submission size limit.
    """
    clean = nbformat.from_dict(nb)
    for cell in clean.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return dict(clean)
