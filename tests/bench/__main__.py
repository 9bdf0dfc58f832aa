"""``python -m tests.bench``: a package ``__main__``, so the runners' fork server does not
re-import the benchmark in each child (see grading_service/grading/runner_launcher.py)."""

import sys

if sys.argv[1:2] == ["runtimes"]:  # runc against gVisor (tests/bench/runtimes.py)
    from tests.bench.runtimes import main as runtimes

    sys.exit(runtimes(sys.argv[2:]))

from tests.bench.benchmark import main

sys.exit(main())
