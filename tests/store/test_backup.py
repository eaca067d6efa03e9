"""`newsloom backup` and `newsloom restore`: a round trip on each backend, as a user runs them."""

import subprocess
import sys

import pytest

from newsloom.store import ArticleRepository, Database, UserRepository
from newsloom.store.backup import BackupError, backup, restore
from tests.support.comments import store_article


def count_articles(database: Database) -> int:
    with database.read() as session:
        return ArticleRepository(session).count()


def test_a_backup_restores_what_was_there(tmp_path, database_url):
    database = Database(database_url)
    kept = store_article(database, "Before the backup")
    with database.write() as session:
        UserRepository(session).create("ann", "hash", "reader")
    result = backup(database_url, tmp_path / "newsloom.backup")
    assert result.bytes > 0 and not (tmp_path / "newsloom.backup.partial").exists()

    store_article(database, "After the backup")  # lost by the restore, as it should be
    with database.write() as session:
        UserRepository(session).delete(UserRepository(session).by_username("ann").id)
    database.dispose()

    run = subprocess.run(
        [sys.executable, "-m", "newsloom", "restore", str(tmp_path / "newsloom.backup"), "--yes"],
        capture_output=True, text=True, env={"NEWSLOOM_DATABASE_URL": database_url, "NEWSLOOM_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "now at revision" in run.stdout
    database = Database(database_url)
    with database.read() as session:
        assert ArticleRepository(session).get(kept).title == "Before the backup"
        assert UserRepository(session).by_username("ann") is not None
    assert count_articles(database) == 1
    database.dispose()


def test_restore_refuses_what_is_not_a_backup(tmp_path, database_url):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a database at all")
    with pytest.raises(BackupError, match="is not a"):
        restore(database_url, junk)
    with pytest.raises(BackupError, match="is not a file"):
        restore(database_url, tmp_path / "missing")
