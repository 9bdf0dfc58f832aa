"""Runs when Python starts in the learner's image (this folder is on ``PYTHONPATH``):
makes pygame safe to use without a window. See ``coderunner_hooks``."""

try:
    import coderunner_hooks

    coderunner_hooks.install()
except Exception:  # noqa: BLE001 - never stop Python from starting
    pass
