"""The teacher dashboard: a JupyterHub OAuth page of the grading service."""
