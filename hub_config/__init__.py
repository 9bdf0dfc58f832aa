"""JupyterHub configuration for Code Runner and the helpers it imports."""
