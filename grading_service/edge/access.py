"""Who may read whose data, from the scopes JupyterHub granted the caller's token.

The hub defines Code Runner's own scopes (``hub_config/jupyterhub_config.py``) and grants
them through roles; the grading service only reads them from the hub's answer about a
token, and enforces them on every endpoint:

``custom:coderunner:teach!group=<cohort>``
    read the progress and submissions of the learners in that cohort (a JupyterHub group);
    without a filter, of every learner.
``custom:coderunner:grade``
    batch assessment: submissions go to the batch lane (read when nothing else waits).
``custom:coderunner:admin``
    everything teachers and graders may do, for every cohort.

Everybody may read their own data. Anything else answers 404 (design rule 5: a foreign
id is indistinguishable from an unknown one). Service accounts with a JWT have a role
instead: ``teacher`` teaches the groups named in the token, ``grader`` grades.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TEACH = "custom:coderunner:teach"
GRADE = "custom:coderunner:grade"
ADMIN = "custom:coderunner:admin"

SCOPE_DESCRIPTIONS = {
    TEACH: "Read the progress and submissions of learners (filter with !group=<cohort>).",
    GRADE: "Batch-grade submissions on the grading service's batch lane.",
    ADMIN: "Manage the grading service: read and change everything, for every cohort.",
}


@dataclass(frozen=True)
class Access:
    """What one caller may do beyond their own data."""

    name: str
    admin: bool = False
    grader: bool = False
    teaches_everyone: bool = False
    cohorts: frozenset[str] = frozenset()
    learners: frozenset[str] = frozenset()

    @classmethod
    def from_scopes(cls, name: str, scopes: Iterable[str]) -> Access:
        """Read Code Runner's scopes (with their ``!group=``/``!user=`` filters); every
        other scope, and any filter this service does not know, grants nothing here."""
        admin = grader = everyone = False
        cohorts: set[str] = set()
        learners: set[str] = set()
        for scope in scopes:
            base, _, filter_ = scope.partition("!")
            kind, _, value = filter_.partition("=")
            if base == ADMIN and not filter_:
                admin = True
            elif base == GRADE and not filter_:
                grader = True
            elif base == TEACH:
                if not filter_:
                    everyone = True
                elif kind == "group" and value:
                    cohorts.add(value)
                elif kind == "user" and value:
                    learners.add(value)
        return cls(name, admin, grader, everyone, frozenset(cohorts), frozenset(learners))

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> Access:
        """From the identity the hub (scopes) or a JWT (role and groups) vouched for."""
        name = model["name"]
        if model.get("kind") == "service":
            role = model.get("role")
            return cls(
                name,
                grader=role == "grader",
                cohorts=frozenset(model.get("groups") or ()) if role == "teacher" else frozenset(),
            )
        return cls.from_scopes(name, model.get("scopes") or ())

    @property
    def is_staff(self) -> bool:
        """May read someone else's data (the answer decides nothing on its own)."""
        return self.admin or self.teaches_everyone or bool(self.cohorts or self.learners)

    def may_teach(self, cohort: str) -> bool:
        return self.admin or self.teaches_everyone or cohort in self.cohorts

    def may_read(self, learner: str, learner_groups: Iterable[str] = ()) -> bool:
        """Whether this caller may read ``learner``'s progress and submissions."""
        if learner == self.name or self.admin or self.teaches_everyone:
            return True
        if learner in self.learners:
            return True
        return bool(self.cohorts.intersection(learner_groups))
