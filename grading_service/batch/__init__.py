"""Batch grading for graders: ``coderunner grade --problem ID PATH…``.

Grades a class's ``.py`` files and notebooks with the same ``Grader`` and sandboxes as
live grading, either on this machine (``--local``) or through a running grading service
(``--url`` and ``--token``), and writes the results as CSV and JSON. The modules, in the
order a run passes through them:

- ``inputs``: which files are graded and whose they are (the naming rule);
- ``source``: a file's bytes → the learner's module, or a row for a file that holds none;
- ``results``: the resumable record (one JSON line per finished file) and the CSV/JSON
  written from it;
- ``backend``, ``local``, ``remote``: grading one module, here or through the service;
- ``progress``: the progress bar (or plain lines) on stderr;
- ``command``: the command line, the run loop, Ctrl-C and the summary.
"""
