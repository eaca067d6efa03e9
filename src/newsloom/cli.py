"""The `newsloom` command. Usage errors (bad URL, missing file, unknown id) exit with 2."""

from __future__ import annotations

import faulthandler
import json
import logging
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from newsloom.api.schemas import FeedOut, SourceHealthOut
from newsloom.extract.rules import InvalidSelectorError, compile_selector
from newsloom.ingest.opml import OPMLError
from newsloom.ingest.refresh import FeedRefreshResult
from newsloom.ingest.urls import is_http_url
from newsloom.logs import configure_logging
from newsloom.settings import Settings, database_url, load_settings
from newsloom.store import (
    ArticleRepository,
    BoilerplateRepository,
    EnrichmentRepository,
    EntryRepository,
    FeedRepository,
    MetaRepository,
    SourceRepository,
)
from newsloom.store.db import create_database_engine
from newsloom.store.migrate import current_revision, head_revision, upgrade

if TYPE_CHECKING:
    from newsloom.services import Services

STARTER_SEEDED_KEY = "starter_feeds_seeded"

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals can hold database passwords
    help="Newsloom: self-hosted news aggregation.",
)
feeds_app = typer.Typer(no_args_is_help=True, help="Manage feed subscriptions.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
app.add_typer(feeds_app, name="feeds")
eval_app = typer.Typer(no_args_is_help=True, help="Measure quality on benchmark data.")
sources_app = typer.Typer(no_args_is_help=True, help="Publishers: extraction health, scraper rules, learned boilerplate.")
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")
stories_app = typer.Typer(no_args_is_help=True, help="Stories: the coverage of one event, grouped.")
app.add_typer(stories_app, name="stories")
admin_app = typer.Typer(no_args_is_help=True, help="Accounts with powers: the admin who manages feeds, and moderators.")
app.add_typer(admin_app, name="admin")

out = Console()
err = Console(stderr=True)


class _State:
    def __init__(self, settings: Settings, config_file: Path | None) -> None:
        self.settings = settings
        self.config_file = config_file


def usage_error(message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)  # one line, however long
    raise typer.Exit(2)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", help="TOML settings file.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress at INFO level.")] = False,
) -> None:
    level = logging.INFO if verbose else logging.WARNING
    configure_logging(level, "text")
    try:
        settings = load_settings(config)
    except FileNotFoundError as error:
        usage_error(str(error))
    except ValidationError as error:
        usage_error(f"invalid settings: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}")
    configure_logging(level, settings.log_format)
    ctx.obj = _State(settings, config)


def _while_busy(label: str, work):  # type: ignore[no-untyped-def]
    """Run a long measurement behind a spinner on stderr (stdout stays clean for --json)."""
    with Progress(console=err, transient=True) as progress:
        progress.add_task(label, total=None)
        return work()


def _print_json(models: list) -> None:  # type: ignore[type-arg]
    print(json.dumps([model.model_dump(mode="json") for model in models], indent=2))


def _require_current_schema(settings: Settings) -> None:
    engine = create_database_engine(database_url(settings))
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision != head_revision():
        err.print("error: the database schema is not up to date; run `newsloom db upgrade` first")
        raise typer.Exit(1)


@contextmanager
def _services(ctx: typer.Context) -> Iterator[Services]:
    # Imported here: the pipeline pulls in extraction and numeric libraries that `--help`
    # and usage errors should not wait for.
    from newsloom.services import Services

    _require_current_schema(ctx.obj.settings)
    services = Services(ctx.obj.settings)
    try:
        yield services
    finally:
        services.close()


# --- db ------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply database migrations (forward only)."""
    engine = create_database_engine(database_url(ctx.obj.settings))
    try:
        upgrade(engine)
        out.print(f"database at revision {current_revision(engine)} ({engine.dialect.name})")
    finally:
        engine.dispose()


@db_app.command("vectors")
def db_vectors(
    ctx: typer.Context,
    enable: Annotated[bool, typer.Option("--enable", help="Create the pgvector tables and fill them from the stored embeddings.")] = False,
) -> None:
    """Show which vector index serves related articles and stories; --enable turns on pgvector."""
    from sqlalchemy.orm import Session

    from newsloom.store.vectors import PgvectorMissingError, VectorRepository, enable_pgvector, pgvector_enabled, pgvector_version

    engine = create_database_engine(database_url(ctx.obj.settings))
    try:
        if engine.dialect.name != "postgresql":
            if enable:
                usage_error("pgvector needs PostgreSQL; SQLite always uses the in-process usearch index")
            out.print("usearch (in-process index; SQLite)")
            return
        if enable:
            with engine.begin() as connection:
                try:
                    copied = enable_pgvector(connection)
                except PgvectorMissingError as error:
                    usage_error(str(error))
            out.print(f"pgvector enabled; {copied:,} article vectors copied")
        with engine.connect() as connection:
            version = pgvector_version(connection)
            if pgvector_enabled(connection):
                with Session(bind=connection) as session:
                    count = VectorRepository(session).article_count()
                out.print(f"pgvector {version} (HNSW in PostgreSQL); {count:,} article vectors")
            elif version:
                out.print(f"usearch (in-process index); pgvector {version} is available: run `newsloom db vectors --enable`")
            else:
                out.print("usearch (in-process index); this PostgreSQL server has no pgvector extension")
    finally:
        engine.dispose()


@app.command()
def backup(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Where to write the backup.")]) -> None:
    """Back up the whole database while it runs (SQLite online backup, or pg_dump for PostgreSQL)."""
    from newsloom.store.backup import BackupError
    from newsloom.store.backup import backup as run_backup

    try:
        result = run_backup(database_url(ctx.obj.settings), file)
    except BackupError as error:
        usage_error(str(error))
    out.print(f"{result.dialect} backup written to {result.path} ({result.bytes:,} bytes)")


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `newsloom backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before replacing the database's content.")] = False,
) -> None:
    """Replace the database's content with a backup, then migrate it to this version's schema.
    Stop the web and worker processes first."""
    from sqlalchemy.engine import make_url

    from newsloom.store.backup import BackupError
    from newsloom.store.backup import restore as run_restore

    url = database_url(ctx.obj.settings)
    if not yes and not typer.confirm(f"Replace everything in {make_url(url).render_as_string()} with {file}?"):
        raise typer.Exit(1)
    try:
        dialect = run_restore(url, file)
    except BackupError as error:
        usage_error(str(error))
    engine = create_database_engine(url)
    try:
        upgrade(engine)
        out.print(f"restored {file} into the {dialect} database, now at revision {current_revision(engine)}")
    finally:
        engine.dispose()


# --- feeds ---------------------------------------------------------------


@feeds_app.command("add")
def feeds_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Feed URL, or a web page that links to its feed.")],
    check: Annotated[bool, typer.Option("--check/--no-check", help="Fetch and validate the feed first.")] = True,
) -> None:
    """Subscribe to a feed (a page URL is searched for its feed)."""
    if not is_http_url(url):
        usage_error(f"invalid URL (need http:// or https://): {url}")
    with _services(ctx) as services:
        result = services.subscriptions.add(url, check=check)
    if result.status == "error":
        err.print(f"error: {result.reason}", markup=False)
        raise typer.Exit(1)
    feed = result.feed
    assert feed is not None
    verb = "added" if result.status == "added" else "already subscribed:"
    out.print(f"{verb} feed {feed.id}: {feed.title or ''} <{feed.url}>", markup=False)


@feeds_app.command("list")
def feeds_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List subscriptions with their health."""
    with _services(ctx) as services, services.database.read() as session:
        feeds = [FeedOut.of(health) for health in FeedRepository(session).list_with_health()]
    if as_json:
        _print_json(feeds)
        return
    table = Table("id", "title", "url", "last check", "errors", "last error", "articles")
    for feed in feeds:
        checked = f"{feed.last_checked_at:%Y-%m-%d %H:%M}" if feed.last_checked_at else "never"
        stored = feed.entries.get("stored", 0)
        table.add_row(
            str(feed.id), feed.title or "", feed.url, checked, str(feed.error_count), feed.last_error or "", str(stored)
        )
    out.print(table)


@feeds_app.command("remove")
def feeds_remove(ctx: typer.Context, feed_id: Annotated[int, typer.Argument(help="Feed id.")]) -> None:
    """Unsubscribe (articles already stored are kept)."""
    with _services(ctx) as services, services.database.write() as session:
        removed = FeedRepository(session).remove(feed_id)
    if not removed:
        usage_error(f"no feed with id {feed_id}")
    out.print(f"removed feed {feed_id}")


@feeds_app.command("import")
def feeds_import(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(help="OPML file to import.")] = None,
    starter: Annotated[bool, typer.Option("--starter", help="Import the bundled starter list of world news feeds.")] = False,
    if_never_seeded: Annotated[
        bool, typer.Option("--if-never-seeded", help="With --starter: only on an installation never seeded before.")
    ] = False,
) -> None:
    """Import subscriptions from OPML (feeds are fetched on the next refresh)."""
    if (file is None) == (not starter):
        usage_error("give either an OPML file or --starter")
    if file is not None and not file.is_file():
        usage_error(f"file not found: {file}")
    data = file.read_bytes() if file else (resources.files("newsloom") / "data" / "starter_feeds.opml").read_bytes()
    with _services(ctx) as services:
        if starter and if_never_seeded:
            with services.database.read() as session:
                if MetaRepository(session).get(STARTER_SEEDED_KEY):
                    return
        try:
            report = services.subscriptions.import_opml(data)
        except OPMLError as error:
            usage_error(str(error))
        if starter:
            with services.database.write() as session:
                MetaRepository(session).set(STARTER_SEEDED_KEY, "1")
    out.print(f"imported {report.added} feeds ({report.existing} already subscribed, {len(report.invalid)} invalid)")
    for url in report.invalid:
        err.print(f"skipped invalid feed URL: {url}", markup=False)


@feeds_app.command("export")
def feeds_export(ctx: typer.Context) -> None:
    """Print all subscriptions as OPML."""
    with _services(ctx) as services:
        sys.stdout.write(services.subscriptions.export_opml())


@eval_app.command("duplicates")
def eval_duplicates(
    directory: Annotated[Path, typer.Argument(help="Benchmark folder: ground-truth.json and html/*.html.gz.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Near-duplicate detection: precision and recall on copies of real articles, per threshold."""
    from dataclasses import asdict

    from newsloom.dedupe.fingerprints import NEAR_DUPLICATE_JACCARD
    from newsloom.evaluation.extraction import load_benchmark
    from newsloom.evaluation.near_duplicates import build_documents, evaluate

    try:
        pages = load_benchmark(directory)
    except FileNotFoundError as error:
        usage_error(str(error))
    thresholds = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    scores = _while_busy(f"building copies of {len(pages)} articles", lambda: evaluate(build_documents(pages), thresholds))
    if as_json:
        print(json.dumps([asdict(result) for result in scores], indent=2))
        return
    table = Table("Jaccard threshold", "pairs to find", "found", "precision", "recall", "F1")
    for result in scores:
        marker = " (in use)" if result.threshold == NEAR_DUPLICATE_JACCARD else ""
        table.add_row(
            f"{result.threshold:.1f}{marker}", str(result.true_pairs), str(result.found_pairs),
            f"{result.precision:.3f}", f"{result.recall:.3f}", f"{result.f1:.3f}",
        )  # fmt: skip
    out.print(table)
    out.print(
        f"{scores[0].documents} documents; the most similar pair of different stories (of all pairs) "
        f"has an estimated Jaccard of {scores[0].hardest_negative:.2f}"
    )


# --- sources -------------------------------------------------------------


def _source_id(services: Services, domain: str) -> int:
    with services.database.read() as session:
        source = SourceRepository(session).get_by_domain(domain.strip().lower())
    if source is None:
        usage_error(f"no source with domain {domain!r} (see `newsloom sources list`)")
    return source.id


@sources_app.command("list")
def sources_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Publishers with how their pages were extracted, failures, rules and learned boilerplate."""
    with _services(ctx) as services, services.database.read() as session:
        sources = [SourceHealthOut.of(health) for health in SourceRepository(session).list_with_health()]
    if as_json:
        _print_json(sources)
        return
    table = Table("domain", "name", "from page", "feed fallback", "too short", "failed", "rules", "learned")
    for source in sources:
        rules = "yes" if source.body_selector or source.drop_selectors else ""
        table.add_row(
            source.domain, source.name, *(str(source.extraction.get(key, 0)) for key in ("page", "feed_fallback", "too_short")),
            str(source.failed_entries), rules, str(source.learned_boilerplate),
        )  # fmt: skip
    out.print(table)


@sources_app.command("show")
def sources_show(ctx: typer.Context, domain: Annotated[str, typer.Argument(help="Publisher domain.")]) -> None:
    """A publisher's scraper rules and learned boilerplate, as JSON."""
    with _services(ctx) as services:
        source_id = _source_id(services, domain)
        with services.database.read() as session:
            [health] = SourceRepository(session).list_with_health(source_id)
            learned = BoilerplateRepository(session).items(source_id)
    view = SourceHealthOut.of(health).model_dump(mode="json")
    view["learned"] = [{"kind": item.kind, "text": item.text, "articles": item.article_count} for item in learned]
    print(json.dumps(view, indent=2))


@sources_app.command("rules")
def sources_rules(
    ctx: typer.Context,
    domain: Annotated[str, typer.Argument(help="Publisher domain.")],
    body: Annotated[str | None, typer.Option("--body", help="CSS or XPath selecting the article body.")] = None,
    drop: Annotated[list[str] | None, typer.Option("--drop", help="CSS or XPath of elements to remove (repeatable).")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove all rules of this source.")] = False,
) -> None:
    """Set a publisher's scraper rules (applied before extraction and learned clean-up)."""
    for selector in [body, *(drop or [])]:
        if selector is not None:
            try:
                compile_selector(selector)
            except InvalidSelectorError as error:
                usage_error(str(error))
    with _services(ctx) as services:
        source_id = _source_id(services, domain)
        with services.database.write() as session:
            sources = SourceRepository(session)
            current_body, current_drops = (None, []) if clear else sources.rules(source_id)
            sources.set_rules(source_id, body or current_body, current_drops + [d for d in drop or [] if d not in current_drops])
            new_body, new_drops = sources.rules(source_id)
    out.print(f"{domain}: body {new_body or '(extractor decides)'}; drop {', '.join(new_drops) or '(nothing)'}", markup=False)


@sources_app.command("relearn")
def sources_relearn(ctx: typer.Context, domain: Annotated[str, typer.Argument(help="Publisher domain.")]) -> None:
    """Learn the publisher's boilerplate from its stored articles now, and re-clean them."""
    with _services(ctx) as services:
        report = services.pipeline.site_cleanup.relearn(_source_id(services, domain))
    out.print(
        f"{domain}: learned {report.learned} new items from {report.sample_size} articles; "
        f"re-cleaned {report.articles_recleaned} articles"
    )


@sources_app.command("forget")
def sources_forget(ctx: typer.Context, domain: Annotated[str, typer.Argument(help="Publisher domain.")]) -> None:
    """Forget the boilerplate learned for a publisher (stored articles stay as they are)."""
    with _services(ctx) as services:
        source_id = _source_id(services, domain)
        with services.database.write() as session:
            forgotten = BoilerplateRepository(session).forget(source_id)
    out.print(f"{domain}: forgot {forgotten} learned items")


# --- admin ---------------------------------------------------------------


@admin_app.command("create")
def admin_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Name to sign in with.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, envvar="NEWSLOOM_ADMIN_PASSWORD",
                          help="Asked for when not given (or set NEWSLOOM_ADMIN_PASSWORD).")
    ],
) -> None:
    """Create the admin, or set the password of an existing one (which signs out its sessions)."""
    from newsloom.accounts import AccountError, Accounts
    from newsloom.store import Database

    _require_current_schema(ctx.obj.settings)
    database = Database(database_url(ctx.obj.settings))
    try:
        user, created = Accounts(database).set_admin(username, password)
    except AccountError as error:
        usage_error(str(error))
    finally:
        database.dispose()
    out.print(f"{'created' if created else 'updated'} admin {user.username!r}; sign in at /login")


@admin_app.command("role")
def admin_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="An existing account.")],
    role: Annotated[str, typer.Argument(help="reader, moderator or admin.")],
) -> None:
    """Give an account a role: moderators work the comment queue, admins also manage feeds."""
    from newsloom.accounts import AccountError, Accounts
    from newsloom.store import Database

    _require_current_schema(ctx.obj.settings)
    database = Database(database_url(ctx.obj.settings))
    try:
        user = Accounts(database).set_role(username, role)
    except AccountError as error:
        usage_error(str(error))
    finally:
        database.dispose()
    out.print(f"{user.username!r} is now {user.role}")


# --- refresh, ingest, show ----------------------------------------------


@app.command()
def refresh(
    ctx: typer.Context,
    feed: Annotated[int | None, typer.Option("--feed", help="Only this feed id.")] = None,
) -> None:
    """Fetch feeds and process their new articles now, in the foreground."""
    with _services(ctx) as services:
        with services.database.read() as session:
            feeds = FeedRepository(session).list()
        if feed is not None:
            feeds = [f for f in feeds if f.id == feed]
            if not feeds:
                usage_error(f"no feed with id {feed}")
        _refresh_in_foreground(services, [f.id for f in feeds], {f.id: f.title or f.url for f in feeds})


def _enrich_if_stored(services: Services, result):  # type: ignore[no-untyped-def]
    """Stages 6 and 7 inline: the foreground commands finish what a worker would do in later jobs."""
    if result.status == "stored" and result.article_id is not None:
        services.enricher.enrich(result.article_id)
        services.stories.assign(result.article_id)
    return result


def _contained(step, item_id: int, failure):  # type: ignore[no-untyped-def]
    """One feed's or article's unexpected failure is reported in its row; it never stops the run."""
    try:
        return step(item_id)
    except Exception as error:
        logging.getLogger("newsloom.refresh").exception("internal error on %s %s", step.__name__, item_id)
        return failure(f"internal error: {error!r}")


def _refresh_in_foreground(services: Services, feed_ids: list[int], names: dict[int, str]) -> None:
    from newsloom.pipeline import PipelineResult

    results: dict[int, FeedRefreshResult] = {}
    outcomes: dict[int, dict[str, int]] = {feed_id: {} for feed_id in feed_ids}
    with Progress(console=err, transient=True) as progress, ThreadPoolExecutor(services.settings.fetch_workers) as pool:
        feeds_task = progress.add_task("feeds", total=len(feed_ids))
        refresh = services.refresher.refresh
        for result in pool.map(
            lambda feed_id: _contained(refresh, feed_id, lambda why: FeedRefreshResult(feed_id, "error", why)), feed_ids
        ):
            results[result.feed_id] = result
            progress.advance(feeds_task)
        with services.database.read() as session:
            entries = EntryRepository(session)
            work = [(feed_id, entry_id) for feed_id in feed_ids for entry_id in entries.ids_for_feed(feed_id)]
        articles_task = progress.add_task("articles", total=len(work))
        def process_entry(entry_id: int) -> PipelineResult:
            return _enrich_if_stored(services, services.pipeline.process_entry(entry_id))

        processed = pool.map(
            lambda pair: (pair[0], _contained(process_entry, pair[1], lambda why: PipelineResult("failed", why))), work
        )
        for feed_id, outcome in processed:
            counts = outcomes[feed_id]
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            progress.advance(articles_task)
    services.stories.consolidate()

    table = Table("feed", "title", "result", "new", "stored", "duplicate", "retry", "failed", "error")
    for feed_id in feed_ids:
        result, counts = results[feed_id], outcomes[feed_id]
        table.add_row(
            str(feed_id), names[feed_id], result.status, str(len(result.new_entry_ids)),
            *(str(counts.get(key, 0)) for key in ("stored", "duplicate", "retry", "failed")),
            result.reason or "",
        )  # fmt: skip
    out.print(table)


@app.command()
def ingest(
    ctx: typer.Context,
    url_or_file: Annotated[str, typer.Argument(help="Article URL, or a saved HTML file.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's original URL (with a file).")] = None,
) -> None:
    """Ingest one article page; prints the article id."""
    html = None
    page_url = url_or_file
    if is_http_url(url_or_file):
        if url:
            usage_error("--url goes with a file, not with a URL")
    else:
        path = Path(url_or_file)
        if not path.is_file():
            usage_error(f"not an http(s) URL or an existing file: {url_or_file}")
        if not url or not is_http_url(url):
            usage_error("a file needs --url http(s)://... naming where the page was published")
        html, page_url = path.read_bytes(), url
    with _services(ctx) as services:
        result = _enrich_if_stored(services, services.pipeline.ingest_page(page_url, html))
    if result.article_id is None:
        err.print(f"error: {result.reason}", markup=False)
        raise typer.Exit(1)
    if result.status == "duplicate":
        err.print(f"already stored: {result.reason}", markup=False)
    print(result.article_id)


@app.command()
def show(
    ctx: typer.Context,
    article_id: Annotated[int, typer.Argument(help="Article id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a stored article."""
    with _services(ctx) as services:
        from newsloom.api.routes import article_view

        related = services.related.related(article_id)
        with services.database.read() as session:
            article = ArticleRepository(session).get(article_id)
            view = article_view(session, article, related) if article else None
    if view is None:
        usage_error(f"no article with id {article_id}")
    if as_json:
        print(view.model_dump_json(indent=2))
        return
    publisher = view.source.name + (f" (originally {view.original_publisher.name})" if view.original_publisher else "")
    out.print(f"{view.title}\n{publisher} · {view.published_at or view.fetched_at}\n{view.url}\n", markup=False)
    out.print(view.text, markup=False)


@app.command()
def ask(
    ctx: typer.Context,
    article_id: Annotated[int, typer.Argument(help="Article id.")],
    question: Annotated[str, typer.Argument(help="A question about the article.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer a question from an article's own sentences, cited."""
    from dataclasses import asdict

    if not question.strip():
        usage_error("the question is empty")
    with _services(ctx) as services:
        result = services.enricher.ask(article_id, question)
    if result.reason and result.reason.endswith("does not exist"):
        usage_error(f"no article with id {article_id}")
    if as_json:
        print(json.dumps(asdict(result), indent=2))
        return
    if not result.answered:
        out.print(f"Not answered: {result.reason}", markup=False)
        return
    for sentence in result.sentences:
        out.print(f"[{sentence.index + 1}] {sentence.text}", markup=False)


# --- evaluation ------------------------------------------------------------


@eval_app.command("quotes")
def eval_quotes(
    directory: Annotated[Path, typer.Argument(help="A PolNeAR split: text/*.txt and attributions/*.ann.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N articles.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Direct quotes and their speakers: precision, recall and F1 against PolNeAR."""
    from dataclasses import asdict

    from newsloom.evaluation.quotes import evaluate, load_polnear

    articles = load_polnear(directory)[:limit]
    if not articles:
        usage_error(f"no annotated articles under {directory} (expected text/*.txt and attributions/*.ann)")
    result = _while_busy(f"finding quotes in {len(articles)} articles", lambda: evaluate(articles))
    if as_json:
        print(json.dumps(asdict(result), indent=2))
        return
    table = Table("direct quotes", "predicted", "gold", "precision", "recall", "F1")
    for name, prf in (("quote span", result.quotes), ("speaker", result.speakers)):
        table.add_row(name, str(prf.predicted), str(prf.gold), f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}")
    out.print(table)
    out.print(f"{result.articles} articles", markup=False)


@eval_app.command("summaries")
def eval_summaries(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON lines with `src` and `ref_summ` (CNN/DailyMail from SummEval or REALSumm).")],
    limit: Annotated[int | None, typer.Option(help="Only the first N articles.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """ROUGE-1/2/L of the extractive summary beside LEAD-3, in the same run."""
    from dataclasses import asdict

    from newsloom.enrich.embeddings import MiniLmEmbedder
    from newsloom.evaluation.summaries import evaluate, load_cases

    if not file.is_file():
        usage_error(f"no such file: {file}")
    try:
        cases = load_cases(file)[:limit]
    except (ValueError, KeyError) as error:
        usage_error(f"{file} is not summary JSON lines: {error}")
    embedder = MiniLmEmbedder.for_settings(ctx.obj.settings)
    scores = _while_busy(f"summarising {len(cases)} articles", lambda: evaluate(cases, embedder))
    if as_json:
        print(json.dumps([asdict(result) for result in scores], indent=2))
        return
    table = Table("system", "articles", "ROUGE-1", "ROUGE-2", "ROUGE-L")
    for result in scores:
        table.add_row(result.system, str(result.articles), f"{result.rouge1:.2f}", f"{result.rouge2:.2f}", f"{result.rougeL:.2f}")
    out.print(table)


@eval_app.command("extraction")
def eval_extraction(
    directory: Annotated[Path, typer.Argument(help="Benchmark folder: ground-truth.json and html/*.html.gz.")],
    limit: Annotated[int | None, typer.Option(help="Only the first N pages.")] = None,
    baseline: Annotated[bool, typer.Option("--baseline/--no-baseline", help="Also score plain trafilatura.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score article-body extraction (precision, recall, F1 over 4-token shingles)."""
    from dataclasses import asdict

    from newsloom.evaluation.extraction import EXTRACTORS, evaluate, load_benchmark

    try:
        pages = load_benchmark(directory, limit)
    except FileNotFoundError as error:
        usage_error(str(error))
    chosen = {name: run for name, run in EXTRACTORS.items() if baseline or name == "newsloom"}
    scores = _while_busy(f"scoring {len(pages)} pages", lambda: evaluate(pages, chosen))
    if as_json:
        print(json.dumps([asdict(result) for result in scores], indent=2))
        return
    table = Table("extractor", "pages", "F1", "precision", "recall", "accuracy")
    for result in scores:
        table.add_row(
            result.extractor, str(result.pages),
            *(f"{value:.3f} ± {spread:.3f}" for value, spread in (
                (result.f1, result.f1_std), (result.precision, result.precision_std),
                (result.recall, result.recall_std), (result.accuracy, result.accuracy_std),
            )),
        )  # fmt: skip
    out.print(table)


@eval_app.command("stories")
def eval_stories(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with ID, TITLE, STORY and TIMESTAMP (the Google News stories set).")],
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write each headline's story as CSV (ID,CLUSTER).")] = None,
    shuffle: Annotated[int | None, typer.Option(help="Stream in a random order from this seed, not by timestamp.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Stream headlines through the story clustering; B-cubed precision, recall and F1."""
    import csv
    from dataclasses import asdict

    from newsloom.enrich.embeddings import MiniLmEmbedder
    from newsloom.evaluation.stories import evaluate, load_headlines

    if not file.is_file():
        usage_error(f"no such file: {file}")
    try:
        headlines = load_headlines(file)
    except (KeyError, ValueError) as error:
        usage_error(f"{file} is not a stories CSV (ID, TITLE, STORY, TIMESTAMP): {error}")
    embedder = MiniLmEmbedder.for_settings(ctx.obj.settings, threads=2)
    score, predicted = _while_busy(f"clustering {len(headlines)} headlines", lambda: evaluate(headlines, embedder.embed, shuffle))
    if out_file is not None:
        with out_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["ID", "CLUSTER"])
            writer.writerows((headline.id, predicted[headline.id]) for headline in headlines)
    if as_json:
        print(json.dumps(asdict(score), indent=2))
        return
    table = Table("headlines", "true stories", "predicted stories", "B-cubed precision", "recall", "F1")
    table.add_row(str(score.items), str(score.true_stories), str(score.predicted_stories),
                  f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}")  # fmt: skip
    out.print(table)


@eval_app.command("article-stories")
def eval_article_stories(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="The Zyte benchmark folder: ground-truth.json and html/*.html.gz.")],
    labels_file: Annotated[Path | None, typer.Option("--labels", help="CSV with KEY (page id) and STORY; default: ours.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ingest and enrich real article pages, cluster them as the product does; B-cubed against story labels."""
    from dataclasses import asdict

    from newsloom.evaluation.article_stories import evaluate_articles, load_labels

    if not (directory / "ground-truth.json").is_file():
        usage_error(f"{directory} holds no ground-truth.json (the Zyte extraction benchmark)")
    if labels_file is not None and not labels_file.is_file():
        usage_error(f"no such file: {labels_file}")
    try:
        labels = load_labels(labels_file)
    except KeyError as error:
        usage_error(f"{labels_file} is not a labels CSV (KEY, STORY): {error}")
    result = _while_busy("ingesting, enriching and clustering the pages", lambda: evaluate_articles(directory, ctx.obj.settings, labels))
    score = result.score
    if as_json:
        print(json.dumps({**asdict(score), "pages": result.pages, "left_out": result.left_out}, indent=2))
        return
    table = Table("articles", "left out", "true stories", "predicted stories", "B-cubed precision", "recall", "F1")
    table.add_row(str(score.items), str(result.left_out), str(score.true_stories), str(score.predicted_stories),
                  f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}")  # fmt: skip
    out.print(table)


@app.command()
def enrich(
    ctx: typer.Context,
    recompute_all: Annotated[bool, typer.Option("--all", help="Recompute every article, not only missing ones.")] = False,
    article: Annotated[int | None, typer.Option("--article", help="Only this article id.")] = None,
) -> None:
    """Compute entities, hashtags, quotes, summary, key points and embeddings, in the foreground."""
    with _services(ctx) as services:
        if article is not None:
            ids = [article]
        else:
            with services.database.read() as session:
                ids = EnrichmentRepository(session).article_ids(only_missing=not recompute_all)
        outcomes: dict[str, int] = {}
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("enriching", total=len(ids))
            for article_id in ids:
                result = services.enricher.enrich(article_id)
                services.stories.assign(article_id)
                outcomes[result.status] = outcomes.get(result.status, 0) + 1
                progress.advance(task)
            services.stories.consolidate()
    if article is not None and outcomes.get("missing"):
        usage_error(f"no article with id {article}")
    out.print(f"enriched {len(ids)} articles: " + (", ".join(f"{n} {s}" for s, n in sorted(outcomes.items())) or "nothing to do"))


@stories_app.command("rebuild")
def stories_rebuild(ctx: typer.Context) -> None:
    """Form every story again from its articles, oldest first, with the clustering of this
    version (after an upgrade that changed it, or a new `story_window_hours`). Links to old
    stories keep working: the story holding most of an old story's articles keeps its id or
    is where the old id redirects. Workers may run meanwhile: they wait while the stories are
    written, and articles they placed during the rebuild are included."""
    with _services(ctx) as services:
        result = services.stories.rebuild()
    out.print(
        f"{result.articles} articles: {result.stories_before} stories before, {result.stories_after} now "
        f"({result.kept} kept their id, {result.started} new, {result.redirected} old ids redirect); "
        f"{result.moved} articles changed story"
        + ("; formed a second time, as workers placed articles meanwhile" if result.formed_again else "")
    )


@app.command()
def pages(
    ctx: typer.Context,
    render_all: Annotated[
        bool, typer.Option("--all", help="Render every article page again, not only missing or out-of-date ones.")
    ] = False,
    drop: Annotated[bool, typer.Option("--drop", help="Forget every kept page instead (they are rendered again on demand).")] = False,
) -> None:
    """Render article pages and keep them in the database, so no reader of the archive waits
    for one (after an import, an upgrade or a bulk re-enrichment)."""
    from newsloom.store import Database, PageRepository
    from newsloom.web import create_app

    settings: Settings = ctx.obj.settings
    _require_current_schema(settings)
    database = Database(database_url(settings))
    try:
        if drop:
            with database.write() as session:
                out.print(f"dropped {PageRepository(session).drop_all()} kept pages")
            return
        if settings.stored_page_max_seconds == 0:
            usage_error("NEWSLOOM_STORED_PAGE_MAX_SECONDS is 0: pages are not kept")
        state = create_app(settings, database).state
        _while_busy("indexing embeddings for related articles", state.related.sync)
        kept = skipped = 0
        with database.read() as session:
            total = ArticleRepository(session).count()
        with Progress(console=err, transient=True) as progress:
            task, after = progress.add_task("rendering", total=total), 0
            while True:
                with database.read() as session:
                    ids = PageRepository(session).readable_ids(after, 500, None if render_all else state.stored_pages.version)
                if not ids:
                    break
                for article_id in ids:
                    if state.stored_pages.render(article_id):
                        kept += 1
                    else:
                        skipped += 1
                    progress.advance(task)
                after = ids[-1]
        state.related.stop()
    finally:
        database.dispose()
    out.print(f"kept {kept} article pages" + (f"; {skipped} not kept (removed or copied meanwhile)" if skipped else ""))


# --- processes -----------------------------------------------------------


@app.command()
def worker(ctx: typer.Context) -> None:
    """Run background jobs (feed refreshes, article processing) until stopped."""
    from newsloom.jobs import run_worker

    _require_current_schema(ctx.obj.settings)
    run_worker(ctx.obj.settings)


@app.command()
def jobs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Entries to list per state.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The queue, entries by state, the retry queue and the dead letters (given up), with reasons."""
    from dataclasses import asdict

    from newsloom.jobs import create_huey
    from newsloom.jobs.report import jobs_report
    from newsloom.store import Database

    settings: Settings = ctx.obj.settings
    _require_current_schema(settings)
    database = Database(database_url(settings))
    try:
        report = jobs_report(database, settings, lambda: create_huey(settings).pending_count(), limit)
    finally:
        database.dispose()
    if as_json:
        out.print_json(json.dumps(asdict(report), default=str))
        return
    out.print(f"queue: {report.queue}")
    out.print("entries: " + (", ".join(f"{n} {status}" for status, n in sorted(report.entries_by_status.items())) or "none"))
    if report.enrichment_failures:
        out.print("enrichment not ok: " + ", ".join(f"{n} {kind}" for kind, n in sorted(report.enrichment_failures.items())))
    for title, problems in ((f"retrying (up to {report.max_attempts} attempts)", report.retrying),
                            ("given up (dead letters)", report.failed)):  # fmt: skip
        table = Table(title=title, title_justify="left")
        for column in ("entry", "attempts", "when", "url", "reason"):
            table.add_column(column)
        for problem in problems:
            when = problem.next_attempt_at or problem.updated_at
            table.add_row(str(problem.entry_id), str(problem.attempts), when.strftime("%Y-%m-%d %H:%M"), problem.url or "", problem.reason or "")
        out.print(table)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind.")] = None,
    with_worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Also run a supervised worker process.")
    ] = True,
) -> None:
    """Run the web server (and, by default, a supervised background worker)."""
    import uvicorn

    from newsloom.jobs import WorkerSupervisor
    from newsloom.web import create_app

    settings: Settings = ctx.obj.settings
    _require_current_schema(settings)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit
    # lets the `finally` below stop the worker instead of leaving it orphaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    supervisor = WorkerSupervisor(ctx.obj.config_file) if with_worker else None
    if supervisor:
        supervisor.start()
    try:
        # JSON logs: uvicorn's own loggers go through the same handler instead of its text format.
        log_config = None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG
        uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info",
                    log_config=log_config)  # fmt: skip
    finally:
        if supervisor:
            supervisor.stop()


def main() -> None:
    # A crash in native code (lxml, spaCy, ONNX Runtime) then leaves every thread's Python
    # traceback in the log instead of a bare exit code.
    faulthandler.enable()
    app()
