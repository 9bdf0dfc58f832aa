"""Batch grading throughput: ``coderunner grade --local`` on a class folder of notebooks.

``count`` notebooks (each a different, correct answer to the benchmark's problem) are
written to a temporary class folder and graded with ``--jobs``; the result is files per
second, which the benchmark sets against the raw container ceiling of the same run (each
file needs one throwaway sandbox, so the ceiling bounds it).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat


def write_class(folder: Path, count: int, code_for: Any) -> None:
    for i in range(count):
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell("My answer"),
            nbformat.v4.new_code_cell(code_for(i)),
        ]
        nbformat.write(nb, folder / f"learner{i:03d}.ipynb")


async def measure(
    *, image: str, content: Path, problem: str, count: int, jobs: int, code_for: Any
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="coderunner-batch-") as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "out"
        folder.mkdir()
        write_class(folder, count, code_for)
        command = [
            str(Path(sys.executable).parent / "coderunner"),
            "grade",
            "--problem",
            problem,
            "--local",
            "--content",
            str(content),
            "--image",
            image,
            "--jobs",
            str(jobs),
            "--out",
            str(out),
            str(folder),
        ]
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        stdout, stderr = await proc.communicate()
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(
                f"coderunner grade exited {proc.returncode}: {stderr.decode()[-2000:]}"
            )
        results = json.loads((out / "results.json").read_text())["results"]
        verdicts: dict[str, int] = {}
        for row in results:
            verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
        return {
            "files": count,
            "jobs": jobs,
            "seconds": round(seconds, 1),
            "files_per_s": round(count / seconds, 2),
            "verdicts": verdicts,
            "summary": stdout.decode().strip().splitlines()[-1:] or [""],
        }
