"""Embeddings in pgvector: nearest articles and stories answered by PostgreSQL through HNSW.

On PostgreSQL with the `vector` extension, each article's embedding is copied into
`article_vectors` and each live story's centroid into `story_vectors`, both with an HNSW
index for cosine distance. Every process then asks the database instead of holding its own
index (the embedded default, usearch in memory, has to read every embedding at start).

`article_embeddings` stays the source of truth on both databases; these tables are written in
the same transactions, so they never disagree with it. `enable_pgvector` creates them and
fills them from what is stored, so pgvector can be installed after the data exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

# The column's width: all-MiniLM-L6-v2's (enrich.embeddings.DIMENSIONS, which a test keeps equal).
DIMENSIONS = 384
BACKFILL_SLICE = 2000
# How far an HNSW scan looks: above the result counts asked for, so filtering keeps enough.
EF_SEARCH = 100


class PgvectorMissingError(RuntimeError):
    pass


def pgvector_enabled(connection: Connection) -> bool:
    """Whether this database holds the pgvector tables (cached per pooled connection)."""
    if connection.dialect.name != "postgresql":
        return False
    if "pgvector" not in connection.info:
        connection.info["pgvector"] = connection.scalar(text("SELECT to_regclass('article_vectors') IS NOT NULL"))
    return bool(connection.info["pgvector"])


def choose_backend(engine: Engine, wanted: str = "auto") -> str:
    """The index serving this database, pgvector or usearch, for the `vector_backend` setting
    (auto, pgvector or embedded)."""
    if wanted == "embedded":
        return "usearch"
    with engine.connect() as connection:
        if pgvector_enabled(connection):
            return "pgvector"
    if wanted == "pgvector":
        raise PgvectorMissingError(
            "vector_backend is pgvector but the database has no pgvector tables: install the extension, then run "
            "`newsloom db vectors --enable` (docs/deploy.md)"
        )
    return "usearch"


def pgvector_version(connection: Connection) -> str | None:
    """The installed extension's version, or the version available to install, or None."""
    if connection.dialect.name != "postgresql":
        return None
    return connection.scalar(
        text("SELECT coalesce(installed_version, default_version) FROM pg_available_extensions WHERE name = 'vector'")
    )


def enable_pgvector(connection: Connection) -> int:
    """Create the extension, the tables and their HNSW indexes, and copy in what is stored;
    idempotent. Returns how many article vectors were copied."""
    if pgvector_version(connection) is None:
        raise PgvectorMissingError(
            "the PostgreSQL server has no pgvector extension (install postgresql-NN-pgvector, or see docs/deploy.md)"
        )
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    connection.execute(text(f"""
        CREATE TABLE IF NOT EXISTS article_vectors (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            embedding vector({DIMENSIONS}) NOT NULL
        )"""))
    connection.execute(text(f"""
        CREATE TABLE IF NOT EXISTS story_vectors (
            story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            centroid vector({DIMENSIONS}) NOT NULL,
            first_at TIMESTAMP NOT NULL,
            last_at TIMESTAMP NOT NULL
        )"""))
    copied = 0
    last_seq = 0
    while True:
        rows = connection.execute(
            text("SELECT seq, article_id, vector FROM article_embeddings WHERE seq > :seq AND length(vector) > 0 "
                 "ORDER BY seq LIMIT :limit"),  # fmt: skip
            {"seq": last_seq, "limit": BACKFILL_SLICE},
        ).all()
        if not rows:
            break
        _upsert_articles(connection, [(row[1], bytes(row[2])) for row in rows])
        copied += len(rows)
        last_seq = rows[-1][0]
    stories = connection.execute(
        text("SELECT id, vector_sum, first_at, last_at FROM stories WHERE merged_into_id IS NULL")
    ).all()  # fmt: skip
    for story_id, vector_sum, first_at, last_at in stories:
        _put_story(connection, story_id, bytes(vector_sum), first_at, last_at)
    # Built after the copy: one HNSW build is much faster than as many inserts into it.
    connection.execute(text(
        "CREATE INDEX IF NOT EXISTS ix_article_vectors_hnsw ON article_vectors USING hnsw (embedding vector_cosine_ops)"
    ))  # fmt: skip
    connection.execute(text(
        "CREATE INDEX IF NOT EXISTS ix_story_vectors_hnsw ON story_vectors USING hnsw (centroid vector_cosine_ops)"
    ))  # fmt: skip
    connection.execute(text("CREATE INDEX IF NOT EXISTS ix_story_vectors_last_at ON story_vectors (last_at)"))
    connection.info["pgvector"] = True
    return copied


def literal(vector: np.ndarray | bytes) -> str:
    """pgvector's text form, '[0.1,0.2,...]'."""
    values = np.frombuffer(vector, dtype="<f4") if isinstance(vector, bytes) else vector.astype(np.float32)
    return "[" + ",".join(map(repr, values.tolist())) + "]"


def _upsert_articles(connection: Connection, rows: list[tuple[int, bytes]]) -> None:
    connection.execute(
        text("INSERT INTO article_vectors (article_id, embedding) VALUES (:id, CAST(:v AS vector)) "
             "ON CONFLICT (article_id) DO UPDATE SET embedding = excluded.embedding"),  # fmt: skip
        [{"id": article_id, "v": literal(blob)} for article_id, blob in rows],
    )


def _put_story(connection: Connection, story_id: int, vector_sum: bytes, first_at: datetime, last_at: datetime) -> None:
    total = np.frombuffer(vector_sum, dtype="<f4")
    norm = float(np.linalg.norm(total))
    if norm == 0:  # no member has text: nothing to be near
        connection.execute(text("DELETE FROM story_vectors WHERE story_id = :id"), {"id": story_id})
        return
    connection.execute(
        text("INSERT INTO story_vectors (story_id, centroid, first_at, last_at) VALUES (:id, CAST(:v AS vector), :first, :last) "
             "ON CONFLICT (story_id) DO UPDATE SET centroid = excluded.centroid, first_at = excluded.first_at, "
             "last_at = excluded.last_at"),  # fmt: skip
        {"id": story_id, "v": literal(total / norm), "first": _naive_utc(first_at), "last": _naive_utc(last_at)},
    )


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class VectorRepository:
    """Reads and writes of the pgvector tables; callers check `enabled` first (or use the
    writers, which do nothing on a database without them)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def enabled(self) -> bool:
        return pgvector_enabled(self.session.connection())

    def put_article(self, article_id: int, vector: bytes | None) -> None:
        if not self.enabled:
            return
        if vector:
            _upsert_articles(self.session.connection(), [(article_id, vector)])
        else:
            self.session.execute(text("DELETE FROM article_vectors WHERE article_id = :id"), {"id": article_id})

    def put_story(self, story_id: int, vector_sum: bytes, first_at: datetime, last_at: datetime) -> None:
        if self.enabled:
            _put_story(self.session.connection(), story_id, vector_sum, first_at, last_at)

    def drop_story(self, story_id: int) -> None:
        if self.enabled:
            self.session.execute(text("DELETE FROM story_vectors WHERE story_id = :id"), {"id": story_id})

    def nearest_articles(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """(article id, cosine similarity), closest first, through the HNSW index."""
        self._widen_search(count)
        rows = self.session.execute(
            text("SELECT article_id, 1 - (embedding <=> CAST(:v AS vector)) FROM article_vectors "
                 "ORDER BY embedding <=> CAST(:v AS vector) LIMIT :n"),  # fmt: skip
            {"v": literal(vector), "n": count},
        )
        return [(row[0], float(row[1])) for row in rows]

    def nearest_stories(self, vector: np.ndarray, since: datetime, until: datetime, count: int) -> list[tuple[int, float]]:
        """(story id, cosine similarity) of live stories with an article between `since` and
        `until`; iterative HNSW scans keep looking until enough pass that filter."""
        self._widen_search(count)
        self.session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
        rows = self.session.execute(
            text("SELECT story_id, 1 - (centroid <=> CAST(:v AS vector)) AS similarity FROM story_vectors "
                 "WHERE last_at >= :since AND first_at <= :until ORDER BY centroid <=> CAST(:v AS vector) LIMIT :n"),  # fmt: skip
            {"v": literal(vector), "since": _naive_utc(since), "until": _naive_utc(until), "n": count},
        )
        return sorted(((row[0], float(row[1])) for row in rows), key=lambda hit: -hit[1])

    def article_count(self) -> int:
        return int(self.session.scalar(text("SELECT count(*) FROM article_vectors")) or 0)

    def _widen_search(self, count: int) -> None:
        self.session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, int(count) * 2)}"))
