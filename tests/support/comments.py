"""Articles and accounts for comment tests, stored directly (the pipeline has its own tests)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from newsloom.store import ArticleRepository, Database, SourceRepository
from newsloom.store.records import NewArticle

PASSWORD = "correct horse battery staple"


def store_article(database: Database, title: str = "Council approves the budget", domain: str = "example.org") -> int:
    now = datetime.now(UTC)
    with database.write() as session:
        source = SourceRepository(session).get_or_create(domain)
        return ArticleRepository(session).insert(NewArticle(
            url=f"https://{domain}/{secrets.token_hex(4)}", canonical_url=f"https://{domain}/{secrets.token_hex(4)}", title=title,
            author=None, published_at=now, fetched_at=now, language="en", lead_image_url=None,
            html="<p>The council approved the budget on Tuesday after a long debate.</p>",
            text="The council approved the budget on Tuesday after a long debate.", content_hash=None, source_id=source.id,
            original_source_id=None, original_url=None, extraction_status="ok", extraction_reason=None,
        ))  # fmt: skip


def nonce() -> str:
    return secrets.token_urlsafe(12)
