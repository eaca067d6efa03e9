"""JSON API v1."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from newsloom.api.schemas import (
    AnswerOut,
    ArticleOut,
    ArticlePageOut,
    ArticleSummaryOut,
    CitedSentenceOut,
    Enrichment,
    FeedOut,
    QuestionIn,
    SourceHealthOut,
    StoryDetailOut,
    StoryOut,
    StoryPageOut,
)
from newsloom.store import (
    ArticleRepository,
    Database,
    EnrichmentRepository,
    FeedRepository,
    InvalidCursorError,
    SourceRepository,
    StoryRepository,
)
from newsloom.stories.coverage import TIMELINE_PAGE, story_coverage
from newsloom.stories.ranking import top_stories
from newsloom.throttle import client_address

router = APIRouter(prefix="/api/v1")


def _database(request: Request) -> Database:
    return request.app.state.database


@router.get("/articles", response_model=ArticlePageOut)
def list_articles(
    request: Request,
    limit: int = Query(30, ge=1, le=200, description="Articles per page."),
    cursor: str | None = Query(None, description="`next_cursor` of the previous page."),
    source_id: int | None = Query(None, description="Only this publisher's articles."),
) -> ArticlePageOut:
    """Newest first, keyset-paginated."""
    with _database(request).read() as session:
        try:
            page = ArticleRepository(session).page(limit, cursor, source_id)
        except InvalidCursorError as error:
            raise HTTPException(status_code=400, detail=str(error)) from error
    next_url = None
    if page.next_cursor:
        next_url = str(request.url.include_query_params(cursor=page.next_cursor))
    return ArticlePageOut(
        items=[ArticleSummaryOut.of(article) for article in page.articles], next_cursor=page.next_cursor, next=next_url
    )


@router.get("/articles/{article_id}", response_model=ArticleOut)
def get_article(request: Request, article_id: int) -> ArticleOut:
    related = request.app.state.related.related(article_id)
    with _database(request).read() as session:
        articles = ArticleRepository(session)
        article = articles.get(article_id)
        if article is None:
            raise HTTPException(status_code=404, detail=f"article {article_id} not found")
        return article_view(session, article, related)


@router.post("/articles/{article_id}/ask", response_model=AnswerOut)
def ask_article(request: Request, article_id: int, body: QuestionIn) -> AnswerOut:
    """Answer a question from the article's own sentences, cited; `answered` is false when it cannot."""
    with _database(request).read() as session:
        if ArticleRepository(session).get(article_id) is None:
            raise HTTPException(status_code=404, detail=f"article {article_id} not found")
    if not request.app.state.question_limiter.allow(client_address(request)):
        raise HTTPException(status_code=429, detail="too many questions from this address; wait a minute")
    result = request.app.state.enricher.ask(article_id, body.question)
    return AnswerOut(
        question=result.question, answered=result.answered, reason=result.reason,
        sentences=[CitedSentenceOut(index=s.index, text=s.text, score=s.score) for s in result.sentences],
    )  # fmt: skip


def article_view(session, article, related: list | None = None) -> ArticleOut:  # type: ignore[no-untyped-def]
    """An article with everything shown under it: copies from other outlets, hashtags,
    entities, quotes, summary and key points, related articles (from `RelatedFinder`)."""
    stored = EnrichmentRepository(session)
    enrichment = Enrichment(
        stored.hashtags(article.id), stored.entities(article.id), stored.quotes(article.id), stored.digest(article.id),
        stored.statuses(article.id), [(r.article, r.similarity) for r in related or []],
    )  # fmt: skip
    return ArticleOut.full(article, ArticleRepository(session).copies_of(article.id), enrichment)


@router.get("/stories", response_model=StoryPageOut)
def list_stories(
    request: Request,
    order: Literal["top", "newest"] = Query("top", description="`top`: ranked by outlets, velocity and freshness."),
    limit: int = Query(20, ge=1, le=100, description="Stories per page."),
) -> StoryPageOut:
    """Stories with their headline article and how widely they are covered."""
    now = datetime.now(UTC)
    with _database(request).read() as session:
        if order == "top":
            stories = top_stories(session, now, limit)
        else:
            repository = StoryRepository(session)
            stories = repository.summaries(repository.newest_ids(limit))
    return StoryPageOut(items=[StoryOut.of(story) for story in stories])


@router.get("/stories/{story_id}", response_model=StoryDetailOut)
def get_story(
    request: Request, story_id: int,
    page: int = Query(1, ge=1, le=100_000, description=f"Page of the articles, {TIMELINE_PAGE} originals each."),
) -> Response:  # fmt: skip
    """A story's articles (oldest first, copies under their original; a page at a time),
    sources, summary, quotes by speaker and entities. A story merged into another redirects to it."""
    with _database(request).read() as session:
        coverage = story_coverage(session, story_id, page)
    if coverage is None:
        raise HTTPException(status_code=404, detail=f"story {story_id} not found, or it has no page {page}")
    if isinstance(coverage, int):
        return RedirectResponse(f"/api/v1/stories/{coverage}" + (f"?page={page}" if page > 1 else ""), status_code=301)
    return JSONResponse(StoryDetailOut.of(coverage).model_dump(mode="json"))


@router.get("/feeds", response_model=list[FeedOut])
def list_feeds(request: Request) -> list[FeedOut]:
    """Every subscription with its health: last check, last error, entry outcomes."""
    with _database(request).read() as session:
        return [FeedOut.of(health) for health in FeedRepository(session).list_with_health()]


@router.get("/sources", response_model=list[SourceHealthOut])
def list_sources(request: Request) -> list[SourceHealthOut]:
    """Every publisher with its extraction outcomes, failed entries, scraper rules and learned boilerplate."""
    with _database(request).read() as session:
        return [SourceHealthOut.of(health) for health in SourceRepository(session).list_with_health()]
