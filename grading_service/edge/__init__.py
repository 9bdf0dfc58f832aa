"""The HTTP edge: handlers, authentication, admission and accepting submissions."""
