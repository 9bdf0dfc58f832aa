"""How long the grading service keeps learners' data, and the purge that enforces it.

Learners are children: what they wrote is kept only as long as teaching needs it. Each
kind of record has its own period (``c.Retention.<name>_retention_days``; 0 keeps it
for ever):

==========================  ======  ==========================================================
what                        days    measured from
==========================  ======  ==========================================================
submitted code              30      the submission (``created_at``); the verdict stays
verdicts (submissions)      365     the submission (``created_at``); the whole document goes
progress                    365     the learner's last graded submission (``updated_at``)
hint reveals                365     the last hint revealed (``revealed_at``)
assessment attempts         365     the end of the assessment (``closes_at``)
audit records               730     the change (``at``)
==========================  ======  ==========================================================

Privacy acceptances, limit overrides and leaderboards are not time-based: they stay as
long as the learner does and go with ``coderunner user erase``.

``purge`` does the work with one ``update_many``/``delete_many`` per rule (never
document by document) and may run any number of times: a second run finds nothing. The
grading service runs it every ``purge_interval_seconds``; ``coderunner purge`` runs it
by hand. It does not rely on the database's TTL monitor: MongoDB's runs every 60 s and
SecantusDB's too (measured), but a database restored from an old backup, or one whose
TTL index was changed, must still be purged, and only submissions have a TTL index
(``expire_old_submissions``, kept as a second line with the verdict period).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pymongo.errors import PyMongoError
from traitlets import Float, Integer
from traitlets.config import LoggingConfigurable

from ..records import FINAL_STATUSES

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    """One thing the purge does: in ``collection``, the documents ``select`` picks are
    deleted, or (``update`` given) updated."""

    name: str  # how the counts name it: the collection, or collection.field
    collection: str
    select: dict[str, Any]
    update: dict[str, Any] | None = None


class Retention(LoggingConfigurable):
    """How long each kind of learners' data is kept (days; 0 keeps it for ever)."""

    code_retention_days = Integer(
        30,
        help="""Days the code of a finished submission is kept; after that the code is
        removed and the verdict (score, test outcomes) stays. Default 30, the period for
        minors (every learner is treated as a minor). Raise it only where every learner
        is an adult and the school's policy allows it.""",
    ).tag(config=True)

    verdict_retention_days = Integer(
        365,
        help="""Days a submission (its verdict) is kept, counted from when it was made;
        then it is deleted. Default 365, a school year. Also the period of the database's
        TTL index on submissions. Replaces GradingService.submission_retention_days, which
        is passed on here when only it is set.""",
    ).tag(config=True)

    progress_retention_days = Integer(
        365,
        help="""Days a learner's progress on a problem is kept after their last graded
        submission of it. Default 365, a school year.""",
    ).tag(config=True)

    hint_retention_days = Integer(
        365,
        help="""Days a record of hints revealed is kept after the last hint of that
        problem was revealed. Default 365, a school year.""",
    ).tag(config=True)

    attempt_retention_days = Integer(
        365,
        help="""Days the attempts learners used in an assessment are kept after the
        assessment closed. Default 365, a school year.""",
    ).tag(config=True)

    audit_retention_days = Integer(
        730,
        help="""Days an audit record (who changed limits, assessments, leaderboards, who
        exported or erased a learner) is kept. Default 730: two school years, so a
        question about last year's changes can still be answered.""",
    ).tag(config=True)

    purge_interval_seconds = Integer(
        3600,
        help="""Seconds between two purges inside the grading service (the first runs
        first_purge_delay_seconds after start). Default 3600. 0 turns the service's
        purge off; then run `coderunner purge` from cron or a systemd timer instead.""",
    ).tag(config=True)

    first_purge_delay_seconds = Float(
        60.0,
        help="""Seconds after the grading service starts before its first purge: not
        during start-up, when the service is busiest, nor in a service stopped again at
        once.""",
    ).tag(config=True)

    def cutoff(self, days: int, now: dt.datetime) -> dt.datetime | None:
        return None if days <= 0 else now - days * DAY

    async def rules(self, db: Any, now: dt.datetime) -> list[Rule]:
        """What a purge at ``now`` does, in order (code before whole submissions)."""
        rules: list[Rule] = []
        if cut := self.cutoff(self.code_retention_days, now):
            # Only finished ones: a worker still needs the code of a queued submission.
            rules.append(
                Rule(
                    "submissions.code",
                    "submissions",
                    {
                        "created_at": {"$lt": cut},
                        "status": {"$in": list(FINAL_STATUSES)},
                        "code": {"$exists": True},
                    },
                    {"$unset": {"code": ""}, "$set": {"code_removed_at": now}},
                )
            )
        if cut := self.cutoff(self.verdict_retention_days, now):
            rules.append(Rule("submissions", "submissions", {"created_at": {"$lt": cut}}))
        if cut := self.cutoff(self.progress_retention_days, now):
            rules.append(Rule("progress", "progress", {"updated_at": {"$lt": cut}}))
        if cut := self.cutoff(self.hint_retention_days, now):
            # revealed_at is a list of dates: no element at or after the cutoff.
            rules.append(
                Rule("hint_reveals", "hint_reveals", {"revealed_at": {"$not": {"$gte": cut}}})
            )
        if cut := self.cutoff(self.attempt_retention_days, now):
            closed = await db["assessments"].distinct("_id", {"closes_at": {"$lt": cut}})
            if closed:
                rules.append(
                    Rule(
                        "assessment_attempts",
                        "assessment_attempts",
                        {"assessment_id": {"$in": closed}},
                    )
                )
        if cut := self.cutoff(self.audit_retention_days, now):
            rules.append(Rule("audit", "audit", {"at": {"$lt": cut}}))
        return rules

    async def purge(
        self, db: Any, now: dt.datetime | None = None, *, dry_run: bool = False
    ) -> dict[str, int]:
        """Remove what is past its period; the documents removed (or stripped of their
        code), by rule name. ``dry_run`` only counts them."""
        now = now or dt.datetime.now(dt.UTC)
        counts: dict[str, int] = {}
        for rule in await self.rules(db, now):
            collection = db[rule.collection]
            if dry_run:
                counts[rule.name] = await collection.count_documents(rule.select)
            elif rule.update is not None:
                counts[rule.name] = (
                    await collection.update_many(rule.select, rule.update)
                ).modified_count
            else:
                counts[rule.name] = (await collection.delete_many(rule.select)).deleted_count
        return counts

    async def run_periodically(
        self,
        db: Any,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Purge now and then every ``purge_interval_seconds`` until cancelled; a failed
        purge is logged and tried again at the next turn."""
        log = self.log if isinstance(self.log, logging.Logger) else logging.getLogger(__name__)
        if self.purge_interval_seconds > 0 and self.first_purge_delay_seconds > 0:
            await sleep(self.first_purge_delay_seconds)
        while self.purge_interval_seconds > 0:
            try:
                counts = await self.purge(db, clock())
            except PyMongoError as exc:
                log.warning("retention purge failed, trying again later: %s", exc)
            except Exception:  # noqa: BLE001 - unexpected: logged, the loop goes on
                log.exception("retention purge failed, trying again later")
            else:
                if any(counts.values()):
                    log.info(
                        "retention purge: %s",
                        ", ".join(f"{name} {n}" for name, n in counts.items() if n),
                    )
            await sleep(self.purge_interval_seconds)
