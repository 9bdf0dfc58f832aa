"""``python -m tests.load``: see ``tests/load/__init__.py`` and ``--help``."""

import sys

from tests.load.driver import main

sys.exit(main())
