"""Jinja2 environment: autoescaping everywhere, and the filters the templates share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsloom.api.schemas import teaser
from newsloom.comments.markdown import clean_comment_html
from newsloom.extract.sanitize import sanitize_html
from newsloom.store.articles import SNIPPET_END, SNIPPET_START
from newsloom.web.security import CSRF_FIELD, csrf_token

TEMPLATES = Path(__file__).parent / "templates"
_IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")


def slugify(title: str, limit: int = 80) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:limit].rstrip("-") or "article"


def article_path(article) -> str:  # type: ignore[no-untyped-def]
    return f"/article/{article.id}/{slugify(article.title)}"


def stored_tag(name: str) -> str:
    """Hashtags are stored as shown ("#Russia"); links and filters name them without the "#"."""
    return "#" + name.strip().lstrip("#")


def tag_path(tag: str) -> str:
    return "/tag/" + quote(tag.lstrip("#"), safe="")


def duration(delta: timedelta) -> str:
    """"3 hours", "22 minutes": the largest whole unit."""
    seconds = delta.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """"22 minutes ago", as on the seed page; past a week, the date."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 0:
        return "just now" if seconds > -300 else moment.strftime("%-d %b %Y")
    if seconds < 60:
        return "just now"
    if seconds >= 7 * 86400:
        return moment.strftime("%-d %b %Y")
    return f"{duration(timedelta(seconds=seconds))} ago"


def time_tag(moment: datetime | None) -> Markup:
    if moment is None:
        return Markup("")
    exact = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(moment.isoformat(), exact, relative_time(moment))


_TIME_TAG = re.compile(r'(<time datetime="([^"]+)" title="[^"]*">)[^<]*(</time>)')


def current_times(html: str, now: datetime | None = None) -> str:
    """A page rendered earlier, with its relative times ("22 minutes ago") as of now."""
    now = now or datetime.now(UTC)
    return _TIME_TAG.sub(lambda m: f"{m[1]}{relative_time(datetime.fromisoformat(m[2]), now)}{m[3]}", html)


def highlighted(snippet: str) -> Markup:
    """A search snippet: escaped first, then the match marks become <mark>."""
    safe = str(escape(snippet))
    return Markup(safe.replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>"))


def comment_html(html: str) -> Markup:
    # Sanitized when stored; again here, as article bodies are.
    return Markup(clean_comment_html(html))


def article_body(html: str) -> Markup:
    # Sanitized when stored; sanitized again here so a row written by anything else cannot inject markup.
    clean = sanitize_html(html)
    return Markup(_IMAGE_WITHOUT_ALT.sub("<img alt=\"\"", clean))  # a publisher's unlabelled image is decorative


# Stand in for what differs per reader in shared pages; `personalised` swaps in the real thing.
CSRF_PLACEHOLDER = "\ue002csrf\ue002"
FLASH_PLACEHOLDER = "\ue002flash\ue002"
ACCOUNT_PLACEHOLDER = "\ue002account\ue002"
# Not personal but live: each request fills in the discussion (see web/comments.py).
COMMENTS_PLACEHOLDER = "\ue002comments\ue002"


class Renderer:
    def __init__(self) -> None:
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        env = self.templates.env
        env.filters.update(
            relative_time=relative_time, duration=duration, time_tag=time_tag, teaser=teaser, highlighted=highlighted,
            article_body=article_body, article_path=article_path, tag_path=tag_path, comment_html=comment_html,
        )  # fmt: skip
        env.globals.update(csrf_field=CSRF_FIELD, comments_placeholder=Markup(COMMENTS_PLACEHOLDER))
        self._personal = env.get_template("_personal.html").module
        # The same for every signed-out reader, and served on the page cache's hot path.
        self._signed_out_nav = Markup(self._personal.account(None, None, CSRF_FIELD, ""))

    def page(
        self, request: Request, template: str, status_code: int = 200, fill: Callable[[str], str] | None = None,
        **context: object,
    ) -> HTMLResponse:  # fmt: skip
        """A page for this reader; `fill` completes what the template left as a placeholder."""
        context.setdefault("user", getattr(request.state, "user", None))
        # Lazy: only pages with a form give their visitor a session cookie.
        context["csrf_token"] = lambda: csrf_token(request)
        context["flash_area"], context["account_area"] = self._flash(request), self._account(request)
        response = self.templates.TemplateResponse(request, template, context, status_code=status_code)
        if fill is None:
            return response
        return HTMLResponse(fill(bytes(response.body).decode()), status_code=status_code)

    def shared(self, template: str, **context: object) -> str:
        """A page that may be served to any reader: nothing personal is rendered into it."""
        context.update(
            user=None, csrf_token=lambda: CSRF_PLACEHOLDER, flash_area=Markup(FLASH_PLACEHOLDER),
            account_area=Markup(ACCOUNT_PLACEHOLDER),
        )  # fmt: skip
        return self.templates.get_template(template).render(context)

    def personalised(self, request: Request, html: str, status_code: int = 200) -> HTMLResponse:
        """A shared page made this reader's, from their session alone: no database read."""
        if FLASH_PLACEHOLDER in html:
            html = html.replace(FLASH_PLACEHOLDER, self._flash(request), 1)
        if ACCOUNT_PLACEHOLDER in html:
            html = html.replace(ACCOUNT_PLACEHOLDER, self._account(request), 1)
        if CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, csrf_token(request))
        return HTMLResponse(html, status_code=status_code)

    def _flash(self, request: Request) -> Markup:
        # No session while the database is unreachable (see LazySessionMiddleware).
        flash = request.session.pop("flash", None) if "session" in request.scope else None
        return Markup(self._personal.flash(flash)) if flash else Markup("")

    def _account(self, request: Request) -> Markup:
        session = request.session if "session" in request.scope else {}
        name = session.get("name")
        if not name:
            return self._signed_out_nav
        return Markup(self._personal.account(name, session.get("role"), CSRF_FIELD, csrf_token(request)))
