"""Running Code Runner for a school year: backups of the grading service's database and
the migrations that bring a database written by an earlier release up to date.

``backup`` and ``migrations`` hold the logic (async, on a ``pymongo`` database);
``command`` is ``coderunner backup | restore | migrate``.
"""
