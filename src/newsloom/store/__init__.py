"""Storage: the only package that speaks SQL. Repositories take a Session from `Database`."""

from newsloom.store.articles import ArticleRepository, InvalidCursorError
from newsloom.store.attempts import FetchAttempt, FetchAttemptRepository
from newsloom.store.boilerplate import BoilerplateRepository
from newsloom.store.comments import CommentRepository, ModerationRepository
from newsloom.store.db import Database
from newsloom.store.enrichment import EnrichmentRepository
from newsloom.store.entries import EntryRepository
from newsloom.store.feeds import FeedExistsError, FeedRepository
from newsloom.store.meta import MetaRepository
from newsloom.store.near_duplicates import NearDuplicateRepository
from newsloom.store.pages import PageRepository, StoredPage, read_kept_page
from newsloom.store.sources import SourceRepository
from newsloom.store.stories import StoryRepository
from newsloom.store.users import UserRepository

__all__ = [
    "ArticleRepository",
    "BoilerplateRepository",
    "CommentRepository",
    "Database",
    "EnrichmentRepository",
    "EntryRepository",
    "FeedExistsError",
    "FeedRepository",
    "FetchAttempt",
    "FetchAttemptRepository",
    "InvalidCursorError",
    "MetaRepository",
    "ModerationRepository",
    "NearDuplicateRepository",
    "PageRepository",
    "SourceRepository",
    "StoredPage",
    "StoryRepository",
    "UserRepository",
    "read_kept_page",
]
