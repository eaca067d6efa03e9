from __future__ import annotations

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from newsloom.store.models import ArticleRow, ArticleSignatureRow, LshBucketRow
from newsloom.store.pages import PageRepository


class NearDuplicateRepository:
    """MinHash signatures and LSH buckets: candidates come from an indexed lookup, never a scan."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, keys: list[tuple[int, int]], exclude: int | None = None) -> list[tuple[int, bytes]]:
        if not keys:
            return []
        matches = select(LshBucketRow.article_id).where(tuple_(LshBucketRow.band, LshBucketRow.bucket).in_(keys))
        if exclude is not None:
            matches = matches.where(LshBucketRow.article_id != exclude)
        rows = self.session.execute(
            select(ArticleSignatureRow.article_id, ArticleSignatureRow.signature).where(
                ArticleSignatureRow.article_id.in_(matches.distinct().scalar_subquery())
            )
        )
        return [(row[0], row[1]) for row in rows]

    def add(self, article_id: int, signature: bytes, keys: list[tuple[int, int]]) -> None:
        self.session.add(ArticleSignatureRow(article_id=article_id, signature=signature))
        self.session.add_all(LshBucketRow(band=band, bucket=bucket, article_id=article_id) for band, bucket in keys)

    def primary_of(self, article_id: int) -> int:
        duplicate_of = self.session.scalar(select(ArticleRow.duplicate_of).where(ArticleRow.id == article_id))
        return duplicate_of or article_id

    def link(self, duplicate_id: int, primary_id: int) -> None:
        PageRepository(self.session).drop(duplicate_id, primary_id)  # a copy redirects; its original lists it
        self.session.execute(update(ArticleRow).where(ArticleRow.id == duplicate_id).values(duplicate_of=primary_id))

    def promote(self, new_primary: int, old_primary: int) -> None:
        """The original publisher's copy arrived late: it becomes the primary of the group."""
        PageRepository(self.session).drop(new_primary, old_primary)
        self.session.execute(
            update(ArticleRow)
            .where((ArticleRow.duplicate_of == old_primary) | (ArticleRow.id == old_primary))
            .values(duplicate_of=new_primary)
        )
        self.session.execute(update(ArticleRow).where(ArticleRow.id == new_primary).values(duplicate_of=None))
