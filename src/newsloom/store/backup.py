"""Backups of the whole database, and restoring one.

SQLite: the online backup API copies a consistent snapshot page by page while the web and
the workers keep running; the copy is an ordinary SQLite file. PostgreSQL: `pg_dump` in its
custom format, restored with `pg_restore` in one transaction (all or nothing). Both write to
a temporary file first, so an interrupted backup never leaves a truncated file under the
name asked for.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    bytes: int


def backup(database_url: str, target: Path) -> BackupResult:
    url = make_url(database_url)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(database_url)
        with closing(sqlite3.connect(source, timeout=60)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
        dialect = "sqlite"
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial), _libpq(database_url)])
        dialect = "postgresql"
    os.replace(partial, target)
    return BackupResult(target, dialect, target.stat().st_size)


def restore(database_url: str, source: Path) -> str:
    """Replaces the database's content with the backup's; returns the dialect."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with source.open("rb") as file:
        head = file.read(16)
    if make_url(database_url).get_backend_name() == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite backup")
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file:
            tables = {row[0] for row in backup_file.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                raise BackupError(f"{source} is a SQLite file but not a Newsloom database")
            with closing(sqlite3.connect(_sqlite_path(database_url), timeout=60)) as live:
                backup_file.backup(live)  # page by page under the live database's write lock
        return "sqlite"
    if not head.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup")
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--dbname", _libpq(database_url), str(source)])  # fmt: skip
    return "postgresql"


def _sqlite_path(database_url: str) -> str:
    path = make_url(database_url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return path


def _libpq(database_url: str) -> str:
    """The URL as pg_dump reads it: no SQLAlchemy driver suffix."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()[-500:]}")
