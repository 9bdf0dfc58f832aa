"""The release version: one value for the wheel, `coderunner --version` and the sandbox
image's label (each verdict's copy is checked in grading/test_grader.py)."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import tomllib

import pytest

from grading_service import __version__
from grading_service.cli import main
from hub_config.settings import ROOT

IMAGE_DIR = ROOT / "sandbox_kernel_image"


def test_pyproject_and_package_carry_the_same_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)*", __version__)


def test_the_installed_wheel_metadata_matches_when_installed() -> None:
    try:
        installed = importlib.metadata.version("coderunner")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("coderunner is not installed in this environment")
    assert installed == __version__


@pytest.mark.parametrize("argv", [["--version"], ["-V"], ["version"]])
def test_coderunner_version_prints_it(argv, capsys) -> None:
    main(argv)
    assert capsys.readouterr().out == f"{__version__}\n"


def build_sh_value(build: str, name: str) -> str:
    """What build.sh's line ``name="$(...)"`` sets, run in this checkout."""
    (line,) = [x.strip() for x in build.splitlines() if x.strip().startswith(f'{name}="$(')]
    return subprocess.run(
        ["bash", "-c", f'root="$1"; {line}; printf %s "${name}"', "_", str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_build_sh_labels_the_image_with_the_version() -> None:
    """Static: the image build itself runs in `make image` (needs Docker and the base)."""
    build = (IMAGE_DIR / "build.sh").read_text()
    assert (
        build_sh_value(build, "version") == __version__
    )  # build.sh reads the version the wheel carries
    build_command = build[build.index("docker build") :].split(">&2")[0]
    assert '--build-arg "CODERUNNER_VERSION=$version"' in build_command
    assert '--build-arg "BASE_IMAGE=$BASE_IMAGE"' in build_command  # still passed

    dockerfile = (IMAGE_DIR / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "ARG BASE_IMAGE=" in dockerfile
    final_stage = dockerfile[dockerfile.rindex("\nFROM ") :]  # labels of the shipped stage
    assert re.search(r"^ARG CODERUNNER_VERSION=\S+$", final_stage, re.M)
    assert re.search(r"^LABEL org\.coderunner\.version=\$CODERUNNER_VERSION$", final_stage, re.M)


def test_build_sh_labels_the_image_with_its_call_server() -> None:
    """Static: the image carries the call server's SHA-256, as the service computes it,
    and its byte code where the service runs it (grading/test_sandbox.py runs it)."""
    from grading_service.grading.sandbox import AGENT_DIGEST, AGENT_LABEL, IMAGE_AGENT_PATH

    build = (IMAGE_DIR / "build.sh").read_text()
    assert build_sh_value(build, "agent") == AGENT_DIGEST
    assert '--build-arg "CODERUNNER_AGENT=$agent"' in build[build.index("docker build") :]
    final_stage = (IMAGE_DIR / "Dockerfile").read_text()
    final_stage = final_stage[final_stage.rindex("\nFROM ") :]
    assert re.search(r"^ARG CODERUNNER_AGENT=\S+$", final_stage, re.M)
    assert re.search(rf"^LABEL {re.escape(AGENT_LABEL)}=\$CODERUNNER_AGENT$", final_stage, re.M)
    assert f"cfile='{IMAGE_AGENT_PATH}'" in final_stage
