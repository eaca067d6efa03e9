"""Stage 6 for one article: entities and hashtags, stored with the model that made them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from newsloom.enrich.entities import entity_key, merge_mentions, salience
from newsloom.enrich.hashtags import choose_hashtags
from newsloom.enrich.nlp import SpacyModel
from newsloom.store import ArticleRepository, Database, EnrichmentRepository

log = logging.getLogger(__name__)

# Long enough for any news article; a 100k-word text is analysed in its opening part.
MAX_ANALYSED_CHARS = 100_000
ENGLISH = (None, "en")


@dataclass(frozen=True)
class EnrichmentResult:
    """`status`: ok, empty, skipped or missing; `reason` says why when it is not plain ok."""

    article_id: int
    status: str
    reason: str | None = None
    entities: int = 0
    hashtags: list[str] = field(default_factory=list)


class Enricher:
    def __init__(self, database: Database, ner: SpacyModel | None = None) -> None:
        self.database = database
        self.ner = ner or SpacyModel()

    def enrich(self, article_id: int) -> EnrichmentResult:
        """Idempotent: recomputing replaces the article's results, never adds to them."""
        with self.database.read() as session:
            article = ArticleRepository(session).get(article_id)
        if article is None:
            return EnrichmentResult(article_id, "missing", f"article {article_id} does not exist")
        text, reason = article.text.strip(), None
        if not text:
            return self._save(article_id, [], [], "empty", "the article has no text")
        if article.language not in ENGLISH:
            return self._save(article_id, [], [], "skipped", f"no entity model for language {article.language!r} yet")
        if len(text) > MAX_ANALYSED_CHARS:
            text = text[:MAX_ANALYSED_CHARS]
            reason = f"only the first {MAX_ANALYSED_CHARS} characters were analysed"
        entities = merge_mentions(self.ner.mentions(f"{article.title}\n\n{text}"))
        rows = [
            (entity.kind, entity.name, entity_key(entity.name), entity.mentions, salience(entity, article.title, len(text)))
            for entity in entities
        ]
        return self._save(article_id, rows, choose_hashtags(entities, article.title, text), "ok", reason)

    def _save(self, article_id: int, rows: list, hashtags: list[str], status: str, reason: str | None) -> EnrichmentResult:  # type: ignore[type-arg]
        with self.database.write() as session:
            EnrichmentRepository(session).replace_entities(
                article_id, rows, hashtags, model=self.ner.name, model_version=self._model_version(status),
                status=status, reason=reason,
            )  # fmt: skip
        log.info("article %s enriched: %s, %d entities", article_id, status, len(rows))
        return EnrichmentResult(article_id, status, reason, len(rows), hashtags)

    def _model_version(self, status: str) -> str:
        # Loading the model only to label an empty or skipped result would waste a second.
        return self.ner.version if status == "ok" else "not loaded"
