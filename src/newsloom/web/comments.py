"""Comments on the web: the thread under each article, posting and its follow-ups, moderation.

The article page is shared by every reader (see cache.py); its comments section is not. The
shared page carries a placeholder that each request fills with the thread as this reader
sees it: a signed-in reader's view (their own edit and delete links, their votes, the
moderator's buttons) is rendered live, so a new comment shows at once and no reader's
controls reach another; signed-out readers share one cached rendering per article and
order, dropped whenever that article's comments change.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import State
from starlette.types import Scope

from newsloom.comments.service import FORBIDDEN, LIMITED, NOT_FOUND, CommentResult, Discussion
from newsloom.store import ArticleRepository
from newsloom.store.records import Comment, User
from newsloom.throttle import client_address
from newsloom.web.auth import SESSION_USER, Checked, Moderator, SignedIn, local_path, signed_in_user
from newsloom.web.cache import PageCache, page_key
from newsloom.web.rendering import COMMENTS_PLACEHOLDER, article_path
from newsloom.web.security import csrf_token

router = APIRouter(include_in_schema=False)
ORDERS = ("oldest", "newest", "top")
MAX_SHOWN_DEPTH = 5  # deeper replies are shown at this depth, still in reply order
# Far above any comment limit: posts up to this size come back in the comment form with the
# reason and the text kept; larger ones (a megabyte of junk) get a plain 400 page.
FORM_BODY_LIMIT = 100_000
STATUS_CODES = {NOT_FOUND: 404, FORBIDDEN: 403, LIMITED: 429}
ARTICLE_PATH = re.compile(r"^/article/(\d+)/[^/]+$")


@dataclass
class ThreadNode:
    comment: Comment
    replies: list[ThreadNode] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """A deleted comment stays as "[deleted]" only while a reply under it is shown."""
        return self.comment.status != "deleted" or any(reply.shown for reply in self.replies)


def build_thread(comments: list[Comment]) -> list[ThreadNode]:
    """Nests replies under their parents, keeping the list's order at every level."""
    nodes = {comment.id: ThreadNode(comment) for comment in comments}
    roots = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return roots


def comments_section(request: Request, article_id: int, order: str, path: str) -> str:
    """This reader's view of the article's discussion, as HTML for the page's placeholder."""
    user = signed_in_user(request)
    return render_discussion(request.app.state, article_id, order, path, user, csrf_token(request) if user else "")[0]


def render_discussion(
    state: State, article_id: int, order: str, path: str, user: User | None = None, token: str = ""
) -> tuple[str, Discussion]:
    """The discussion as `user` sees it (signed out: None), and what it was rendered from."""
    discussion = state.comments.discussion(article_id, order, user)
    comments = discussion.comments
    template = state.renderer.templates.get_template("_comments.html")
    html = template.render(
        article_id=article_id, path=path, thread=[node for node in build_thread(comments) if node.shown],
        count=sum(c.status == "visible" for c in comments), order=order, orders=ORDERS, user=user, voted=discussion.voted,
        locked=discussion.locked, can_edit=lambda c: state.comments.can_edit(user, c),
        csrf_field="csrf_token", csrf_token=token, nonce=secrets.token_urlsafe(16),
        max_depth=MAX_SHOWN_DEPTH, max_chars=state.settings.comment_max_chars,
    )  # fmt: skip
    return html, discussion


# Signed-out readers all see the same discussion: it is shared through the page cache like
# the page around it, dropped when the article's comments change (in this process; other web
# processes see the change within NEWSLOOM_PAGE_CACHE_SECONDS).
def _discussion_key(article_id: int, order: str) -> str:
    return f"discussion:{article_id}:{order}"


def _signed_out(session: dict) -> bool:
    return SESSION_USER not in session


def fill_comments(request: Request, html: str, article_id: int, order: str, path: str) -> str:
    if COMMENTS_PLACEHOLDER not in html:
        return html
    cache = request.app.state.page_cache
    if "session" in request.scope and not _signed_out(request.session):
        return html.replace(COMMENTS_PLACEHOLDER, comments_section(request, article_id, order, path), 1)
    key = _discussion_key(article_id, order)
    section = cache.get(key)
    if section is None:
        section = comments_section(request, article_id, order, path)
        cache.put(key, section)
    return html.replace(COMMENTS_PLACEHOLDER, section, 1)


def _scope_order(scope: Scope) -> str:
    """The comment order a request asks for (`?comments=`), from its ASGI scope."""
    return comment_order(parse_qs(scope["query_string"].decode("latin-1")).get("comments", [None])[0])


def fill_from_cache(scope: Scope, html: str, cache: PageCache) -> str | None:
    """For the page cache's fast path: the article page with its shared discussion, when the
    reader is signed out and the discussion is cached; None sends the request to its route."""
    match = ARTICLE_PATH.match(scope["path"])
    if match is None or not _signed_out(scope.get("session") or {}):
        return None
    order = _scope_order(scope)
    section = cache.get(_discussion_key(int(match.group(1)), order))
    return html.replace(COMMENTS_PLACEHOLDER, section, 1) if isinstance(section, str) else None


class KeptArticlePages:
    """Article pages kept in the database (stored_pages.py), for the page cache's fast path:
    an article page for a signed-out reader, comments in the default order (the order of the
    kept discussion), completed with the discussion and put in the page cache.

    `complete` only reads: on SQLite (`inline`) that is a local lookup of some 0.1 ms, done
    on the event loop like a cached page, since handing it to a worker thread costs more than
    the read. `fill` also renders and keeps a discussion not kept yet, in a worker thread."""

    def __init__(self, inline: bool) -> None:
        self.inline = inline

    def wanted(self, scope: Scope) -> bool:
        if ARTICLE_PATH.match(scope["path"]) is None or not _signed_out(scope.get("session") or {}):
            return False
        return _scope_order(scope) == ORDERS[0]

    def complete(self, scope: Scope) -> str | None:
        """The page when it is kept with its discussion; None otherwise."""
        return self._serve(scope, render_discussion=False)

    def fill(self, scope: Scope) -> str | None:
        """The page, its discussion rendered now (and kept) when it was not kept; None when the
        page is not kept, which sends the request to its route."""
        return self._serve(scope, render_discussion=True)

    def _serve(self, scope: Scope, render_discussion: bool) -> str | None:
        request, path, order = Request(scope), scope["path"], ORDERS[0]
        article_id = int(ARTICLE_PATH.match(path).group(1))  # type: ignore[union-attr]
        state = request.app.state
        kept = state.stored_pages.load(article_id, path)
        if kept is None or (kept.discussion is None and not render_discussion):
            return None
        discussion = kept.discussion
        if discussion is None:
            discussion = comments_section(request, article_id, order, path)
            state.stored_pages.keep_discussion_later(article_id, discussion, kept.discussion_version)
        state.page_cache.put(page_key(path, scope["query_string"].decode("latin-1")), kept.html)
        state.page_cache.put(_discussion_key(article_id, order), discussion)
        return kept.html.replace(COMMENTS_PLACEHOLDER, discussion, 1)


def discussion_changed(request: Request, article_id: int) -> None:
    for order in ORDERS:
        request.app.state.page_cache.drop(_discussion_key(article_id, order))


def _article_url(request: Request, article_id: int) -> str:
    with request.app.state.database.read() as session:
        article = ArticleRepository(session).get(article_id)
    if article is None:
        raise HTTPException(404, "This article does not exist, or was removed.")
    return article_path(article)


def _answer(request: Request, result: CommentResult, article_id: int, *, body: str = "", nonce: str = "",
            parent_id: int | None = None, action: str = "") -> Response:  # fmt: skip
    """Back to the comment on success; otherwise the form again with the text kept and the reason shown."""
    if result.ok and result.comment is not None:
        discussion_changed(request, result.comment.article_id)
        message = result.reason or "Comment posted."
        request.session["flash"] = {"ok": True, "message": message}
        anchor = f"#comment-{result.comment.id}" if result.comment.status in ("visible", "held") else "#comments"
        return RedirectResponse(_article_url(request, result.comment.article_id) + anchor, status_code=303)
    status = STATUS_CODES.get(result.status, 400)
    return request.app.state.renderer.page(
        request, "comment_form.html", status, error=result.reason, body=body, nonce=nonce or secrets.token_urlsafe(16),
        parent_id=parent_id, action=action or f"/article/{article_id}/comments", article_url=_article_url(request, article_id),
    )  # fmt: skip


@router.post("/article/{article_id}/comments", response_class=HTMLResponse, dependencies=[Checked])
def post_comment(
    request: Request,
    article_id: int,
    user: SignedIn,
    body: Annotated[str, Form(max_length=FORM_BODY_LIMIT)] = "",
    nonce: Annotated[str, Form(min_length=8, max_length=64)] = "",
    parent_id: Annotated[int | None, Form()] = None,
    website: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if website:  # the honeypot field: people never fill it
        result = CommentResult("refused", "That comment could not be accepted.")
    else:
        result = request.app.state.comments.post(user, article_id, body, nonce, client_address(request), parent_id)
    return _answer(request, result, article_id, body=body, nonce=nonce, parent_id=parent_id)


def _comment_or_404(request: Request, comment_id: int, user: User | None) -> Comment:
    comment = request.app.state.comments.get(comment_id)
    if comment is None or (comment.status in ("held", "hidden") and not (user and (user.moderates or user.id == comment.user_id))):
        raise HTTPException(404, "This comment does not exist.")
    return comment


@router.get("/comment/{comment_id}", response_class=HTMLResponse)
def comment_page(request: Request, comment_id: int) -> Response:
    """One comment with everything a reader may do to it: the no-JavaScript way to reply,
    edit, delete, vote, report or moderate."""
    user = signed_in_user(request)
    comment = _comment_or_404(request, comment_id, user)
    state = request.app.state
    return state.renderer.page(
        request, "comment.html", comment=comment, article_url=_article_url(request, comment.article_id), user=user,
        can_edit=state.comments.can_edit(user, comment), nonce=secrets.token_urlsafe(16),
        voted=bool(user and state.comments.voted(user.id, [comment.id])), locked=state.moderation.is_locked(comment.article_id),
        max_chars=state.settings.comment_max_chars,
    )  # fmt: skip


@router.post("/comment/{comment_id}/edit", response_class=HTMLResponse, dependencies=[Checked])
def edit_comment(request: Request, comment_id: int, user: SignedIn, body: Annotated[str, Form(max_length=FORM_BODY_LIMIT)] = "") -> Response:
    comment = _comment_or_404(request, comment_id, user)
    result = request.app.state.comments.edit(user, comment_id, body, client_address(request))
    if result.ok:
        result = CommentResult(result.status, "Comment edited.", result.comment)
    return _answer(request, result, comment.article_id, body=body, action=f"/comment/{comment_id}/edit")


@router.post("/comment/{comment_id}/delete", dependencies=[Checked])
def delete_comment(request: Request, comment_id: int, user: SignedIn) -> Response:
    result = request.app.state.comments.delete(user, comment_id)
    return _done(request, result, _at_comment(request, result, comment_id))


@router.post("/comment/{comment_id}/vote", dependencies=[Checked])
def vote_comment(request: Request, comment_id: int, user: SignedIn) -> Response:
    result = request.app.state.comments.vote(user, comment_id)
    return _done(request, result, _at_comment(request, result, comment_id))


@router.post("/comment/{comment_id}/report", dependencies=[Checked])
def report_comment(request: Request, comment_id: int, user: SignedIn, reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    result = request.app.state.comments.report(user, comment_id, reason)
    return _done(request, result, _at_comment(request, result, comment_id))


def _done(request: Request, result: CommentResult, to: str) -> Response:
    """A follow-up action: back to `to` with what happened in the flash; 404 and 403 as pages."""
    if result.status in (NOT_FOUND, FORBIDDEN):
        raise HTTPException(STATUS_CODES[result.status], result.reason or "That did not work.")
    if result.ok and result.comment is not None:
        discussion_changed(request, result.comment.article_id)
    request.session["flash"] = {"ok": result.ok, "message": result.reason or "Done."}
    return RedirectResponse(to, status_code=303)


def _at_comment(request: Request, result: CommentResult, comment_id: int) -> str:
    if result.ok and result.comment is not None and result.comment.status != "deleted":
        return _article_url(request, result.comment.article_id) + f"#comment-{comment_id}"
    if result.ok and result.comment is not None:
        return _article_url(request, result.comment.article_id) + "#comments"
    return f"/comment/{comment_id}"


# --- moderation -------------------------------------------------------------------------


@router.get("/moderation", response_class=HTMLResponse)
def moderation_page(request: Request, moderator: Moderator) -> Response:
    state = request.app.state
    moderation = state.moderation
    return state.renderer.page(
        request, "moderation.html", queue=moderation.queue(), filters=moderation.filters(), banned=moderation.banned()
    )


@router.get("/moderation/log", response_class=HTMLResponse)
def moderation_log(request: Request, moderator: Moderator) -> Response:
    return request.app.state.renderer.page(request, "moderation_log.html", entries=request.app.state.moderation.log())


@router.post("/moderation/comments/{comment_id}", dependencies=[Checked])
def moderate_comment(
    request: Request, comment_id: int, moderator: Moderator,
    action: Annotated[str, Form(pattern="^(approve|hide|delete)$")], back: Annotated[str, Form(max_length=500)] = "/moderation",
) -> Response:  # fmt: skip
    result = request.app.state.moderation.act(moderator, comment_id, action)
    return _done(request, result, to=_local(back))


@router.post("/moderation/users/{user_id}/ban", dependencies=[Checked])
def ban_user(
    request: Request, user_id: int, moderator: Moderator, banned: Annotated[bool, Form()] = True,
    back: Annotated[str, Form(max_length=500)] = "/moderation",
) -> Response:  # fmt: skip
    return _done(request, request.app.state.moderation.set_banned(moderator, user_id, banned), to=_local(back))


@router.post("/moderation/articles/{article_id}/lock", dependencies=[Checked])
def lock_thread(
    request: Request, article_id: int, moderator: Moderator, locked: Annotated[bool, Form()] = True,
) -> Response:  # fmt: skip
    result = request.app.state.moderation.set_locked(moderator, article_id, locked)
    discussion_changed(request, article_id)
    return _done(request, result, to=_article_url(request, article_id) + "#comments")


@router.post("/moderation/filters", dependencies=[Checked])
def add_filter(request: Request, moderator: Moderator, pattern: Annotated[str, Form(max_length=500)] = "") -> Response:
    return _done(request, request.app.state.moderation.add_filter(moderator, pattern), to="/moderation#filters")


@router.post("/moderation/filters/{filter_id}/remove", dependencies=[Checked])
def remove_filter(request: Request, filter_id: int, moderator: Moderator) -> Response:
    return _done(request, request.app.state.moderation.remove_filter(moderator, filter_id), to="/moderation#filters")


def _local(target: str) -> str:
    return local_path(target, "/moderation")


def comment_order(value: str | None) -> str:
    return value if value in ORDERS else "oldest"


CommentOrder = Annotated[str | None, Query(alias="comments", max_length=10)]
