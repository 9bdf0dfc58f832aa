"""Grading one submission: the grader, sandboxes, the call server and the trusted runner."""
