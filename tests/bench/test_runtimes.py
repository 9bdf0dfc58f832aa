"""`make bench`'s runtime comparison keeps working: runc, and gVisor where it is
registered, measured end to end with one grading per measure."""

from __future__ import annotations

import json
import subprocess
import sys

from hub_config.settings import ROOT
from tests.bench.benchmark import INSTANCE_LABEL


def test_runtime_comparison_runs_end_to_end(sandbox_image, docker_client, tmp_path) -> None:
    out = tmp_path / "runtimes.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench", "runtimes", "--n", "1", "--image", sandbox_image,
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    results = json.loads(out.read_text())
    measured = set(results["runtimes"])
    assert "runc" in measured
    assert measured | set(results["meta"]["skipped"]) == {"runc", "runsc"}
    for run in results["runtimes"].values():
        assert run["cold_grading_ms"]["p50"] > 0 and run["warm_grading_ms"]["p50"] > 0
        assert run["life_ms"]["p50"] > 0 and run["gradings_per_s"] > 0
    if "runsc" in measured:
        assert results["ratios"]["cold_grading_ms_p50"] > 0
        assert "runsc/runc" in proc.stdout
    else:
        assert "host-setup.sh --gvisor" in proc.stdout
    label = f"{INSTANCE_LABEL}={results['meta']['instance']}"
    assert docker_client.api.containers(all=True, filters={"label": label}) == []
