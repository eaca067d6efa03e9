"""Grouping a newly stored article with its near copies, inside the storing transaction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from newsloom.dedupe.fingerprints import (
    NEAR_DUPLICATE_JACCARD,
    band_keys,
    estimated_jaccard,
    from_bytes,
    to_bytes,
)
from newsloom.ingest.urls import canonicalize
from newsloom.store import ArticleRepository, NearDuplicateRepository
from newsloom.store.records import Article, NewArticle


@dataclass(frozen=True)
class NearDuplicateMatch:
    """`primary_id` is the group's primary after linking; `promoted` when the new article became it."""

    primary_id: int
    similarity: float
    promoted: bool


def link_near_duplicate(
    session: Session, article_id: int, article: NewArticle, values: np.ndarray | None
) -> NearDuplicateMatch | None:
    """Index the just-inserted `article` and group it with its closest near copy, if any.

    `values` is its MinHash signature (`fingerprints.signature`), computed by the caller
    before the write transaction so that the database lock is held only for lookups.
    """
    articles = ArticleRepository(session)
    near = NearDuplicateRepository(session)
    if values is None:
        return None
    keys = band_keys(values)
    best: tuple[int, float] | None = None
    for candidate_id, stored in near.candidates(keys, exclude=article_id):
        similarity = estimated_jaccard(values, from_bytes(stored))
        if similarity >= NEAR_DUPLICATE_JACCARD and (best is None or similarity > best[1]):
            best = (candidate_id, similarity)
    near.add(article_id, to_bytes(values), keys)
    if best is None:
        return None

    primary = articles.get(near.primary_of(best[0]))
    assert primary is not None
    if _is_original_of(article, primary):
        near.promote(article_id, primary.id)
        if primary.original_source is None:
            articles.set_original(primary.id, article.source_id, article.canonical_url)
        return NearDuplicateMatch(article_id, best[1], promoted=True)
    near.link(article_id, primary.id)
    if article.original_source_id is None:
        # The earliest copy's publisher (or the original it names) is the best attribution we have.
        original = primary.original_source or primary.source
        if original.id != article.source_id:
            articles.set_original(article_id, original.id, primary.original_url or primary.canonical_url)
    return NearDuplicateMatch(primary.id, best[1], promoted=False)


def _is_original_of(article: NewArticle, primary: Article) -> bool:
    if primary.original_source is not None and primary.original_source.id == article.source_id:
        return True
    return bool(primary.original_url) and canonicalize(primary.original_url) == article.canonical_url  # type: ignore[arg-type]
