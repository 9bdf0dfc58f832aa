"""Submissions and progress in MongoDB, through PyMongo's async client.

Progress is written only here and only from the service's own verdicts (trust rule 4).
Writing a verdict is idempotent, keyed by submission id, so a job delivered twice or
claimed again after a worker died still ends with exactly one stored verdict and one
progress update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

from .monitoring.db_latency import DatabaseLatency
from .records import FINAL_STATUSES, GradeResult, Submission, is_solved

FINAL = FINAL_STATUSES


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Storage:
    def __init__(self, uri: str, database: str, *, timeout_ms: int = 5000) -> None:
        # timeoutMS bounds every operation, not only finding a server: a database that
        # accepts connections but does not answer (frozen, overloaded) fails in seconds.
        self.client: AsyncMongoClient = AsyncMongoClient(
            uri,
            serverSelectionTimeoutMS=timeout_ms,
            timeoutMS=timeout_ms,
            tz_aware=True,
            event_listeners=[DatabaseLatency()],  # coderunner_db_command_duration_seconds
        )
        self.db = self.client[database]
        self.submissions = self.db["submissions"]
        self.progress = self.db["progress"]
        self.privacy = self.db["privacy_acceptances"]
        self.overrides = self.db["limit_overrides"]
        self.audit = self.db["audit"]
        self.assessments = self.db["assessments"]
        self.attempts = self.db["assessment_attempts"]
        self.leaderboards = self.db["leaderboards"]
        self.hints = self.db["hint_reveals"]

    async def ensure_indexes(self, retention_seconds: int) -> None:
        """Make the indexes. ``retention_seconds`` is the TTL of submissions (0: none);
        a changed TTL is applied with ``collMod`` (``create_index`` with another
        ``expireAfterSeconds`` fails: IndexOptionsConflict on MongoDB, IndexKeySpecsConflict
        on SecantusDB). The purge job (ops/retention.py) does not depend on it."""
        await self.submissions.create_index([("user", ASCENDING), ("created_at", DESCENDING)])
        ttl = "expire_old_submissions"
        existing = {i["name"]: i async for i in await self.submissions.list_indexes()}
        if retention_seconds <= 0:
            if ttl in existing:
                await self.submissions.drop_index(ttl)
        elif ttl in existing and existing[ttl].get("expireAfterSeconds") != retention_seconds:
            await self.db.command(
                "collMod",
                self.submissions.name,
                index={"name": ttl, "expireAfterSeconds": retention_seconds},
            )
        else:
            await self.submissions.create_index(
                [("created_at", ASCENDING)], expireAfterSeconds=retention_seconds, name=ttl
            )
        await self.submissions.create_index([("status", ASCENDING)])
        await self.submissions.create_index(
            [("user", ASCENDING), ("problem_id", ASCENDING), ("code_hash", ASCENDING)]
        )
        await self.progress.create_index(
            [("user", ASCENDING), ("problem_id", ASCENDING)], unique=True
        )
        await self.audit.create_index([("subjects", ASCENDING), ("at", DESCENDING)])
        await self.hints.create_index([("user", ASCENDING)])
        await self.assessments.create_index([("cohort", ASCENDING), ("opens_at", ASCENDING)])
        await self.submissions.create_index(
            [("assessment_id", ASCENDING), ("user", ASCENDING)], sparse=True
        )

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()

    async def insert_submission(self, doc: dict[str, Any]) -> None:
        await self.submissions.insert_one(
            {**doc, "status": "queued", "created_at": utcnow(), "attempts": 0}
        )

    async def delete_submission(self, submission_id: str) -> None:
        """Remove a submission that was stored but could not be queued."""
        await self.submissions.delete_one({"_id": submission_id, "status": "queued"})

    async def get_submission(self, submission_id: str) -> Submission | None:
        return cast("Submission | None", await self.submissions.find_one({"_id": submission_id}))

    async def mark_running(self, submission_id: str, worker: str) -> Submission | None:
        """Move a queued (or abandoned running) submission to running; None if already final."""
        doc = await self.submissions.find_one_and_update(
            {"_id": submission_id, "status": {"$nin": list(FINAL)}},
            {
                "$set": {"status": "running", "started_at": utcnow(), "worker": worker},
                "$inc": {"attempts": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        return cast("Submission | None", doc)

    async def requeue(self, submission_id: str) -> bool:
        """Put a running submission back to queued (before its job is queued again).

        Its attempts stay counted. Returns whether it was running (a final one is
        left alone).
        """
        result = await self.submissions.update_one(
            {"_id": submission_id, "status": "running"}, {"$set": {"status": "queued"}}
        )
        return result.modified_count == 1

    async def store_verdict(
        self, submission_id: str, result: GradeResult
    ) -> tuple[bool, Submission | None]:
        """Store the final result once, in one round trip.

        Returns (stored now, the stored document). A verdict already stored (a job
        delivered twice) is left as it was and returned, so progress can still be
        folded in once.
        """
        doc = await self.submissions.find_one_and_update(
            {"_id": submission_id, "status": {"$nin": list(FINAL)}},
            {"$set": {**result, "finished_at": utcnow()}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            return True, cast("Submission", doc)
        return False, await self.get_submission(submission_id)

    async def record_progress(self, submission: Submission) -> None:
        """Fold one graded submission into the learner's progress, at most once."""
        sid, user, problem_id = submission["_id"], submission["user"], submission["problem_id"]
        score, max_score = submission.get("score", 0), submission.get("max_score", 0)
        solved = max_score > 0 and score >= max_score
        now = utcnow()
        update: dict[str, Any] = {
            "$inc": {"attempts": 1},
            "$max": {"best_score": score},
            "$set": {"max_score": max_score, "last_submission_id": sid, "updated_at": now},
            "$push": {"counted": sid},
            "$setOnInsert": {"user": user, "problem_id": problem_id},
        }
        if solved:
            update["$min"] = {"first_solved_at": now}
        try:
            await self.progress.update_one(
                {"_id": f"{user}\x00{problem_id}", "counted": {"$ne": sid}}, update, upsert=True
            )
        except DuplicateKeyError:
            pass  # this submission was already counted

    async def submissions_of(
        self,
        user: str,
        limit: int,
        *,
        problem_id: str | None = None,
        before: dt.datetime | None = None,
    ) -> list[Submission]:
        """A user's newest submissions first, of one problem if given, made before
        ``before`` if given (the next page; index: user, created_at)."""
        query: dict[str, Any] = {"user": user}
        if problem_id is not None:
            query["problem_id"] = problem_id
        if before is not None:
            query["created_at"] = {"$lt": before}
        cursor = self.submissions.find(query).sort("created_at", DESCENDING).limit(limit)
        return [cast("Submission", doc) async for doc in cursor]

    async def queue_position(self, doc: Submission) -> int:
        """Where a queued submission waits: 1 + the queued submissions made before it."""
        ahead = await self.submissions.count_documents(
            {"status": "queued", "created_at": {"$lt": doc["created_at"]}}
        )
        return ahead + 1

    async def graded_submissions_of(
        self, users: list[str], assessment_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The graded submissions of these users (only those for one assessment, if
        given), without their code (a cohort's report; index: user, created_at)."""
        query: dict[str, Any] = {"user": {"$in": users}, "status": "graded"}
        if assessment_id is not None:
            query["assessment_id"] = assessment_id
        cursor = self.submissions.find(
            query,
            {
                "user": 1,
                "problem_id": 1,
                "status": 1,
                "score": 1,
                "max_score": 1,
                "created_at": 1,
                "tests": 1,
            },
        )
        return [doc async for doc in cursor]

    async def solved_at(self, users: list[str]) -> dict[str, list[dt.datetime]]:
        """When each user's solving submissions were made (streaks), reading only what
        that needs (index: user, created_at)."""
        found: dict[str, list[dt.datetime]] = {user: [] for user in users}
        cursor = self.submissions.find(
            {"user": {"$in": users}, "status": "graded"},
            {"user": 1, "status": 1, "score": 1, "max_score": 1, "created_at": 1},
        )
        async for doc in cursor:
            if is_solved(doc):
                found.setdefault(doc["user"], []).append(doc["created_at"])
        return found

    async def latest_graded(self, users: list[str], problem_id: str) -> list[dict[str, Any]]:
        """Each user's latest graded submission of one problem, with its code, oldest
        first (the similarity check's input)."""
        cursor = self.submissions.find(
            {"user": {"$in": users}, "problem_id": problem_id, "status": "graded"},
            {"user": 1, "code": 1, "created_at": 1},
        ).sort("created_at", ASCENDING)
        latest: dict[str, dict[str, Any]] = {}
        async for doc in cursor:
            latest[doc["user"]] = doc
        return sorted(latest.values(), key=lambda d: d["created_at"])

    async def progress_of_users(self, users: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Progress records of many users at once, by user (index: user, problem_id)."""
        found: dict[str, list[dict[str, Any]]] = {user: [] for user in users}
        cursor = self.progress.find({"user": {"$in": users}}, {"counted": 0})
        async for doc in cursor.sort([("user", ASCENDING), ("problem_id", ASCENDING)]):
            found.setdefault(doc["user"], []).append(doc)
        return found

    async def set_override(
        self, kind: str, name: str, limits: dict[str, int] | None, *, by: str
    ) -> None:
        """Set (or with ``limits`` None clear) the limits of a cohort or a learner, and
        record who did it, when, and what was there before."""
        key = f"{kind}:{name}"
        previous = await self.overrides.find_one({"_id": key})
        if limits is None:
            await self.overrides.delete_one({"_id": key})
        else:
            await self.overrides.replace_one(
                {"_id": key},
                {"kind": kind, "name": name, "limits": limits, "by": by, "at": utcnow()},
                upsert=True,
            )
        await self.audit.insert_one(
            {
                "at": utcnow(),
                "by": by,
                "action": "clear limits" if limits is None else "set limits",
                "subjects": [key],
                "kind": kind,
                "name": name,
                "limits": limits,
                "previous": (previous or {}).get("limits"),
            }
        )

    async def overrides_for(
        self, user: str, cohorts: list[str]
    ) -> tuple[dict[str, int] | None, list[dict[str, int]]]:
        """(the learner's own limits, the limits of their cohorts) set on the dashboard."""
        keys = [f"learner:{user}"] + [f"cohort:{c}" for c in cohorts]
        found = {d["_id"]: d["limits"] async for d in self.overrides.find({"_id": {"$in": keys}})}
        return found.get(keys[0]), [found[k] for k in keys[1:] if k in found]

    async def overrides_of(self, cohort: str, members: list[str]) -> dict[str, Any]:
        keys = [f"cohort:{cohort}"] + [f"learner:{m}" for m in members]
        docs = [d async for d in self.overrides.find({"_id": {"$in": keys}})]
        return {
            "cohort": next((d["limits"] for d in docs if d["kind"] == "cohort"), None),
            "learners": {d["name"]: d["limits"] for d in docs if d["kind"] == "learner"},
        }

    async def audit_of(self, subjects: list[str], limit: int = 50) -> list[dict[str, Any]]:
        """Changes to these subjects (``cohort:<name>``, ``learner:<name>``), newest first."""
        cursor = (
            self.audit.find({"subjects": {"$in": subjects}}, {"_id": 0})
            .sort("at", DESCENDING)
            .limit(limit)
        )
        return [doc async for doc in cursor]

    # ------------------------------------------------------------------ assessments
    async def create_assessment(self, doc: dict[str, Any], *, by: str) -> bool:
        """Store a new assessment (False: the id is taken), and audit it."""
        try:
            await self.assessments.insert_one({**doc, "created_at": utcnow()})
        except DuplicateKeyError:
            return False
        await self.audit.insert_one(
            {
                "at": utcnow(),
                "by": by,
                "action": "create assessment",
                "subjects": [f"cohort:{doc['cohort']}", f"assessment:{doc['_id']}"],
                "kind": "assessment",
                "name": doc["_id"],
                "assessment": {k: v for k, v in doc.items() if k != "_id"},
            }
        )
        return True

    async def sync_assessments(self, docs: list[dict[str, Any]]) -> list[str]:
        """Store the content folder's assessments (created or updated; ``created_by`` is
        "content"). An id a teacher already used on the dashboard is left alone; those
        ids are returned."""
        clashes = []
        for doc in docs:
            existing = await self.assessments.find_one({"_id": doc["_id"]}, {"created_by": 1})
            if existing is not None and existing.get("created_by") != "content":
                clashes.append(doc["_id"])
                continue
            await self.assessments.replace_one(
                {"_id": doc["_id"]}, {**doc, "created_at": utcnow()}, upsert=True
            )
        return clashes

    async def get_assessment(self, assessment_id: str) -> dict[str, Any] | None:
        return await self.assessments.find_one({"_id": assessment_id})

    async def assessments_of(self, cohorts: list[str]) -> list[dict[str, Any]]:
        cursor = self.assessments.find({"cohort": {"$in": cohorts}}).sort("opens_at", ASCENDING)
        return [doc async for doc in cursor]

    async def claim_attempt(
        self, assessment_id: str, user: str, problem_id: str, max_attempts: int
    ) -> int | None:
        """Use one of the learner's attempts at a problem of an assessment, atomically:
        the number now used, or None when none is left."""
        key = f"{assessment_id}\x00{user}\x00{problem_id}"
        try:
            doc = await self.attempts.find_one_and_update(
                {"_id": key, "used": {"$lt": max_attempts}},
                {
                    "$inc": {"used": 1},
                    "$setOnInsert": {
                        "assessment_id": assessment_id,
                        "user": user,
                        "problem_id": problem_id,
                    },
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return None  # the document exists and every attempt is used
        return None if doc is None else int(doc["used"])

    async def release_attempt(self, assessment_id: str, user: str, problem_id: str) -> None:
        """Give an attempt back (the submission was not accepted after all)."""
        await self.attempts.update_one(
            {"_id": f"{assessment_id}\x00{user}\x00{problem_id}", "used": {"$gt": 0}},
            {"$inc": {"used": -1}},
        )

    async def attempts_used(self, assessment_id: str, user: str) -> dict[str, int]:
        cursor = self.attempts.find({"assessment_id": assessment_id, "user": user})
        return {doc["problem_id"]: int(doc["used"]) async for doc in cursor}

    # ------------------------------------------------------------------ hints
    async def reveal_hint(self, user: str, problem_id: str, total: int) -> int:
        """Reveal the next hint, atomically, and record when: how many are revealed now
        (``total`` once all are; asking again then changes nothing)."""
        key = f"{user}\x00{problem_id}"
        try:
            doc = await self.hints.find_one_and_update(
                {"_id": key, "revealed": {"$lt": total}},
                {
                    "$inc": {"revealed": 1},
                    "$push": {"revealed_at": utcnow()},
                    "$setOnInsert": {"user": user, "problem_id": problem_id},
                },
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return total  # every hint is already revealed
        return total if doc is None else min(int(doc["revealed"]), total)

    async def hints_revealed(self, user: str, problem_id: str) -> int:
        doc = await self.hints.find_one({"_id": f"{user}\x00{problem_id}"})
        return 0 if doc is None else int(doc.get("revealed", 0))

    async def hint_use_of(self, users: list[str]) -> dict[str, dict[str, int]]:
        """Hints revealed per learner and problem (for teachers)."""
        found: dict[str, dict[str, int]] = {user: {} for user in users}
        async for doc in self.hints.find({"user": {"$in": users}}):
            found.setdefault(doc["user"], {})[doc["problem_id"]] = int(doc.get("revealed", 0))
        return found

    # ------------------------------------------------------------------ leaderboards
    async def set_leaderboard(
        self, cohort: str, enabled: bool, names: dict[str, str], *, by: str
    ) -> None:
        """Switch a class's leaderboard on or off with its display names, audited."""
        previous = await self.leaderboards.find_one({"_id": cohort})
        await self.leaderboards.replace_one(
            {"_id": cohort},
            {"enabled": enabled, "names": names, "by": by, "at": utcnow()},
            upsert=True,
        )
        await self.audit.insert_one(
            {
                "at": utcnow(),
                "by": by,
                "action": "leaderboard on" if enabled else "leaderboard off",
                "subjects": [f"cohort:{cohort}"],
                "kind": "cohort",
                "name": cohort,
                "names": len(names),
                "previous": None if previous is None else previous.get("enabled"),
            }
        )

    async def leaderboard_of(self, cohort: str) -> dict[str, Any]:
        doc = await self.leaderboards.find_one({"_id": cohort})
        return doc or {"_id": cohort, "enabled": False, "names": {}}

    async def leaderboards_on(self, cohorts: list[str]) -> list[dict[str, Any]]:
        cursor = self.leaderboards.find({"_id": {"$in": cohorts}, "enabled": True})
        return [doc async for doc in cursor]

    async def accept_privacy(self, user: str, version: str) -> dt.datetime:
        """Record that ``user`` accepted this version of the privacy notice (the first
        acceptance counts; accepting again changes nothing)."""
        doc = await self.privacy.find_one_and_update(
            {"_id": f"{user}\x00{version}"},
            {"$setOnInsert": {"user": user, "version": version, "accepted_at": utcnow()}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None  # upserted
        return doc["accepted_at"]

    async def privacy_accepted_at(self, user: str, version: str) -> dt.datetime | None:
        doc = await self.privacy.find_one({"_id": f"{user}\x00{version}"})
        return None if doc is None else doc["accepted_at"]

    async def progress_for(self, user: str) -> list[dict[str, Any]]:
        cursor = self.progress.find({"user": user}, {"counted": 0}).sort("problem_id", ASCENDING)
        return [doc async for doc in cursor]
