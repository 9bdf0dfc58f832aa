"""Code Runner's grading service: REST API, queue, workers, sandboxes and storage."""

__version__ = "0.1.0"
