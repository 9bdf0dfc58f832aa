"""Practice in the learner's own server: checks against the public tests, runs with typed
input, hints, history, cheatsheets and locked levels (extension/practice.py and the
routes in extension/handlers.py), against a real Jupyter server and a fake grader."""

from __future__ import annotations

import json
import stat

import nbformat

from .test_handlers import call


async def write(jp_root_dir, name: str, text: str) -> str:
    (jp_root_dir / "problems").mkdir(exist_ok=True)
    (jp_root_dir / "problems" / name).write_text(text)
    return f"problems/{name}"


async def test_a_check_runs_the_public_tests_and_says_what_the_code_gave(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    path = await write(jp_root_dir, "sum-two.py", "def add(a, b):\n    print(a + b)\n")
    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "check", method="POST", body={"path": path}
    )
    assert status == 200
    assert body["practice"] is True and body["verdict"] == "failed"
    small = body["tests"][0]
    assert small["message"] == "add(2, 3) gave None, expected 5. Did you return the answer?"
    assert small["detail"] == {"call": "add(2, 3)", "got": "None", "expected": "5"}
    assert small["stdout"] == "5\n"
    assert not any(r["method"] == "POST" for r in fake_grader.requests), "no submission made"


async def test_a_right_answer_passes_the_check_and_reads_the_data_file(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    path = await write(jp_root_dir, "sum-two.py", "def add(a, b):\n    return a + b\n")
    _, body, _ = await call(
        jp_fetch, "problems", "sum-two", "check", method="POST", body={"path": path}
    )
    assert body["verdict"] == "passed" and body["passed"] == body["total"] == 2


async def test_a_notebook_is_checked_from_its_code_cells(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Sum"),
            nbformat.v4.new_code_cell("def add(a, b):\n    return a + b"),
        ]
    )
    (jp_root_dir / "problems").mkdir(exist_ok=True)
    nbformat.write(nb, jp_root_dir / "problems" / "sum-two.ipynb")
    _, body, _ = await call(
        jp_fetch,
        "problems",
        "sum-two",
        "check",
        method="POST",
        body={"path": "problems/sum-two.ipynb"},
    )
    assert body["verdict"] == "passed"


async def test_a_program_check_ignores_input_prompts_and_shows_the_input(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    source = "name = input('What is your name? ')\nprint('Beep!')\nprint('Hello', name)\n"
    path = await write(jp_root_dir, "robot-hello.py", source)
    _, body, _ = await call(
        jp_fetch, "problems", "robot-hello", "check", method="POST", body={"path": path}
    )
    mia = body["tests"][0]
    assert mia["detail"] == {
        "stdin": "Mia\n",
        "expected": "Beep!\nHi Mia",
        "got": "Beep!\nHello Mia",
    }
    assert mia["message"] == "Line 2 should be “Hi Mia” but your program printed “Hello Mia”."
    fixed = source.replace("'Hello', name", "'Hi', name")
    await write(jp_root_dir, "robot-hello.py", fixed)
    _, body, _ = await call(
        jp_fetch, "problems", "robot-hello", "check", method="POST", body={"path": path}
    )
    assert body["verdict"] == "passed"


async def test_an_endless_loop_ends_the_check_with_a_timeout(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    path = await write(jp_root_dir, "sum-two.py", "while True:\n    pass\n")
    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "check", method="POST", body={"path": path}
    )
    assert status == 200 and body["verdict"] == "timeout"
    assert body["message"] == "Your code ran longer than the 2 s time limit."


async def test_a_program_runs_with_typed_input(jp_fetch, jp_root_dir, fake_grader) -> None:
    path = await write(jp_root_dir, "robot-hello.py", "n = input('Name? ')\nprint('Hi', n)\n1/0\n")
    status, body, _ = await call(
        jp_fetch,
        "problems",
        "robot-hello",
        "run",
        method="POST",
        body={"path": path, "stdin": "Zoe\n"},
    )
    assert status == 200
    assert body["stdout"] == "Hi Zoe\n"
    assert body["error"] == "Your code raised ZeroDivisionError on line 3: division by zero"


async def test_a_check_of_a_missing_file_is_404(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(
        jp_fetch, "problems", "sum-two", "check", method="POST", body={"path": "problems/nope.py"}
    )
    assert status == 404


async def test_hints_are_forwarded_one_at_a_time(jp_fetch, fake_grader) -> None:
    assert (await call(jp_fetch, "problems", "sum-two", "hints"))[1]["revealed"] == []
    _, body, _ = await call(jp_fetch, "problems", "sum-two", "hints", method="POST")
    assert body == {"revealed": ["Use +."], "total": 2}


async def test_history_forwards_its_query(jp_fetch, fake_grader) -> None:
    response = await jp_fetch(
        "coderunner", "api", "submissions", params={"problem_id": "sum-two", "limit": "5"}
    )
    body = json.loads(response.body)
    assert body["query"] == "problem_id=sum-two&limit=5"


async def test_cheatsheets_are_forwarded(jp_fetch, fake_grader) -> None:
    assert (await call(jp_fetch, "cheatsheets"))[1]["cheatsheets"][0]["id"] == "basics--loops"
    assert (await call(jp_fetch, "cheatsheets", "basics--loops"))[1]["markdown"] == "# Loops"
    assert (await call(jp_fetch, "cheatsheets", "..%2Fx"))[0] == 400


async def test_a_locked_problem_keeps_its_rule_through_the_extension(jp_fetch, fake_grader) -> None:
    status, body, _ = await call(jp_fetch, "problems", "locked-one")
    assert status == 403
    assert body["reason"] == "locked" and body["message"].startswith("This level is locked.")
    assert body["unlock"]["needed"] == 1
    status, _, _ = await call(jp_fetch, "problems", "locked-one", "open", method="POST")
    assert status == 403


async def test_opening_a_problem_places_its_data_files_read_only(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    status, _, _ = await call(jp_fetch, "problems", "sum-two", "open", method="POST")
    assert status == 201
    data = jp_root_dir / "problems" / "nums.txt"
    assert data.read_text() == "3 4\n"
    assert stat.S_IMODE(data.stat().st_mode) == 0o444


async def test_checks_after_the_first_make_no_grading_service_call(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    path = await write(jp_root_dir, "sum-two.py", "def add(a, b):\n    return a + b\n")
    for _ in range(3):
        await call(jp_fetch, "problems", "sum-two", "check", method="POST", body={"path": path})
    asked = [r["path"] for r in fake_grader.requests if r["path"].endswith("/checks")]
    assert len(asked) == 1
    assert all(r["method"] == "GET" for r in fake_grader.requests), "nothing was submitted"


async def test_code_that_leaves_an_unwritable_folder_and_prints_in_the_background(
    jp_fetch, jp_root_dir, fake_grader
) -> None:
    """A check is the learner's own: whatever their code leaves behind (a folder the
    clean-up cannot enter) or prints over the answer, they get an answer, never a 500."""
    code = (
        "import os, threading, time\n"
        "os.makedirs('locked/inner')\n"
        "open('locked/inner/f', 'w').close()\n"
        "os.chmod('locked', 0o500)\n"
        "def noise():\n"
        "    while True:\n"
        "        os.write(1, b'noise\\n')\n"
        "threading.Thread(target=noise, daemon=True).start()\n"
        "time.sleep(0.05)\n"
        "def add(a, b):\n"
        "    return a + b\n"
    )
    path = await write(jp_root_dir, "sum-two.py", code)
    for _ in range(3):  # the noise lands before or after the answer: either way, an answer
        status, body, _ = await call(
            jp_fetch, "problems", "sum-two", "check", method="POST", body={"path": path}
        )
        assert status == 200, body
        assert body["verdict"] in ("passed", "crashed")


def test_an_answer_drowned_in_the_learners_output_is_a_crash_not_an_error() -> None:
    from extension.practice import answer_from

    assert answer_from(b'noise\n{"verdict": "passed"}\n') == {"verdict": "passed"}
    drowned = answer_from(b'{"verdict": "passed"}\nnoise\n')
    assert drowned["verdict"] == "crashed" and "printing" in drowned["message"]
    assert answer_from(b"[1, 2]\n")["verdict"] == "crashed"
