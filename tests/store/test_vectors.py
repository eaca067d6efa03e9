"""pgvector on the test PostgreSQL server (CI builds the extension), and the fallback elsewhere."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import text

from newsloom.enrich.embeddings import DIMENSIONS
from newsloom.enrich.related import PgvectorIndex, UsearchIndex, vector_index
from newsloom.store import Database, EnrichmentRepository, StoryRepository
from newsloom.store.vectors import DIMENSIONS as COLUMN_DIMENSIONS
from newsloom.store.vectors import PgvectorMissingError, VectorRepository, enable_pgvector, pgvector_enabled
from tests.conftest import POSTGRES_URL, postgres_pgvector, reset_postgres, skip_or_fail
from tests.support.comments import store_article

NOW = datetime.now(UTC)


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS).astype(np.float32)
    return vector / np.linalg.norm(vector)


def near(vector: np.ndarray, seed: int, noise: float) -> np.ndarray:
    moved = vector + noise * unit(seed)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


@pytest.fixture
def pg() -> Database:
    if not POSTGRES_URL:
        skip_or_fail("NEWSLOOM_TEST_DATABASE_URL is not set")
    if postgres_pgvector() is None:
        skip_or_fail("the PostgreSQL server has no pgvector extension (.ci/run builds it)")
    from newsloom.store.migrate import upgrade

    reset_postgres(POSTGRES_URL)
    database = Database(POSTGRES_URL)
    upgrade(database.engine)
    yield database
    database.dispose()


def embed(database: Database, article_id: int, vector: np.ndarray | None) -> None:
    with database.write() as session:
        EnrichmentRepository(session).replace_embedding(article_id, "test", vector.astype("<f4").tobytes() if vector is not None else None)


def test_the_column_is_as_wide_as_the_model():
    assert COLUMN_DIMENSIONS == DIMENSIONS


def test_sqlite_falls_back_to_usearch_and_refuses_a_demand_for_pgvector(sqlite_url):
    database = Database(sqlite_url)
    try:
        assert isinstance(vector_index(database), UsearchIndex)
        with pytest.raises(PgvectorMissingError, match="vector_backend is pgvector"):
            vector_index(database, "pgvector")
    finally:
        database.dispose()


def test_migrations_enable_pgvector_and_embeddings_follow_every_write(pg):
    with pg.engine.connect() as connection:
        assert pgvector_enabled(connection)
    assert isinstance(vector_index(pg), PgvectorIndex)
    base = unit(1)
    ids = [store_article(pg, f"Article {n}") for n in range(6)]
    for number, article_id in enumerate(ids):
        embed(pg, article_id, near(base, 100 + number, 0.2 * number))  # farther from `base` as the number grows
    index = PgvectorIndex(pg)
    assert len(index) == 6
    hits = index.search(base, 3)
    assert [key for key, _ in hits] == ids[:3]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4) and hits[0][1] > hits[1][1] > hits[2][1]

    embed(pg, ids[0], unit(7))  # re-embedded: moved, never twice
    embed(pg, ids[1], None)  # lost its text: gone from the index
    assert len(index) == 5
    assert [key for key, _ in index.search(base, 2)] == ids[2:4]


def test_nearest_articles_go_through_the_hnsw_index(pg):
    with pg.read() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table would be scanned otherwise
        plan = "\n".join(
            row[0] for row in session.execute(
                text("EXPLAIN SELECT article_id FROM article_vectors ORDER BY embedding <=> CAST(:v AS vector) LIMIT 5"),
                {"v": "[" + ",".join(["0.1"] * DIMENSIONS) + "]"},
            )
        )  # fmt: skip
    assert "ix_article_vectors_hnsw" in plan


def test_story_centroids_follow_creation_growth_and_merges(pg):
    base = unit(2)
    with pg.write() as session:
        stories = StoryRepository(session)
        first = stories.create(base.astype("<f4").tobytes(), {"flood": 1}, 1, NOW, NOW, None)
        total = base + near(base, 3, 0.3)
        second = stories.create(total.astype("<f4").tobytes(), {"flood": 2}, 2, NOW, NOW, None)
        old = stories.create(base.astype("<f4").tobytes(), {"flood": 1}, 1, NOW - timedelta(days=30), NOW - timedelta(days=30), None)
        far = stories.create(unit(9).astype("<f4").tobytes(), {"vote": 1}, 1, NOW, NOW, None)
    with pg.read() as session:
        window = VectorRepository(session).nearest_stories(base, NOW - timedelta(hours=72), NOW + timedelta(hours=72), 3)
    assert [story_id for story_id, _ in window][:2] == [first.id, second.id]  # the month-old one is outside
    assert old.id not in {story_id for story_id, _ in window} and window[-1][0] == far.id
    assert window[0][1] == pytest.approx(1.0, abs=1e-4)

    with pg.write() as session:
        StoryRepository(session).merge(second.id, first.id)
    with pg.read() as session:
        after = VectorRepository(session).nearest_stories(base, NOW - timedelta(hours=72), NOW + timedelta(hours=72), 3)
    assert first.id not in {story_id for story_id, _ in after}  # merged away: no longer a candidate


def test_enabling_later_copies_what_is_stored_and_can_run_twice(pg):
    ids = [store_article(pg, f"Article {n}") for n in range(3)]
    with pg.engine.begin() as connection:
        connection.execute(text("DROP TABLE article_vectors, story_vectors"))
    pg.engine.dispose()  # pooled connections remember that the tables were there
    for number, article_id in enumerate(ids):
        embed(pg, article_id, unit(number))  # written while pgvector is off 
    embed(pg, ids[2], None)
    with pg.engine.begin() as connection:
        assert enable_pgvector(connection) == 2
    with pg.engine.begin() as connection:
        assert enable_pgvector(connection) == 2  # idempotent: upserts, IF NOT EXISTS
    assert [key for key, _ in PgvectorIndex(pg).search(unit(1), 1)] == [ids[1]]
