"""Where classes live: the class (its join code, the teacher's capability, what the class follows)
and its students (display name, sandbox id, what the dashboard has seen of them).

The teacher token is a capability: whoever holds it is the teacher. Only its sha256 is stored, so
the database alone does not make anyone a teacher. Two implementations with one contract, tested
alike: SQLite (the embedded default, beside the sandboxes) and Redis (several app servers).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from abc import ABC, abstractmethod
from contextlib import closing
from dataclasses import dataclass, field
from typing import Callable

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code          TEXT PRIMARY KEY,
    teacher_hash  TEXT NOT NULL UNIQUE,
    created       REAL NOT NULL,
    expires       REAL NOT NULL,
    follow        TEXT NOT NULL DEFAULT '{}',
    follow_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS class_students (
    code        TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    student_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    sandbox_id  TEXT NOT NULL,
    joined      REAL NOT NULL,
    activity    TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (code, student_id)
);
"""


class ClassFull(Exception):
    """The class has reached its size limit."""


class UnknownClass(KeyError):
    """No class has this code (never started, or expired)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ClassInfo:
    code: str
    created: float
    expires: float
    follow: dict = field(default_factory=dict)   # {"kind": "walkthrough", "step": 3} or {"kind": "lesson", "slug": …}
    follow_version: int = 0                      # bumped on every change: the students' ETag


@dataclass(frozen=True)
class StudentInfo:
    student_id: str
    name: str
    sandbox_id: str
    joined: float
    activity: dict = field(default_factory=dict)   # course.classroom.Activity.to_json()


class ClassStore(ABC):
    clock: Callable[[], float]

    @abstractmethod
    def create(self, code: str, teacher_token: str, lifetime: float) -> ClassInfo:
        """A new class; KeyError if the code is taken (the caller draws another)."""

    @abstractmethod
    def get(self, code: str) -> ClassInfo | None:
        """The class, or None when unknown or expired."""

    @abstractmethod
    def by_teacher(self, teacher_token: str) -> ClassInfo | None: ...

    @abstractmethod
    def rotate(self, code: str, new_token: str) -> None:
        """The old teacher link stops working; the new one is the only capability."""

    @abstractmethod
    def add_student(self, code: str, student: StudentInfo, limit: int) -> None:
        """ClassFull when `limit` students are in already; UnknownClass when the class is gone."""

    @abstractmethod
    def students(self, code: str) -> list[StudentInfo]:
        """In the order they joined."""

    @abstractmethod
    def remove_student(self, code: str, student_id: str) -> None: ...

    @abstractmethod
    def save_activity(self, code: str, student_id: str, activity: dict) -> None: ...

    @abstractmethod
    def set_follow(self, code: str, follow: dict) -> int:
        """What the class follows now; returns the new follow version."""

    @abstractmethod
    def cleanup(self) -> int:
        """Delete expired classes and their students' class data; return how many classes."""


class SQLiteClassStore(ClassStore):
    def __init__(self, path: str, clock: Callable[[], float] = time.time):
        self.path, self.clock = path, clock
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def create(self, code, teacher_token, lifetime):
        now = self.clock()
        with closing(self._connect()) as db:
            try:
                db.execute("INSERT INTO classes (code, teacher_hash, created, expires) VALUES (?, ?, ?, ?)",
                           (code, token_hash(teacher_token), now, now + lifetime))
            except sqlite3.IntegrityError:
                raise KeyError(code) from None
        return ClassInfo(code, now, now + lifetime)

    def _one(self, where: str, value: str) -> ClassInfo | None:
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT code, created, expires, follow, follow_version FROM classes WHERE {where} = ?",
                             (value,)).fetchone()
        if row is None or row[2] <= self.clock():
            return None
        return ClassInfo(row[0], row[1], row[2], json.loads(row[3]), row[4])

    def get(self, code):
        return self._one("code", code)

    def by_teacher(self, teacher_token):
        return self._one("teacher_hash", token_hash(teacher_token))

    def rotate(self, code, new_token):
        with closing(self._connect()) as db:
            db.execute("UPDATE classes SET teacher_hash = ? WHERE code = ?", (token_hash(new_token), code))

    def add_student(self, code, student, limit):
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")   # count and insert as one: two joins cannot both take the last seat
            try:
                if db.execute("SELECT 1 FROM classes WHERE code = ? AND expires > ?",
                              (code, self.clock())).fetchone() is None:
                    raise UnknownClass(code)
                if db.execute("SELECT COUNT(*) FROM class_students WHERE code = ?", (code,)).fetchone()[0] >= limit:
                    raise ClassFull(code)
                db.execute("INSERT INTO class_students (code, student_id, name, sandbox_id, joined, activity) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (code, student.student_id, student.name, student.sandbox_id,
                                                         student.joined, json.dumps(student.activity)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def students(self, code):
        with closing(self._connect()) as db:
            rows = db.execute("SELECT student_id, name, sandbox_id, joined, activity FROM class_students "
                              "WHERE code = ? ORDER BY joined, rowid", (code,)).fetchall()
        return [StudentInfo(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    def remove_student(self, code, student_id):
        with closing(self._connect()) as db:
            db.execute("DELETE FROM class_students WHERE code = ? AND student_id = ?", (code, student_id))

    def save_activity(self, code, student_id, activity):
        with closing(self._connect()) as db:
            db.execute("UPDATE class_students SET activity = ? WHERE code = ? AND student_id = ?",
                       (json.dumps(activity), code, student_id))

    def set_follow(self, code, follow):
        with closing(self._connect()) as db:
            db.execute("UPDATE classes SET follow = ?, follow_version = follow_version + 1 WHERE code = ?",
                       (json.dumps(follow), code))
            row = db.execute("SELECT follow_version FROM classes WHERE code = ?", (code,)).fetchone()
        return row[0] if row else 0

    def cleanup(self):
        with closing(self._connect()) as db:
            return db.execute("DELETE FROM classes WHERE expires <= ?", (self.clock(),)).rowcount


class RedisClassStore(ClassStore):
    """Keys: {prefix}class:{code} (hash), {prefix}class-teacher:{hash} -> code,
    {prefix}class:{code}:students (hash student_id -> JSON), {prefix}class:{code}:order (list).
    Every key expires with the class, so Redis deletes the class data itself."""

    def __init__(self, client, prefix: str = "layerlab:", clock: Callable[[], float] = time.time):
        self.client, self.prefix, self.clock = client, prefix, clock

    def _key(self, code: str, part: str = "") -> str:
        return f"{self.prefix}class:{code}{part}"

    def _keys(self, code: str) -> list[str]:
        return [self._key(code), self._key(code, ":students"), self._key(code, ":order")]

    def create(self, code, teacher_token, lifetime):
        now = self.clock()
        key = self._key(code)
        if not self.client.hsetnx(key, "created", now):
            raise KeyError(code)
        self.client.hset(key, mapping={"expires": now + lifetime, "teacher": token_hash(teacher_token),
                                       "follow": "{}", "follow_version": 0})
        self.client.set(f"{self.prefix}class-teacher:{token_hash(teacher_token)}", code, ex=int(lifetime) + 1)
        self.client.expire(key, int(lifetime) + 1)
        return ClassInfo(code, now, now + lifetime)

    def get(self, code):
        data = self.client.hgetall(self._key(code))
        if not data or float(data[b"expires"]) <= self.clock():
            return None
        return ClassInfo(code, float(data[b"created"]), float(data[b"expires"]), json.loads(data[b"follow"]),
                         int(data[b"follow_version"]))

    def by_teacher(self, teacher_token):
        code = self.client.get(f"{self.prefix}class-teacher:{token_hash(teacher_token)}")
        return self.get(code.decode()) if code else None

    def rotate(self, code, new_token):
        old = self.client.hget(self._key(code), "teacher")
        ttl = max(1, self.client.ttl(self._key(code)))
        pipe = self.client.pipeline()
        if old:
            pipe.delete(f"{self.prefix}class-teacher:{old.decode()}")
        pipe.hset(self._key(code), "teacher", token_hash(new_token))
        pipe.set(f"{self.prefix}class-teacher:{token_hash(new_token)}", code, ex=ttl)
        pipe.execute()

    def add_student(self, code, student, limit):
        info = self.get(code)
        if info is None:
            raise UnknownClass(code)
        order = self._key(code, ":order")
        # RPUSH answers the new length atomically: the one that pushes past the limit takes it back
        if self.client.rpush(order, student.student_id) > limit:
            self.client.lrem(order, -1, student.student_id)
            raise ClassFull(code)
        ttl = max(1, int(info.expires - self.clock()) + 1)
        self.client.hset(self._key(code, ":students"), student.student_id, json.dumps(
            {"name": student.name, "sandbox_id": student.sandbox_id, "joined": student.joined,
             "activity": student.activity}))
        self.client.expire(order, ttl)
        self.client.expire(self._key(code, ":students"), ttl)

    def students(self, code):
        ids = [i.decode() for i in self.client.lrange(self._key(code, ":order"), 0, -1)]
        raw = self.client.hgetall(self._key(code, ":students"))
        found = []
        for student_id in ids:
            data = raw.get(student_id.encode())
            if data:
                d = json.loads(data)
                found.append(StudentInfo(student_id, d["name"], d["sandbox_id"], d["joined"], d["activity"]))
        return found

    def remove_student(self, code, student_id):
        self.client.lrem(self._key(code, ":order"), 0, student_id)
        self.client.hdel(self._key(code, ":students"), student_id)

    def save_activity(self, code, student_id, activity):
        key = self._key(code, ":students")
        data = self.client.hget(key, student_id)
        if data:
            self.client.hset(key, student_id, json.dumps({**json.loads(data), "activity": activity}))

    def set_follow(self, code, follow):
        pipe = self.client.pipeline()
        pipe.hset(self._key(code), "follow", json.dumps(follow))
        pipe.hincrby(self._key(code), "follow_version", 1)
        return int(pipe.execute()[1])

    def cleanup(self):
        return 0   # every key carries the class's expiry: Redis deletes them itself
