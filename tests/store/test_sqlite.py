from sqlalchemy import text

from newsloom.store import Database


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    database = Database(sqlite_url)
    with database.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    database.dispose()


def test_postgres_urls_use_psycopg3():
    from newsloom.store.db import normalize_url

    assert normalize_url("postgresql://user@host/db") == "postgresql+psycopg://user@host/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
