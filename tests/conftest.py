from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from newsloom.enrich.embeddings import MiniLmEmbedder
from newsloom.services import Services
from newsloom.settings import Settings
from newsloom.store import Database
from newsloom.store.db import normalize_url
from newsloom.store.migrate import upgrade
from newsloom.store.vectors import pgvector_version
from tests.support.publisher import PublisherServer

# Every test process, and every worker or CLI process a test starts, loads the integer
# embedding model from one kept file instead of deriving it again (about 2 s each time).
# The file's name holds everything it derives from, so a file left by an earlier run is valid.
os.environ.setdefault("NEWSLOOM_MODEL_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"newsloom-test-models-{os.getuid()}"))

# `make test` runs the suite on two processes (pytest-xdist). Tests empty the PostgreSQL and
# Redis databases they use, so each process gets databases of its own: the named PostgreSQL
# database with the process's name appended (created on start), and the next lower Redis db.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...; None without xdist
_SHARED_POSTGRES_URL = os.environ.get("NEWSLOOM_TEST_DATABASE_URL")


def own_postgres_url(url: str | None) -> str | None:
    if not url or not XDIST_WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{XDIST_WORKER}").render_as_string(hide_password=False)


def own_redis_url(url: str) -> str:
    if not XDIST_WORKER:
        return url
    parsed = urlsplit(url)
    db = int(parsed.path.strip("/") or 0)
    return urlunsplit(parsed._replace(path=f"/{(db - int(XDIST_WORKER.removeprefix('gw'))) % 16}"))


POSTGRES_URL = own_postgres_url(_SHARED_POSTGRES_URL)
REDIS_URL = own_redis_url(os.environ.get("NEWSLOOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
# CI sets this: a backend that is unavailable there is a failure, never a quiet skip.
REQUIRE_ALL_BACKENDS = os.environ.get("NEWSLOOM_REQUIRE_ALL_BACKENDS") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL_BACKENDS:
        pytest.fail(f"{reason} (NEWSLOOM_REQUIRE_ALL_BACKENDS=1)")
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_URL and POSTGRES_URL != _SHARED_POSTGRES_URL:
        _create_postgres_database(_SHARED_POSTGRES_URL, make_url(POSTGRES_URL).database)  # type: ignore[arg-type]


def _create_postgres_database(server_url: str, name: str) -> None:
    engine = create_engine(normalize_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        pass  # no server: the tests that need it skip, or fail under NEWSLOOM_REQUIRE_ALL_BACKENDS
    finally:
        engine.dispose()


def pytest_report_header(config: pytest.Config) -> list[str]:
    backends = "sqlite, postgresql" if POSTGRES_URL else "sqlite only (set NEWSLOOM_TEST_DATABASE_URL for postgresql)"
    return [f"newsloom database backends: {backends}", f"newsloom vector backends: {describe_vector_backends()}"]


@functools.cache  # one answer per run: the server does not change under the tests
def postgres_pgvector() -> str | None:
    """The test server's pgvector version, or None when it has none (or there is no server)."""
    if not POSTGRES_URL:
        return None
    engine = create_engine(normalize_url(POSTGRES_URL))
    try:
        with engine.connect() as connection:
            return pgvector_version(connection)
    finally:
        engine.dispose()


def describe_vector_backends() -> str:
    version = postgres_pgvector()
    postgres = f"pgvector {version} (HNSW)" if version else "usearch (the server has no pgvector)"
    return "sqlite: usearch" + (f"; postgresql: {postgres}" if POSTGRES_URL else "")


def expected_vector_index(database: Database) -> str:
    return "pgvector" if database.dialect == "postgresql" and postgres_pgvector() else "usearch"


def reset_postgres(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'newsloom.db'}"
    else:
        if not POSTGRES_URL:
            skip_or_fail("NEWSLOOM_TEST_DATABASE_URL is not set")
        url = POSTGRES_URL
        reset_postgres(url)
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For tests about behaviour that does not depend on the backend."""
    url = f"sqlite:///{tmp_path / 'newsloom.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return url


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "allow_private_networks": True,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "min_article_chars": 200,
        "page_cache_seconds": 0,  # tests change data between requests; tests/web/test_cache.py turns it on
        "stored_page_max_seconds": 0,  # the same; tests/web/test_stored_pages.py turns it on
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def configured_embedder(threads: int = 1) -> MiniLmEmbedder:
    """The embedding model as the product builds it from the default settings."""
    return MiniLmEmbedder.for_settings(Settings(), threads)


@pytest.fixture
def publisher() -> Iterator[PublisherServer]:
    with PublisherServer() as server:
        yield server


@pytest.fixture
def services(tmp_path: Path, database_url: str) -> Iterator[Services]:
    built = Services(make_settings(tmp_path, database_url))
    yield built
    built.close()


@pytest.fixture
def sqlite_services(tmp_path: Path, sqlite_url: str) -> Iterator[Services]:
    built = Services(make_settings(tmp_path, sqlite_url))
    yield built
    built.close()
