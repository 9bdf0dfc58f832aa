"""The grading benchmark (`make bench`): a development tool, run from a checkout."""
