"""Databases filled the way the grading service fills them, and read back document by
document, for the backup and migration tests."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from bson import Binary, Decimal128, Int64
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from grading_service.assessments import Assessment
from grading_service.grading.grader import final_result
from grading_service.storage import Storage

RAW = CodecOptions(document_class=RawBSONDocument)


def storage_collections(storage: Storage) -> set[str]:
    """The collections ``Storage`` writes, found from its attributes, so a collection
    added there and not seeded here fails the tests."""
    return {
        value.name for value in vars(storage).values() if type(value).__name__ == "AsyncCollection"
    }


async def seed_as_the_service_does(storage: Storage) -> None:
    """Learners' data in every collection, written through storage.py as the service
    writes it (no schema version: release 0.1.0 stored none)."""
    for user, problem, score in (("ana", "add-two", 10), ("ana", "fizz", 4), ("bo", "add-two", 10)):
        sid = secrets.token_hex(12)
        await storage.insert_submission(
            {
                "_id": sid,
                "user": user,
                "problem_id": problem,
                "code": "def add(a, b):\n    return a + b  # «ünïcödé» ✓\n",
                "code_hash": secrets.token_hex(8),
                "source_kind": "code",
                "groups": ["class-7a"],
                "lane": "normal",
            }
        )
        await storage.mark_running(sid, "worker-1")
        result = final_result(
            "graded",
            "passed" if score == 10 else "failed",
            "",
            score,
            10,
            passed=int(score == 10),
            total=1,
            tests=[{"name": "test_add", "status": "pass", "visibility": "public", "message": ""}],
            hidden_detail=[{"name": "test_big", "message": "expected 4, got 5"}],
            image="coderunner-sandbox:test",
        )
        _, doc = await storage.store_verdict(sid, result)
        assert doc is not None
        await storage.record_progress(doc)
    await storage.insert_submission(
        {
            "_id": secrets.token_hex(12),
            "user": "bo",
            "problem_id": "fizz",
            "code": "print('still waiting')\n",
            "code_hash": secrets.token_hex(8),
        }
    )
    await storage.accept_privacy("ana", "2027-01")
    await storage.set_override("cohort", "class-7a", {"daily_quota": 20}, by="ms-a")
    opens = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
    assessment = Assessment(
        "quiz-1", "Quiz 1", "class-7a", ("add-two",), opens, opens + dt.timedelta(hours=1), 3
    )
    assert await storage.create_assessment(assessment.as_doc(), by="ms-a")
    assert await storage.claim_attempt("quiz-1", "ana", "add-two", 3) == 1
    assert await storage.reveal_hint("ana", "fizz", 3) == 1
    await storage.set_leaderboard("class-7a", True, {"ana": "Comet", "bo": "Nova"}, by="ms-a")


async def seed_unusual_values(storage: Storage) -> None:
    """Values a backup must carry exactly: binary, UUIDs, 64-bit integers, decimals,
    dates with milliseconds, deep nesting, empty containers, unicode keys."""
    await storage.audit.insert_one(
        {
            "at": dt.datetime(2027, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC),
            "by": "admin",
            "action": "export",
            "subjects": ["learner:ana"],
            "blob": Binary(b"\x00\x01\xfe\xff" * 64),
            "uuid": Binary.from_uuid(uuid.UUID("12345678-1234-5678-1234-567812345678")),
            "big": Int64(2**53 + 1),
            "small": 7,
            "ratio": 0.1,
            "money": Decimal128("12.345"),
            "nested": {"a": [1, {"b": [None, True, {"c": "ß→∑"}]}], "empty": {}, "list": []},
            "naïve key ✓": "value",
        }
    )


async def raw_documents(storage: Storage, name: str) -> list[bytes]:
    """A collection's documents as the server sends them, in a stable order."""
    collection = storage.db.get_collection(name, codec_options=RAW)
    return sorted([doc.raw async for doc in collection.find()])


async def snapshot(storage: Storage) -> dict[str, list[bytes]]:
    """Every collection of the database, document by document (raw BSON)."""
    names = sorted(
        n for n in await storage.db.list_collection_names() if not n.startswith("system.")
    )
    return {name: await raw_documents(storage, name) for name in names}


async def seed_aged_records(
    storage: Storage, now: dt.datetime
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Records in every collection the purge looks at, written through storage.py and
    then made older: (ids past the default retention periods at ``now``, ids within
    them), by collection. The submission ``code-old`` is within its verdict period but
    past its code period (its code goes, it stays)."""
    days = dt.timedelta(days=1)

    async def graded(sid: str, made: dt.datetime, *, code: bool = True) -> None:
        await storage.insert_submission(
            {"_id": sid, "user": "ana", "problem_id": sid, "code": "x = 1\n", "code_hash": sid}
        )
        await storage.mark_running(sid, "worker-1")
        result = final_result(
            "graded", "passed", "", 10, 10, passed=1, total=1, tests=[], image="sandbox:test"
        )
        _, doc = await storage.store_verdict(sid, result)
        assert doc is not None
        await storage.record_progress(doc)
        update: dict = {"$set": {"created_at": made}}
        if not code:  # stripped by an earlier purge
            update["$unset"] = {"code": ""}
        await storage.submissions.update_one({"_id": sid}, update)
        await storage.progress.update_one({"_id": f"ana\x00{sid}"}, {"$set": {"updated_at": made}})

    await graded("verdict-old", now - 400 * days, code=False)
    await graded("code-old", now - 40 * days)
    await graded("fresh", now - 1 * days)
    await storage.insert_submission(
        {"_id": "queued-old-code", "user": "ana", "problem_id": "p", "code": "y = 2\n"}
    )
    await storage.submissions.update_one(
        {"_id": "queued-old-code"}, {"$set": {"created_at": now - 40 * days}}
    )
    # Progress follows its last graded submission; code-old's is 40 days old, kept.
    for problem, revealed in (
        ("old", [now - 500 * days, now - 400 * days]),
        ("mixed", [now - 400 * days, now - 5 * days]),
    ):
        await storage.reveal_hint("ana", problem, 3)
        await storage.hints.update_one(
            {"_id": f"ana\x00{problem}"}, {"$set": {"revealed_at": revealed}}
        )
    for quiz, closes in (("quiz-old", now - 400 * days), ("quiz-new", now - 10 * days)):
        assessment = Assessment(
            quiz, quiz, "class-7a", ("p",), closes - dt.timedelta(hours=1), closes, 3
        )
        assert await storage.create_assessment(assessment.as_doc(), by="ms-a")
        assert await storage.claim_attempt(quiz, "ana", "p", 3) == 1
    await storage.audit.delete_many({})  # create_assessment's, dated now
    await storage.audit.insert_many(
        [
            {"_id": "audit-old", "at": now - 800 * days, "by": "ms-a", "action": "set limits"},
            {"_id": "audit-new", "at": now - 10 * days, "by": "ms-a", "action": "set limits"},
        ]
    )
    await storage.accept_privacy("ana", "2027-01")
    await storage.overrides.insert_one({"_id": "cohort:class-7a", "limits": {"daily_quota": 5}})
    old = {
        "submissions": {"verdict-old"},
        "progress": {"ana\x00verdict-old"},
        "hint_reveals": {"ana\x00old"},
        "assessment_attempts": {"quiz-old\x00ana\x00p"},
        "audit": {"audit-old"},
    }
    new = {
        "submissions": {"code-old", "fresh", "queued-old-code"},
        "progress": {"ana\x00code-old", "ana\x00fresh"},
        "hint_reveals": {"ana\x00mixed"},
        "assessment_attempts": {"quiz-new\x00ana\x00p"},
        "audit": {"audit-new"},
    }
    return old, new


async def drop_databases(uri: str, *databases: str) -> None:
    """Drop test databases made outside ``make_storage`` (by the commands under test)."""
    storage = Storage(uri, "unused")
    try:
        for name in databases:
            await storage.client.drop_database(name)
    finally:
        await storage.close()
