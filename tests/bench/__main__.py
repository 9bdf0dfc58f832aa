"""``python -m tests.bench``: a package ``__main__``, so the runners' fork server does not
re-import the benchmark in each child (see grading_service/grading/runner_launcher.py)."""

import sys

from tests.bench.benchmark import main

sys.exit(main())
