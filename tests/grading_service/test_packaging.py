"""What the installed package may rely on: its JSON Schemas ship inside it, development
tools (the benchmark, the dev stack) are left out of the wheel and say so when missing,
and the source tree's ``.state`` is read only when running from a checkout."""

from __future__ import annotations

import tomllib
from pathlib import Path

from grading_service import cli
from grading_service.content.tools import SCHEMAS, schema
from hub_config.settings import ROOT


def test_schemas_are_package_data() -> None:
    package = Path(cli.__file__).parent
    assert Path(str(SCHEMAS)).resolve() == package / "content" / "schemas"
    assert not (ROOT / "content" / "schema").exists()
    for name in ("problem", "track", "level"):
        assert schema(name).schema["type"] == "object"


def test_wheel_leaves_out_the_dev_stack_and_the_package_has_no_benchmark() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "hub_config/devstack.py" in wheel["exclude"]
    assert (ROOT / "hub_config/devstack.py").is_file()  # the pattern names a real file
    package = Path(cli.__file__).parent
    assert not list(package.rglob("bench*.py"))
    assert (ROOT / "tests" / "bench" / "benchmark.py").is_file()


def test_default_image_comes_from_the_environment_first(monkeypatch) -> None:
    monkeypatch.setenv("CODERUNNER_SANDBOX_IMAGE", "img:env")
    assert cli._default_image() == "img:env"


def test_default_image_falls_back_to_the_state_folder_only_in_a_checkout(
    monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CODERUNNER_SANDBOX_IMAGE", raising=False)
    monkeypatch.delenv("CODERUNNER_STATE_DIR", raising=False)
    monkeypatch.setattr(cli, "CHECKOUT", tmp_path)
    (tmp_path / ".state").mkdir()
    (tmp_path / ".state" / "sandbox-image").write_text("img:built\n")
    assert cli._default_image() is None  # no pyproject.toml: an installed package
    (tmp_path / "pyproject.toml").write_text("")
    assert cli._default_image() == "img:built"
    other = tmp_path / "other-state"
    other.mkdir()
    (other / "sandbox-image").write_text("img:other\n")
    monkeypatch.setenv("CODERUNNER_STATE_DIR", str(other))
    assert cli._default_image() == "img:other"
