"""The reader's pages: home, article, tag, entity, source and search."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newsloom.enrich.answers import Answer
from newsloom.store import (
    ArticleRepository,
    EnrichmentRepository,
    FeedRepository,
    InvalidCursorError,
    SourceRepository,
)
from newsloom.store.records import SearchFilters
from newsloom.web.rendering import article_path, slugify, stored_tag
from newsloom.web.security import csrf_valid

router = APIRouter(include_in_schema=False)
SEARCH_PAGE_SIZE = 20
TRENDING_WINDOW = timedelta(days=7)


def _renderer(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.renderer


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    source: Annotated[str | None, Query(max_length=253)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    settings = request.app.state.settings
    with request.app.state.database.read() as session:
        chosen_source = SourceRepository(session).get_by_domain(source) if source else None
        if source and chosen_source is None:
            raise HTTPException(404, f"No publisher {source!r} here.")
        tag = stored_tag(tag) if tag else None
        page = _page(ArticleRepository(session), settings.page_size, cursor, chosen_source and chosen_source.id, tag=tag)
        trending = EnrichmentRepository(session).popular_tags(datetime.now(UTC) - TRENDING_WINDOW)
        sources = SourceRepository(session).list_with_counts()
    return _renderer(request).page(
        request, "home.html", page=page, trending=trending, sources=sources, source=chosen_source, tag=tag,
        filtered_url="/?" + urlencode({k: v for k, v in {"source": source, "tag": tag and tag.lstrip("#")}.items() if v}),
    )  # fmt: skip


@router.get("/article/{article_id}", response_class=HTMLResponse)
@router.get("/article/{article_id}/{slug}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int, slug: str | None = None) -> Response:
    return _article_response(request, article_id, slug)


@router.post("/article/{article_id}/{slug}/ask", response_class=HTMLResponse)
def ask_from_form(
    request: Request,
    article_id: int,
    slug: str,
    question: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The question box without JavaScript: the page again, with the answer in its panel."""
    if not csrf_valid(request, csrf_token):
        raise HTTPException(403, "This form has expired. Reload the page and try again.")
    if not question.strip():
        return _article_response(request, article_id, slug, question_error="Type a question first.")
    if not request.app.state.question_limiter.allow_client(request):
        return _article_response(request, article_id, slug, question_error="Too many questions; wait a minute.", status=429)
    answer = request.app.state.enricher.ask(article_id, question.strip())
    return _article_response(request, article_id, slug, answer=answer)


def _article_response(
    request: Request, article_id: int, slug: str | None, *, answer: Answer | None = None,
    question_error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    with request.app.state.database.read() as session:
        articles = ArticleRepository(session)
        article = articles.get(article_id)
        if article is None:
            raise HTTPException(404, "This article does not exist, or was removed.")
        if article.duplicate_of is not None and answer is None:
            primary = articles.get(article.duplicate_of)
            if primary is not None:  # copies are read under their original
                return RedirectResponse(article_path(primary), status_code=301)
        if slug != slugify(article.title) and request.method == "GET":
            return RedirectResponse(article_path(article), status_code=301)
        stored = EnrichmentRepository(session)
        newer, older = articles.neighbours(article)
        context = {
            "article": article,
            "copies": articles.copies_of(article.id),
            "hashtags": stored.hashtags(article.id),
            "entities": stored.entities(article.id),
            "quotes": stored.quotes(article.id),
            "digest": stored.digest(article.id),
            "statuses": {status.kind: status for status in stored.statuses(article.id)},
            "newer": articles.get(newer) if newer else None,
            "older": articles.get(older) if older else None,
        }
    related = request.app.state.related.related(article.id)
    return _renderer(request).page(
        request, "article.html", status_code=status, related=related, answer=answer, question_error=question_error, **context
    )


@router.get("/tag/{tag}", response_class=HTMLResponse)
def tag_page(request: Request, tag: str, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    tag = stored_tag(tag)
    with request.app.state.database.read() as session:
        page = _page(ArticleRepository(session), request.app.state.settings.page_size, cursor, tag=tag)
    if not page.articles and cursor is None:
        raise HTTPException(404, f"No article carries {tag}.")
    return _renderer(request).page(request, "tag.html", tag=tag, page=page)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: int, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    with request.app.state.database.read() as session:
        stored = EnrichmentRepository(session)
        entity = stored.entity(entity_id)
        if entity is None:
            raise HTTPException(404, "No such person, organisation or place.")
        page = _page(ArticleRepository(session), request.app.state.settings.page_size, cursor, entity_id=entity_id)
        quotes = stored.quotes_by(entity_id)
    return _renderer(request).page(request, "entity.html", entity=entity, page=page, quotes=quotes)


@router.get("/source/{domain}", response_class=HTMLResponse)
def source_page(request: Request, domain: str, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    with request.app.state.database.read() as session:
        sources = SourceRepository(session)
        source = sources.get_by_domain(domain)
        if source is None:
            raise HTTPException(404, f"No publisher {domain!r} here.")
        [health] = sources.list_with_health(source.id)
        feeds = FeedRepository(session).list_with_health(source.id)
        page = _page(ArticleRepository(session), request.app.state.settings.page_size, cursor, source.id)
    return _renderer(request).page(request, "source.html", source=source, health=health, feeds=feeds, page=page)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Annotated[str, Query(max_length=300)] = "",
    source: Annotated[str | None, Query(max_length=253)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    until: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> Response:
    errors = []
    start, end = _day(since, errors, "From"), _day(until, errors, "To")
    filters = SearchFilters(
        source_domain=source or None, tag=stored_tag(tag) if tag and tag.strip("# ") else None,
        since=start, until=end + timedelta(days=1) if end else None,
    )  # fmt: skip
    results = None
    with request.app.state.database.read() as session:
        if q.strip() and not errors:
            results = ArticleRepository(session).search(
                q, filters, by_date=sort == "date", limit=SEARCH_PAGE_SIZE, offset=(page - 1) * SEARCH_PAGE_SIZE
            )
        sources = SourceRepository(session).list_with_counts()
    return _renderer(request).page(
        request, "search.html", status_code=400 if errors else 200, q=q, results=results, errors=errors,
        filters=filters, since=since or "", until=until or "", sort=sort, page_number=page, sources=sources,
    )  # fmt: skip


def _day(value: str | None, errors: list[str], label: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError:
        errors.append(f"{label} date must look like 2026-11-29.")
        return None


def _page(articles: ArticleRepository, size: int, cursor: str | None, source_id: int | None = None, **filters):  # type: ignore[no-untyped-def]
    try:
        return articles.page(size, cursor, source_id, **filters)
    except InvalidCursorError as error:
        raise HTTPException(400, "This page link is broken; start again from the first page.") from error
