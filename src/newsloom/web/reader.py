"""The reader's pages: home, article, tag, entity, source and search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import State

from newsloom.store import (
    ArticleRepository,
    CommentRepository,
    EnrichmentRepository,
    FeedRepository,
    InvalidCursorError,
    SourceRepository,
    StoryRepository,
)
from newsloom.store.records import SearchFilters
from newsloom.stories.coverage import story_coverage
from newsloom.stories.ranking import top_stories
from newsloom.throttle import client_address
from newsloom.web.cache import page_key
from newsloom.web.comments import ORDERS, CommentOrder, comment_order, fill_comments, render_discussion
from newsloom.web.rendering import article_path, slugify, stored_tag
from newsloom.web.security import csrf_valid
from newsloom.web.stored_pages import PageRender, RenderedPage, StoredPages

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
    def build() -> tuple[str, dict]:
        with request.app.state.database.read() as session:
            chosen_source = SourceRepository(session).get_by_domain(source) if source else None
            if source and chosen_source is None:
                raise HTTPException(404, f"No publisher {source!r} here.")
            wanted_tag = stored_tag(tag) if tag else None
            listing = _listing(session, request.app.state.settings.page_size, cursor,
                               chosen_source and chosen_source.id, tag=wanted_tag)  # fmt: skip
            trending = EnrichmentRepository(session).popular_tags(datetime.now(UTC) - TRENDING_WINDOW)
            leading = top_stories(session, datetime.now(UTC)) if not (source or tag or cursor) else []
            sources = SourceRepository(session).list_all()
        query = urlencode({key: value for key, value in {"source": source, "tag": tag and tag.lstrip("#")}.items() if value})
        return "home.html", {
            **listing, "trending": trending, "sources": sources, "top_stories": leading, "source": chosen_source, "tag": wanted_tag,
            "filtered_url": f"/?{query}" if query else "/",
        }  # fmt: skip

    return _shared_page(request, build)


@router.get("/article/{article_id}", response_class=HTMLResponse)
@router.get("/article/{article_id}/{slug}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int, slug: str | None = None, comments: CommentOrder = None) -> Response:
    order = comment_order(comments)
    fill = lambda html: fill_comments(request, html, article_id, order, request.url.path)  # noqa: E731
    return _shared_page(request, lambda: _article(request.app.state, article_id, slug), fill, kept=article_id)


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
    template, context = _article(request.app.state, article_id, slug, redirect=False)  # type: ignore[misc]
    status, answer, problem = 200, None, None
    if not question.strip():
        problem = "Type a question first."
    elif not request.app.state.question_limiter.allow(client_address(request)):
        status, problem = 429, "Too many questions; wait a minute."
    else:
        answer = request.app.state.enricher.ask(article_id, question.strip())
    fill = lambda html: fill_comments(request, html, article_id, "oldest", request.url.path.removesuffix("/ask"))  # noqa: E731
    return _renderer(request).page(request, template, status, fill, answer=answer, question_error=problem, **context)


def _article(state: State, article_id: int, slug: str | None, redirect: bool = True) -> tuple[str, dict] | Response:
    with state.database.read() as session:
        articles = ArticleRepository(session)
        article = articles.get(article_id)
        if article is None:
            raise HTTPException(404, "This article does not exist, or was removed.")
        if redirect and article.duplicate_of is not None:
            primary = articles.get(article.duplicate_of)
            if primary is not None:  # copies are read under their original
                return RedirectResponse(article_path(primary), status_code=301)
        if redirect and slug != slugify(article.title):
            return RedirectResponse(article_path(article), status_code=301)
        stored = EnrichmentRepository(session)
        newer, older = articles.neighbours(article)
        around = articles.get_many([i for i in (newer, older) if i])
        context = {
            "article": article,
            "copies": articles.copies_of(article.id),
            "hashtags": stored.hashtags(article.id),
            "entities": stored.entities(article.id),
            "quotes": stored.quotes(article.id),
            "digest": stored.digest(article.id),
            "statuses": {status.kind: status for status in stored.statuses(article.id)},
            "story": (StoryRepository(session).summaries([article.story_id]) or [None])[0] if article.story_id else None,
            "newer": around.get(newer),  # type: ignore[arg-type]
            "older": around.get(older),  # type: ignore[arg-type]
        }
    context["related"] = state.related.related(article.id, article=article)
    return "article.html", context


def article_renderer(state: State) -> PageRender:
    """Renders an article's shared page outside any request, for the stored pages; with it the
    discussion signed-out readers see, when there is none yet (a discussion with comments is
    kept when a reader first opens it, see comments.KeptArticlePages)."""

    def render(article_id: int) -> RenderedPage | None:
        try:
            built = _article(state, article_id, None, redirect=False)
        except HTTPException:  # removed meanwhile
            return None
        if isinstance(built, Response) or built[1]["article"].duplicate_of is not None:
            return None
        template, context = built
        article = context["article"]
        html, discussion = render_discussion(state, article_id, ORDERS[0], article_path(article))
        quiet = not discussion.comments and not discussion.locked
        return RenderedPage(article, state.renderer.shared(template, **context), html if quiet else None)

    return render


@router.get("/story/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: int, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    def build() -> tuple[str, dict] | Response:
        with request.app.state.database.read() as session:
            coverage = story_coverage(session, story_id, page)
        if coverage is None:
            raise HTTPException(404, "No such story, or no such page of its timeline.")
        if isinstance(coverage, int):  # merged into a larger story: its links keep working
            return RedirectResponse(f"/story/{coverage}" + (f"?page={page}" if page > 1 else ""), status_code=301)
        return "story.html", {"story": coverage}

    return _shared_page(request, build)


@router.get("/tag/{tag}", response_class=HTMLResponse)
def tag_page(request: Request, tag: str, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    def build() -> tuple[str, dict]:
        wanted = stored_tag(tag)
        with request.app.state.database.read() as session:
            listing = _listing(session, request.app.state.settings.page_size, cursor, tag=wanted)
        if not listing["page"].articles and cursor is None:
            raise HTTPException(404, f"No article carries {wanted}.")
        return "tag.html", {"tag": wanted, **listing}

    return _shared_page(request, build)


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: int, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    def build() -> tuple[str, dict]:
        with request.app.state.database.read() as session:
            stored = EnrichmentRepository(session)
            entity = stored.entity(entity_id)
            if entity is None:
                raise HTTPException(404, "No such person, organisation or place.")
            listing = _listing(session, request.app.state.settings.page_size, cursor, entity_id=entity_id)
            return "entity.html", {"entity": entity, **listing, "quotes": stored.quotes_by(entity_id)}

    return _shared_page(request, build)


@router.get("/source/{domain}", response_class=HTMLResponse)
def source_page(request: Request, domain: str, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    def build() -> tuple[str, dict]:
        with request.app.state.database.read() as session:
            sources = SourceRepository(session)
            source = sources.get_by_domain(domain)
            if source is None:
                raise HTTPException(404, f"No publisher {domain!r} here.")
            [health] = sources.list_with_health(source.id)
            feeds = FeedRepository(session).list_with_health(source.id)
            listing = _listing(session, request.app.state.settings.page_size, cursor, source.id)
        return "source.html", {"source": source, "health": health, "feeds": feeds, **listing}

    return _shared_page(request, build)


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
        sources = SourceRepository(session).list_all()
    return _renderer(request).page(
        request, "search.html", status_code=400 if errors else 200, q=q, results=results, errors=errors,
        filters=filters, since=since or "", until=until or "", sort=sort, page_number=page, sources=sources,
    )  # fmt: skip


def _shared_page(
    request: Request, build: Callable[[], tuple[str, dict] | Response], fill: Callable[[str], str] | None = None,
    kept: int | None = None,
) -> Response:  # fmt: skip
    """A page every reader is served alike, from the page cache when a recent copy is there.
    `build` gives the template and its context, or a response (a redirect) that is never cached;
    `fill` adds what is live on every request (the comments); `kept` names the article whose
    page is also kept in the database (see stored_pages.py)."""
    cache, key = request.app.state.page_cache, page_key(request.url.path, request.url.query)
    stored: StoredPages = request.app.state.stored_pages
    html = cache.get(key)
    if html is None:
        with cache.rendering(key):
            html = cache.get(key)  # rendered by the request this one waited for
            if html is None and kept is not None:
                page = stored.load(kept, request.url.path)
                html = page.html if page else None
            if html is None:
                started = datetime.now(UTC)
                built = build()
                if isinstance(built, Response):
                    return built
                template, context = built
                html = _renderer(request).shared(template, **context)
                if kept is not None:
                    stored.keep_later(context["article"], request.url.path, html, started)
            cache.put(key, html)
    return _renderer(request).personalised(request, fill(html) if fill else html)  # type: ignore[arg-type]


def _day(value: str | None, errors: list[str], label: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError:
        errors.append(f"{label} date must look like 2026-11-29.")
        return None


def _listing(session: Session, size: int, cursor: str | None, source_id: int | None = None, **filters: object) -> dict:
    """A page of articles and their comment counts, as template context."""
    try:
        page = ArticleRepository(session).page(size, cursor, source_id, **filters)  # type: ignore[arg-type]
    except InvalidCursorError as error:
        raise HTTPException(400, "This page link is broken; start again from the first page.") from error
    return {"page": page, "comment_counts": CommentRepository(session).counts([a.id for a in page.articles])}
