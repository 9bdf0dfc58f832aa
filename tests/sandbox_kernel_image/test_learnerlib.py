"""The learner image's drawing and game library (sandbox_kernel_image/learnerlib/), in the
real image with no network: the notebook turtle instead of the standard library's,
pygame without a window, and the packages learners use."""

from __future__ import annotations

import json

import docker

SCRIPT = r"""
import json, time
import turtle, pygame, matplotlib, numpy, notebook, ipywidgets
t = turtle.Turtle()
t.forward(50)
screen = pygame.display.set_mode((40, 30))
screen.fill((255, 0, 0))
pygame.display.flip()
started, frames, running = time.monotonic(), 0, True
while running:  # a game loop waiting for a window that never opens
    for event in pygame.event.get():
        if event.type == pygame.QUIT:
            running = False
    frames += 1
from grading_service.grading.drawing import local_record, parse
drawing = parse(local_record())
print(json.dumps({
    "turtle": turtle.__file__,
    "segments": [[s.x1, s.y1, s.x2, s.y2] for s in drawing.segments],
    "red": drawing.picture.count("#ff0000"),
    "frames": frames,
    "seconds": time.monotonic() - started,
    "notebook": notebook.__version__,
}))
"""


def run_in_image(client: docker.DockerClient, image: str, script: str) -> str:
    output = client.containers.run(
        image, ["python", "-c", script], network_mode="none", remove=True, user="1000"
    )
    return output.decode()


def test_turtle_pygame_and_the_learners_packages_work_without_a_window(
    docker_client: docker.DockerClient, sandbox_image: str
) -> None:
    lines = run_in_image(docker_client, sandbox_image, SCRIPT).strip().splitlines()
    report = json.loads(lines[-1])
    assert report["turtle"] == "/opt/coderunner/learnerlib/turtle.py"
    assert report["segments"] == [[0.0, 0.0, 50.0, 0.0]]
    assert report["red"] == 40 * 30
    assert report["frames"] <= 130 and report["seconds"] < 5, "the loop was stopped"
    assert any("Your game loop was stopped" in line for line in lines[:-1])
    assert report["notebook"].startswith("7.")


def test_a_loop_that_ignores_quit_is_stopped_with_a_clear_message(
    docker_client: docker.DockerClient, sandbox_image: str
) -> None:
    script = (
        "import pygame\npygame.display.set_mode((10, 10))\nwhile True:\n    pygame.event.get()\n"
    )
    try:
        docker_client.containers.run(
            sandbox_image, ["python", "-c", script], network_mode="none", remove=True
        )
        raise AssertionError("the loop should have been stopped with an exit status")
    except docker.errors.ContainerError as exc:
        assert b"Your game loop was stopped" in (exc.stderr or b"")


def test_a_learner_server_s_imports_build_no_iri_parser(
    docker_client: docker.DockerClient, sandbox_image: str
) -> None:
    """rfc3987-syntax is left out of the image: imported by jsonschema, it built an
    Earley parser (0.7 s of CPU) at every learner server start. jsonschema and the
    server's event schemas work without it."""
    script = (
        "import sys, jupyterhub.singleuser, jupyter_server.serverapp, jupyterlab, jsonschema\n"
        "schema = {'properties': {'n': {'type': 'integer'}, 'at': {'format': 'date-time'}}}\n"
        "check = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())\n"
        "bad = [e.message for e in check.iter_errors({'n': 'one', 'at': 'noon'})]\n"
        "print('rfc3987_syntax' in sys.modules, 'lark' in sys.modules, len(bad))\n"
    )
    output = run_in_image(docker_client, sandbox_image, script).split()
    assert output == ["False", "False", "2"]
