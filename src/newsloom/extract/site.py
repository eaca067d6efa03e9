"""What Newsloom knows about one publisher's pages: its scraper rules and its learned boilerplate.

Boilerplate is learned from stored articles and applied to new and existing ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from newsloom.extract.boilerplate import MIN_ARTICLES, Boilerplate, learn, strip_learned
from newsloom.extract.clean import clean_text
from newsloom.extract.rules import SourceRules
from newsloom.extract.sanitize import html_to_text
from newsloom.extract.titles import learn_title_parts, without_learned_parts
from newsloom.store import ArticleRepository, BoilerplateRepository, Database, SourceRepository

log = logging.getLogger(__name__)

RELEARN_EVERY = 10  # new articles of a young source between two learning passes
MAX_RELEARN_EVERY = 200
SAMPLE_SIZE = 200  # most recent articles a pass learns from and re-cleans


@dataclass(frozen=True)
class LearningReport:
    source_id: int
    sample_size: int
    learned: int
    articles_recleaned: int


@dataclass(frozen=True)
class SiteProfile:
    rules: SourceRules
    boilerplate: Boilerplate


class SiteCleanup:
    def __init__(self, database: Database) -> None:
        self.database = database

    def profile(self, source_id: int) -> SiteProfile:
        with self.database.read() as session:
            body_selector, drop_selectors = SourceRepository(session).rules(source_id)
            items = BoilerplateRepository(session).items(source_id)
        return SiteProfile(SourceRules(body_selector, tuple(drop_selectors)), Boilerplate.of(items))

    def article_stored(self, source_id: int) -> LearningReport | None:
        """Called after each new article; learns again once enough new ones have come in.

        Passes grow further apart as a source grows (every quarter of its article count, at
        most every `MAX_RELEARN_EVERY`), so learning stays a small share of ingestion.
        """
        with self.database.write() as session:
            BoilerplateRepository(session).count_new_article(source_id)
            stored = ArticleRepository(session).count_for_source(source_id)
            interval = min(MAX_RELEARN_EVERY, max(RELEARN_EVERY, stored // 4))
            due = BoilerplateRepository(session).claim_learning(source_id, MIN_ARTICLES, interval)
        return self.relearn(source_id) if due else None

    def relearn(self, source_id: int) -> LearningReport:
        with self.database.read() as session:
            recent = ArticleRepository(session).recent_bodies(source_id, SAMPLE_SIZE)
        items = learn([html for _, _, html in recent]) + learn_title_parts([title for _, title, _ in recent])
        try:
            with self.database.write() as session:
                added = BoilerplateRepository(session).remember(source_id, items, len(recent))
        except IntegrityError:  # another worker learned the same source a moment ago
            added = 0
        # Items known before were applied as those articles arrived; only news needs a re-clean.
        recleaned = self._reclean(source_id, recent) if added else 0
        log.info("source %s: %d boilerplate items new, %d articles re-cleaned", source_id, added, recleaned)
        return LearningReport(source_id, len(recent), added, recleaned)

    def _reclean(self, source_id: int, articles: list[tuple[int, str, str]]) -> int:
        """Strip the source's known boilerplate from stored articles' bodies and titles;
        returns how many changed."""
        boilerplate = self.profile(source_id).boilerplate
        changed = 0
        for article_id, title, html in articles:
            cleaned = strip_learned(html, boilerplate)
            cleaned_title = without_learned_parts(title, boilerplate.title_parts)
            if cleaned.removed or cleaned_title != title:
                with self.database.write() as session:
                    articles_repository = ArticleRepository(session)
                    if cleaned.removed:
                        articles_repository.replace_body(article_id, cleaned.html, clean_text(html_to_text(cleaned.html)))
                    if cleaned_title != title:
                        articles_repository.replace_title(article_id, cleaned_title)
                changed += 1
        return changed
