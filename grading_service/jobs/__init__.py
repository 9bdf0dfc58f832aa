"""The queue and the workers that take jobs from it."""
