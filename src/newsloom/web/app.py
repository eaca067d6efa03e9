"""The FastAPI application: health check, JSON API and a minimal front page."""

from __future__ import annotations

from contextlib import asynccontextmanager
from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text

from newsloom import __version__
from newsloom.api.routes import router as api_router
from newsloom.api.schemas import HealthOut
from newsloom.enrich import Enricher, RelatedFinder
from newsloom.settings import Settings, database_url
from newsloom.store import ArticleRepository, Database
from newsloom.store.migrate import current_revision


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    owns_database = database is None
    database = database or Database(database_url(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        if owns_database:
            database.dispose()

    app = FastAPI(title="Newsloom", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.database = database
    # Both load their models on first use: a web process that never gets a question never loads them.
    app.state.enricher = Enricher(database)
    app.state.related = RelatedFinder(database)
    app.include_router(api_router)

    @app.get("/healthz", response_model=HealthOut)
    def healthz() -> HealthOut | JSONResponse:
        try:
            with database.read() as session:
                session.execute(text("SELECT 1"))
            revision = current_revision(database.engine)
        except Exception as error:  # the point of a health check is to report any failure
            body = HealthOut(status="error", database=f"unreachable: {type(error).__name__}", schema_revision=None)
            return JSONResponse(body.model_dump(), status_code=503)
        return HealthOut(status="ok", database=database.dialect, schema_revision=revision)

    @app.get("/", response_class=HTMLResponse)
    def front_page(request: Request) -> str:
        # A plain list until the reader pages land; it proves the pipeline end to end.
        with database.read() as session:
            page = ArticleRepository(session).page(settings.page_size)
        items = "".join(
            f'<li><a href="/api/v1/articles/{a.id}">{escape(a.title)}</a> '
            f"<small>{escape(a.source.name)} · {a.sort_at:%Y-%m-%d %H:%M} UTC</small></li>"
            for a in page.articles
        )
        empty = "<p>No articles yet. Feeds are refreshed in the background; see <a href='/api/v1/feeds'>feed status</a>.</p>"
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Newsloom</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'></head><body><main>"
            f"<h1>Newsloom</h1>{'<ul>' + items + '</ul>' if items else empty}"
            "<p><a href='/api/v1/feeds'>Feeds</a> · <a href='/docs'>API</a></p></main></body></html>"
        )

    return app
