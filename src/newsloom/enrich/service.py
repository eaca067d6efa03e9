"""Stage 6 for one article: entities, hashtags, quotes, summary, key points and the article's
embedding, computed from the stored text and stored together with the models that made them."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from newsloom.enrich.answers import Answer, answer
from newsloom.enrich.embeddings import DIMENSIONS, MiniLmEmbedder
from newsloom.enrich.entities import entity_key, merge_mentions, salience
from newsloom.enrich.hashtags import choose_hashtags
from newsloom.enrich.mentions import article_mentions
from newsloom.enrich.nlp import SpacyModel
from newsloom.enrich.quotes import quotes_in
from newsloom.enrich.sentences import Sentence, split_sentences
from newsloom.enrich.summary import digest
from newsloom.store import ArticleRepository, Database, EnrichmentRepository
from newsloom.store.records import Article

log = logging.getLogger(__name__)

# Long enough for any news article; a 100k-word text is analysed in its opening part.
MAX_ANALYSED_CHARS = 100_000
# Answers embed every sentence up to this many, and key points are sampled from them.
MAX_SENTENCES = 200
ENGLISH = (None, "en")
ANSWER_CACHE_SIZE = 32


@dataclass(frozen=True)
class EnrichmentResult:
    """`status`: ok, empty, skipped, missing or unchanged; `reason` says why when it is not plain ok."""

    article_id: int
    status: str
    reason: str | None = None
    entities: int = 0
    hashtags: list[str] = field(default_factory=list)
    quotes: int = 0
    summary: list[str] = field(default_factory=list)


@dataclass
class _Analysis:
    entities: list = field(default_factory=list)  # type: ignore[type-arg]
    hashtags: list[str] = field(default_factory=list)
    quotes: list = field(default_factory=list)  # type: ignore[type-arg]
    summary: list[str] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    vector: bytes | None = None


class Enricher:
    def __init__(self, database: Database, nlp: SpacyModel | None = None, embedder: MiniLmEmbedder | None = None) -> None:
        self.database = database
        self.nlp = nlp or SpacyModel()
        self.embedder = embedder or MiniLmEmbedder()
        self._sentence_cache: OrderedDict[tuple[int, int], tuple[list[Sentence], np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def enrich_once(self, article_id: int) -> EnrichmentResult:
        """For jobs, which may run twice (a retry, work re-queued after a crash): an article
        already enriched is left as it is."""
        with self.database.read() as session:
            done = EnrichmentRepository(session).is_enriched(article_id)
        return EnrichmentResult(article_id, "unchanged", "already enriched") if done else self.enrich(article_id)

    def enrich(self, article_id: int) -> EnrichmentResult:
        """Idempotent: recomputing replaces the article's results, never adds to them."""
        article = self._article(article_id)
        if article is None:
            return EnrichmentResult(article_id, "missing", f"article {article_id} does not exist")
        text = article.text.strip()
        if not text:
            return self._save(article_id, _Analysis(), "empty", "the article has no text")
        if article.language not in ENGLISH:
            return self._save(article_id, _Analysis(), "skipped", f"no models for language {article.language!r} yet")
        reason = None
        if len(text) > MAX_ANALYSED_CHARS:
            text = text[:MAX_ANALYSED_CHARS]
            reason = f"only the first {MAX_ANALYSED_CHARS} characters were analysed"
        publishers = [article.source] + ([article.original_source] if article.original_source else [])
        site_names = [name for source in publishers for name in (source.name, source.domain)]
        return self._save(article_id, self._analyse(article.title, text, site_names), "ok", reason)

    def ask(self, article_id: int, question: str) -> Answer:
        """The article's sentences that answer `question`, or why it cannot be answered."""
        article = self._article(article_id)
        if article is None:
            return Answer(question, False, [], f"article {article_id} does not exist")
        if article.language not in ENGLISH:
            return Answer(question, False, [], f"questions about articles in {article.language!r} are not supported yet")
        sentences, vectors = self._sentences(article)
        return answer(question, sentences, vectors, self.embedder.embed([question[:1000]])[0])

    def _analyse(self, title: str, text: str, site_names: list[str] | None = None) -> _Analysis:
        # 1. Entities and hashtags, over the headline and the body.
        analysed = f"{title}\n\n{text}" if title else text  # as article_mentions reads it: the same offsets
        mentions = article_mentions(self.nlp, text, title)
        entities = merge_mentions(mentions)
        rows = [
            (entity.kind, entity.name, entity_key(entity.name), entity.mentions, salience(entity, title, len(text)))
            for entity in entities
        ]
        # 2. Quotes, resolving speakers with the same entities.
        quotes = [
            (q.text, q.speaker, entity_key(q.speaker), q.affiliation, q.cue, q.start)
            for q in quotes_in(analysed, self.nlp, mentions, entities)
        ]
        # 3. Summary and key points from sentence embeddings; the article's own vector from the same.
        chosen = digest(split_sentences(text)[:MAX_SENTENCES], title or text[:300], self.embedder)
        return _Analysis(
            rows, choose_hashtags(entities, title, text, site_names or ()), quotes,
            [s.text for s in chosen.summary], [s.text for s in chosen.key_points], _article_vector(chosen.read_vectors, chosen.title_vector),
        )  # fmt: skip

    def _save(self, article_id: int, analysis: _Analysis, status: str, reason: str | None) -> EnrichmentResult:
        loaded = status == "ok"  # loading models only to label an empty result would waste seconds
        nlp_version = self.nlp.version if loaded else "not loaded"
        embedder_version = self.embedder.version if loaded else "not loaded"
        with self.database.write() as session:
            repository = EnrichmentRepository(session)
            repository.replace_entities(
                article_id, analysis.entities, analysis.hashtags, model=self.nlp.name, model_version=nlp_version,
                status=status, reason=reason,
            )  # fmt: skip
            repository.replace_quotes(article_id, analysis.quotes)
            repository.record_status(article_id, "quotes", model=self.nlp.name, model_version=nlp_version, status=status, reason=reason)
            repository.replace_digest(article_id, analysis.summary, analysis.key_points)
            repository.record_status(article_id, "digest", model=self.embedder.name, model_version=embedder_version, status=status, reason=reason)
            repository.replace_embedding(article_id, self.embedder.name, analysis.vector)
            repository.record_status(article_id, "embedding", model=self.embedder.name, model_version=embedder_version, status=status, reason=reason)
        log.info("article %s enriched: %s, %d entities, %d quotes", article_id, status, len(analysis.entities), len(analysis.quotes))
        return EnrichmentResult(article_id, status, reason, len(analysis.entities), analysis.hashtags, len(analysis.quotes), analysis.summary)

    def _article(self, article_id: int) -> Article | None:
        with self.database.read() as session:
            return ArticleRepository(session).get(article_id)

    def _sentences(self, article: Article) -> tuple[list[Sentence], np.ndarray]:
        """Sentence vectors are not stored (they would outweigh the text): computed on a
        question and kept for the next few questions."""
        key = (article.id, hash(article.text))  # a re-cleaned body is a new entry
        with self._cache_lock:
            if key in self._sentence_cache:
                self._sentence_cache.move_to_end(key)
                return self._sentence_cache[key]
        sentences = split_sentences(article.text[:MAX_ANALYSED_CHARS])[:MAX_SENTENCES]
        entry = (sentences, self.embedder.embed([s.text for s in sentences]))
        with self._cache_lock:
            self._sentence_cache[key] = entry
            while len(self._sentence_cache) > ANSWER_CACHE_SIZE:
                self._sentence_cache.popitem(last=False)
        return entry


def _article_vector(body_vectors: np.ndarray, title_vector: np.ndarray | None) -> bytes:
    """Headline and body weigh the same: the headline names the event, the body carries it."""
    body = body_vectors.mean(axis=0) if len(body_vectors) else None
    parts = [v / max(float(np.linalg.norm(v)), 1e-12) for v in (title_vector, body) if v is not None]
    vector = np.mean(parts, axis=0) if parts else np.zeros(DIMENSIONS, dtype=np.float32)
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype("<f4").tobytes()
