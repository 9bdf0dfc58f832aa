"""Load test of the whole platform: ``make loadtest`` (``python -m tests.load``).

On a platform of its own (JupyterHub + proxy + grading service + Redis + MongoDB-protocol
server + Docker, on loopback ports), it runs four profiles one after another:

- ``class``: a class arriving at once. N learners sign in through the hub's login form,
  their servers are spawned, and each opens the Problems panel and works through
  problems for a few minutes through its own server's extension
  (``/user/<name>/coderunner/api/...``): open, write, check, submit a wrong answer
  (the starter) or a right one (``solution.py``), follow the result, reload progress.
- ``spike``: simulated learners 0 → many → 0, calling the grading service with hub
  tokens (no servers), each submitting and following in a loop while active.
- ``api``: many more simulated learners than servers (hub tokens minted through the hub
  API), each a short visit: panel, one submission, its result, progress.
- ``overload``: the class again at 3× its pace for a minute.

Every client honours ``Retry-After`` on a 429 or 503 the way the front end does. Then it
checks in MongoDB that every accepted submission has exactly one verdict and that each
learner's progress matches their verdicts, and prints and writes the report.
"""
