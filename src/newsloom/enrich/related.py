"""Related articles: nearest neighbours by embedding, without copies, weighted to recent news.

The vector index sits behind `VectorIndex`. On PostgreSQL with pgvector, the database
answers (`PgvectorIndex`, an HNSW index the store keeps current in the same transactions), so
no process holds or builds an index of its own. The embedded default is usearch (HNSW,
cosine), kept in the process and caught up from the store's embeddings table by sequence
number, so that new articles show up without a rebuild; bench/related.py measures it against
faiss on real article embeddings.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

import numpy as np

from newsloom.enrich.embeddings import DIMENSIONS
from newsloom.store import ArticleRepository, Database, EnrichmentRepository
from newsloom.store.records import Article, ArticleOutline
from newsloom.store.vectors import VectorRepository, choose_backend

MIN_SIMILARITY = 0.35
# Two weeks apart halves the recency part of the score; similarity still decides.
RECENCY_HALF_LIFE_DAYS = 14.0
RECENCY_SHARE = 0.3
CANDIDATES = 50
ADD_SLICE = 1000


VectorBackend = Literal["auto", "pgvector", "embedded"]


class VectorIndex(Protocol):
    name: str
    # Whether `RelatedFinder` must feed it from the embeddings table (an in-process index).
    follows_store: bool

    def upsert(self, keys: np.ndarray, vectors: np.ndarray) -> None: ...
    def remove(self, keys: list[int]) -> None: ...
    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]: ...
    def __len__(self) -> int: ...


class UsearchIndex:
    """usearch HNSW over unit vectors; `search` returns (key, cosine similarity)."""

    name = "usearch"
    follows_store = True

    def __init__(self, dimensions: int = DIMENSIONS) -> None:
        from usearch.index import Index

        self._index = Index(ndim=dimensions, metric="cos", dtype="f32")
        self._lock = threading.Lock()

    def upsert(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        with self._lock:
            self._drop(int(key) for key in keys)
            self._index.add(keys.astype(np.uint64), vectors.astype(np.float32))

    def remove(self, keys: list[int]) -> None:
        with self._lock:
            self._drop(keys)

    def _drop(self, keys: Iterable[int]) -> None:
        for key in keys:
            if key in self._index:
                self._index.remove(key)

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        with self._lock:
            if len(self._index) == 0:
                return []
            matches = self._index.search(vector.astype(np.float32), min(count, len(self._index)))
        return [(int(key), 1.0 - float(distance)) for key, distance in zip(matches.keys, matches.distances, strict=True)]

    def __len__(self) -> int:
        return len(self._index)


class PgvectorIndex:
    """PostgreSQL's HNSW index over `article_vectors`, which the store writes with each
    embedding; `upsert` and `remove` have nothing to do."""

    name = "pgvector"
    follows_store = False

    def __init__(self, database: Database) -> None:
        self.database = database

    def upsert(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        pass

    def remove(self, keys: list[int]) -> None:
        pass

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        with self.database.read() as session:
            return VectorRepository(session).nearest_articles(vector, count)

    def __len__(self) -> int:
        with self.database.read() as session:
            return VectorRepository(session).article_count()


def vector_index(database: Database, backend: VectorBackend = "auto") -> VectorIndex:
    """pgvector where the database has it (or where `backend` demands it), usearch otherwise."""
    return PgvectorIndex(database) if choose_backend(database.engine, backend) == "pgvector" else UsearchIndex()


@dataclass(frozen=True)
class RelatedArticle:
    article: Article
    similarity: float
    score: float


def recency_weight(a: datetime, b: datetime) -> float:
    days = abs((a - b).total_seconds()) / 86400
    return (1 - RECENCY_SHARE) + RECENCY_SHARE * math.pow(0.5, days / RECENCY_HALF_LIFE_DAYS)


class RelatedFinder:
    def __init__(self, database: Database, index: VectorIndex | None = None, backend: VectorBackend = "auto") -> None:
        self.database = database
        self._index = index
        self._backend = backend
        self._choosing = threading.Lock()
        self._seq = 0
        self._sync_lock = threading.Lock()
        self._stopping = threading.Event()
        self._warming: threading.Thread | None = None
        self._caught_up = threading.Event()

    @property
    def caught_up(self) -> bool:
        """Whether every stored embedding has been searchable at least once (always, on pgvector)."""
        return self._caught_up.is_set() or not self.index.follows_store

    @property
    def index(self) -> VectorIndex:
        """Chosen on first use: a web process may start before its database does."""
        with self._choosing:
            if self._index is None:
                self._index = vector_index(self.database, self._backend)
            return self._index

    def sync(self, wait: bool = True) -> int:
        """Catch up with embeddings written or removed since the last call; returns how many.
        With `wait=False` it returns at once when another thread is already catching up."""
        changed = 0
        if not self.index.follows_store or not self._sync_lock.acquire(blocking=wait):
            return 0
        try:
            while True:
                with self.database.read() as session:
                    rows = EnrichmentRepository(session).embeddings_since(self._seq)
                if not rows:
                    self._caught_up.set()
                    return changed
                # In slices, each under the index's lock: searches go on while a large index is
                # built, and a shutdown waits for one slice at most.
                for start in range(0, len(rows), ADD_SLICE):
                    if self._stopping.is_set():
                        return changed
                    part = rows[start : start + ADD_SLICE]
                    kept = [(article_id, blob) for _, article_id, blob in part if blob]
                    self.index.remove([article_id for _, article_id, blob in part if not blob])
                    if kept:
                        keys = np.array([article_id for article_id, _ in kept], dtype=np.uint64)
                        self.index.upsert(keys, np.vstack([np.frombuffer(blob, dtype="<f4") for _, blob in kept]))
                    self._seq = part[-1][0]
                    changed += len(part)
        finally:
            self._sync_lock.release()

    def warm_up(self) -> threading.Thread:
        """Build the index in the background, so that no reader waits for it (at 100k articles
        that takes minutes); until it is done, related articles come from what is indexed so far."""
        def build() -> None:
            try:
                self.sync()
            except Exception:  # e.g. the database is not up yet; the next reader's request tries again
                logging.getLogger(__name__).warning("building the related-articles index failed", exc_info=True)

        self._warming = threading.Thread(target=build, name="related-index", daemon=True)
        self._warming.start()
        return self._warming

    def stop(self) -> None:
        """Stop a background build (a native thread killed mid-build aborts the process at exit)."""
        self._stopping.set()
        if self._warming is not None:
            self._warming.join()

    def related(self, article_id: int, limit: int = 5, article: Article | None = None) -> list[RelatedArticle]:
        """`article`: the article itself when the caller has it loaded already."""
        self.sync(wait=False)
        with self.database.read() as session:
            blob = EnrichmentRepository(session).embedding(article_id)
            this = article if article is not None and article.id == article_id else ArticleRepository(session).get(article_id)
        if blob is None or this is None:
            return []
        # Outside the session: pgvector's search takes a connection of its own.
        hits = [
            (key, similarity)
            for key, similarity in self.index.search(np.frombuffer(blob, dtype="<f4"), CANDIDATES)
            if key != article_id and similarity >= MIN_SIMILARITY  # only these are worth loading
        ]
        # Chosen from outlines (no text), then only the chosen few are loaded whole.
        with self.database.read() as session:
            found = ArticleRepository(session).outlines([key for key, _ in hits])
        own_group = this.duplicate_of or this.id
        candidates, groups = [], {own_group}
        for key, similarity in hits:
            other = found.get(key)
            if other is None:
                continue  # deleted since it was indexed
            group = other.duplicate_of or other.id
            if group in groups or other.title.casefold() == this.title.casefold():
                continue  # a copy of this story, or of one already listed
            groups.add(group)
            candidates.append((other, similarity, similarity * recency_weight(this.sort_at, other.sort_at)))
        # Other outlets' coverage of the same story first, then related stories.
        candidates.sort(key=lambda c: (not _same_story(this, c[0]), -c[2]))
        chosen = candidates[:limit]
        with self.database.read() as session:
            articles = ArticleRepository(session).get_many([outline.id for outline, _, _ in chosen])
        return [RelatedArticle(articles[o.id], similarity, score) for o, similarity, score in chosen if o.id in articles]


def _same_story(this: Article, other: ArticleOutline) -> bool:
    return this.story_id is not None and other.story_id == this.story_id and other.source_id != this.source.id
