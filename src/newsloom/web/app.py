"""The FastAPI application: reader pages, accounts and comments, feeds admin, JSON API and health check."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from newsloom import __version__
from newsloom.accounts import Accounts
from newsloom.api.comments import router as comments_api_router
from newsloom.api.routes import router as api_router
from newsloom.api.schemas import HealthOut
from newsloom.comments import CommentService, ModerationService
from newsloom.enrich import Enricher, RelatedFinder
from newsloom.enrich.embeddings import MiniLmEmbedder
from newsloom.enrich.readiness import model_readiness
from newsloom.ingest import Fetcher, Subscriptions
from newsloom.jobs.queue import create_huey
from newsloom.jobs.report import describe_queue
from newsloom.settings import Settings, database_url
from newsloom.store import Database, MetaRepository
from newsloom.store.migrate import current_revision
from newsloom.throttle import Throttles
from newsloom.web import accounts, admin, comments, reader
from newsloom.web.auth import SignInRequired, local_path
from newsloom.web.cache import PageCache, PageCacheMiddleware
from newsloom.web.metrics import Metrics, MetricsMiddleware
from newsloom.web.rendering import COMMENTS_PLACEHOLDER, Renderer
from newsloom.web.security import SecurityHeadersMiddleware
from newsloom.web.stored_pages import StoredPages

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "newsloom_session"
SESSION_MAX_AGE = 14 * 24 * 3600


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    owns_database = database is None
    database = database or Database(database_url(settings))
    fetcher = Fetcher(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if settings.vector_backend == "pgvector":
            app.state.related.index  # noqa: B018 -- refuse to start without pgvector, as the setting says
        app.state.related.warm_up()
        yield
        app.state.related.stop()
        fetcher.close()
        if owns_database:
            database.dispose()

    # Swagger UI loads from a CDN and runs inline script; the schema stays at /openapi.json.
    app = FastAPI(title="Newsloom", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.database = database
    # Both load their models on first use: a web process that never gets a question never loads them.
    app.state.enricher = Enricher(database, embedder=MiniLmEmbedder.for_settings(settings))
    app.state.related = RelatedFinder(database, backend=settings.vector_backend)
    app.state.subscriptions = Subscriptions(database, fetcher)
    app.state.accounts = Accounts(database)
    app.state.renderer = Renderer()
    app.state.page_cache = PageCache(settings.page_cache_seconds)
    app.state.stored_pages = StoredPages(database, settings.stored_page_max_seconds, lambda: app.state.related.caught_up)
    app.state.stored_pages.set_renderer(reader.article_renderer(app.state))
    throttles = Throttles.from_settings(settings)  # shared by every web process when the queue is on Redis
    app.state.login_throttle = throttles.sign_in(settings.login_max_failures, settings.login_lockout_seconds)
    app.state.question_limiter = throttles.rate("questions", settings.questions_per_minute, 60.0)
    app.state.signup_limiter = throttles.rate("signups", settings.signups_per_hour, 3600.0)
    app.state.comments = CommentService(database, settings, throttles)
    app.state.moderation = ModerationService(database)
    app.state.queue_depth = queue_depth = _queue_depth(settings)
    app.state.metrics = Metrics(database, queue_depth)

    app.add_middleware(
        PageCacheMiddleware, cache=app.state.page_cache, personalise=app.state.renderer.personalised,
        live_mark=COMMENTS_PLACEHOLDER, fill_live=comments.fill_from_cache,
        kept=comments.KeptArticlePages(inline=database.dialect == "sqlite") if app.state.stored_pages.enabled else None,
    )  # fmt: skip
    app.add_middleware(
        LazySessionMiddleware, secret=lambda: settings.secret_key or _stored_secret(database),
        https_only=settings.https_cookies,
    )  # fmt: skip
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router)
    app.include_router(comments_api_router)
    app.include_router(reader.router)
    app.include_router(accounts.router)
    app.include_router(comments.router)
    app.include_router(admin.router)
    _add_error_pages(app)

    @app.get("/healthz", response_model=HealthOut)
    def healthz() -> HealthOut | JSONResponse:
        try:
            with database.read() as session:
                session.execute(text("SELECT 1"))
            revision = current_revision(database.engine)
        except Exception as error:  # the point of a health check is to report any failure
            body = HealthOut(status="error", database=f"unreachable: {type(error).__name__}", schema_revision=None)
            return JSONResponse(body.model_dump(), status_code=503)
        queue = describe_queue(settings, queue_depth)  # the web still serves without it: degraded, not down
        index = app.state.related.index
        models = model_readiness()
        healthy = not queue.startswith("unreachable") and all(state == "ready" for state in models.values())
        return HealthOut(
            status="ok" if healthy else "degraded", database=database.dialect, schema_revision=revision, queue=queue,
            models=models, vector_index=index.name, related_index_size=len(index) if index.follows_store else None,
        )  # fmt: skip

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        return app.state.metrics.response(request)

    return app


def _queue_depth(settings: Settings) -> Callable[[], int]:
    """Jobs waiting; the queue is opened on first use (the web process never consumes it)."""
    queue = functools.cache(lambda: create_huey(settings))
    return lambda: queue().pending_count()


def _stored_secret(database: Database) -> str:
    with database.write() as session:
        return MetaRepository(session).get_or_set("session_secret", secrets.token_urlsafe(48))


class LazySessionMiddleware:
    """Signed-cookie sessions whose key is read from the database on the first request, so an
    app can start (and report its health) while the database is still unreachable."""

    def __init__(self, app: ASGIApp, secret: Callable[[], str], https_only: bool) -> None:
        self.app, self.secret, self.https_only = app, secret, https_only
        self._sessions: SessionMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._sessions is None and scope["type"] == "http":
            try:
                key = self.secret()
            except Exception:  # the database is down: serve without sessions, try again next time
                await self.app(scope, receive, send)
                return
            self._sessions = SessionMiddleware(
                self.app, secret_key=key, session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                same_site="lax", https_only=self.https_only,
            )  # fmt: skip
        await (self._sessions or self.app)(scope, receive, send)


def _add_error_pages(app: FastAPI) -> None:
    """The API keeps JSON errors; pages get an HTML page that says what went wrong."""

    def wants_page(request: Request) -> bool:
        return not request.url.path.startswith(("/api/", "/healthz", "/openapi.json", "/static/"))

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, _error: Exception) -> Response:
        # After signing in, a GET comes back here; a form post cannot be replayed, so the reader
        # returns to the page the form was on (same-site Referer only, see local_path).
        back = request.url.path if request.method == "GET" else urlsplit(request.headers.get("referer", "")).path or "/"
        return RedirectResponse(f"/login?{urlencode({'next': local_path(back)})}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if not wants_page(request):
            return await http_exception_handler(request, error)
        message = error.detail if error.status_code != 404 or error.detail != "Not Found" else "There is no page here."
        return app.state.renderer.page(request, "error.html", error.status_code, message=message, status=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if not wants_page(request):
            return await request_validation_exception_handler(request, error)
        message = "That request was not understood: " + "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors()
        )
        return app.state.renderer.page(request, "error.html", 400, message=message, status=400)
