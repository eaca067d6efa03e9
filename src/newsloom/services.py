"""The long-lived objects one process needs, built once from the settings."""

from __future__ import annotations

from newsloom.enrich import Enricher, RelatedFinder
from newsloom.enrich.embeddings import MiniLmEmbedder
from newsloom.ingest import FeedRefresher, Fetcher, Subscriptions
from newsloom.pipeline import ArticlePipeline
from newsloom.settings import Settings, database_url
from newsloom.store import Database
from newsloom.stories import StoryService


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(database_url(settings))
        self.fetcher = Fetcher(settings)
        self.pipeline = ArticlePipeline(settings, self.database, self.fetcher)
        self.refresher = FeedRefresher(settings, self.database, self.fetcher)
        self.subscriptions = Subscriptions(self.database, self.fetcher)
        embedder = MiniLmEmbedder.for_settings(settings)
        self.enricher = Enricher(self.database, embedder=embedder)  # loads its models on first use
        self.related = RelatedFinder(self.database, backend=settings.vector_backend)  # reads the embeddings on first use
        self.stories = StoryService(self.database, settings.story_window_hours, settings.vector_backend)

    def close(self) -> None:
        self.fetcher.close()
        self.database.dispose()
