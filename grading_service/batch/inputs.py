"""Which files a batch grades, and whose they are.

``find_submissions(paths)`` turns the command line's PATHs into one ``Found`` per file
to grade, each with its learner's name. The naming rule, in this order:

1. **nbgrader layout.** A file whose path ends in
   ``submitted/<student>/<assignment>/<file>`` belongs to ``<student>``, whatever PATH
   pointed at (the course folder, ``submitted/``, one student's folder, or
   ``submitted/*/ps1`` for one assignment), so nbgrader's exchange folder works without
   renaming anything. (A folder that happens to be called ``submitted`` two levels above
   a file's folder is read the same way.)
2. **A file given as PATH** (``alice.py``, ``bob.ipynb``): its name without the
   extension.
3. **A folder given as PATH** is a class folder: a file right inside it is named by its
   own name (``class/alice.py`` → ``alice``); a file further down belongs to the
   top-level folder it is in (``class/carol/answer.ipynb`` and ``class/carol/v2/x.py``
   → ``carol``). So pass the class folder, not ``class/*``: a learner's folder given as
   PATH is itself a class folder, and its files are named by their own names.

Only ``.py`` and ``.ipynb`` files are graded. Names starting with ``.`` or ``_``
(``.ipynb_checkpoints``, ``__pycache__``, ``__init__.py``) are skipped, other files
ignored, symbolic links to folders not followed. Ambiguous cases are graded, not
guessed at: two files for one learner (``alice.py`` and ``alice.ipynb``, or two
notebooks in ``carol/``) are both graded, one row each, and the ``file`` column says
which; the same file reached through two PATHs is graded once, named by the first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".ipynb")
NBGRADER_FOLDER = "submitted"


class InputError(ValueError):
    """A PATH on the command line that cannot be graded; the message says which."""


@dataclass(frozen=True)
class Found:
    """One file to grade: whose it is, where it is, and how rows name it."""

    learner: str
    path: Path  # absolute, symbolic links resolved: the record's key
    file: str  # as rows show it: relative to the working folder when below it

    @property
    def kind(self) -> str:
        return "notebook" if self.path.suffix == ".ipynb" else "code"


def gradeable(name: str) -> bool:
    """A file or folder name batch grading looks at (not hidden, not private)."""
    return not name.startswith((".", "_"))


def nbgrader_student(path: Path) -> str | None:
    """``<student>`` when ``path`` ends in ``submitted/<student>/<assignment>/…/<file>``.

    The last such ``submitted`` wins, so a course kept under some other ``submitted``
    folder is still read by its own layout.
    """
    parts = path.parts
    for index in range(len(parts) - 4, -1, -1):
        if parts[index] == NBGRADER_FOLDER:
            return parts[index + 1]
    return None


def learner_name(path: Path, root: Path | None) -> str:
    """The learner a file belongs to (the rule in this module's docstring).

    ``root`` is the class folder given as PATH, or None when the file itself was given.
    """
    student = nbgrader_student(path)
    if student is not None:
        return student
    if root is None:
        return path.stem
    relative = path.relative_to(root).parts
    return path.stem if len(relative) == 1 else relative[0]


def display_path(path: Path, cwd: Path) -> str:
    """How rows show a file: relative to the working folder when below it, else absolute."""
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _walk(folder: Path) -> list[Path]:
    """Gradeable files below ``folder``, in a stable order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if gradeable(d))
        for name in sorted(filenames):
            if gradeable(name) and name.endswith(SUFFIXES):
                found.append(Path(dirpath) / name)
    return found


def find_submissions(paths: list[Path], cwd: Path | None = None) -> list[Found]:
    """Every file to grade under ``paths``, sorted by learner and file.

    Raises ``InputError`` for a PATH that does not exist or is a file of another kind.
    An empty result is the caller's to report.
    """
    cwd = (cwd or Path.cwd()).resolve()
    seen: dict[Path, Found] = {}
    for given in paths:
        absolute = Path(os.path.abspath(cwd / given))
        candidates: list[tuple[Path, Path | None]]  # (file, the class folder it is in)
        if absolute.is_dir():
            candidates = [(file, absolute) for file in _walk(absolute)]
        elif absolute.is_file():
            if absolute.suffix not in SUFFIXES:
                raise InputError(f"{given}: not a .py file or a notebook (.ipynb)")
            candidates = [(absolute, None)]
        else:
            raise InputError(f"{given}: no such file or folder")
        for file, root in candidates:
            # Name by the path as given (a symlinked class folder keeps its names); key
            # by the real file, so one file reached twice is graded once.
            key = file.resolve()
            if key not in seen:
                seen[key] = Found(learner_name(file, root), key, display_path(file, cwd))
    return sorted(seen.values(), key=lambda f: (f.learner, f.file))
