"""Feeds admin behind the admin sign-in: the CLI's feed operations, on the web."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from newsloom.ingest.opml import OPMLError
from newsloom.store import FeedRepository
from newsloom.store.records import User
from newsloom.web.security import client_address, csrf_valid

router = APIRouter(prefix="/admin", include_in_schema=False)
MAX_OPML_BYTES = 2 * 1024 * 1024
SESSION_USER, SESSION_EPOCH = "uid", "epoch"


class SignInRequired(Exception):
    """Raised for a page that needs the admin; answered with a redirect to the sign-in page."""


def signed_in_user(request: Request) -> User | None:
    user_id = request.session.get(SESSION_USER)
    if user_id is None:
        return None
    user = request.app.state.accounts.get(user_id)
    if user is None or user.session_epoch != request.session.get(SESSION_EPOCH):
        request.session.pop(SESSION_USER, None)  # deleted, or its password changed since
        return None
    return user


def require_admin(request: Request) -> User:
    user = signed_in_user(request)
    if user is None:
        raise SignInRequired()
    if user.role != "admin":
        raise HTTPException(403, "Only the admin may manage feeds.")
    request.state.user = user
    return user


def require_csrf(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> None:
    if not csrf_valid(request, csrf_token):
        raise HTTPException(403, "This form has expired. Reload the page and try again.")


Admin = Annotated[User, Depends(require_admin)]
Checked = Depends(require_csrf)


def _back(request: Request, message: str, ok: bool = True) -> RedirectResponse:
    request.session["flash"] = {"ok": ok, "message": message}
    return RedirectResponse("/admin/feeds", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/admin/feeds") -> Response:
    return request.app.state.renderer.page(request, "admin/login.html", next=_local(next), error=None)


@router.post("/login", response_class=HTMLResponse, dependencies=[Checked])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/admin/feeds",
) -> Response:
    throttle = request.app.state.login_throttle
    keys = (f"ip:{client_address(request)}", f"user:{username.casefold()}")
    wait = throttle.retry_after(*keys)
    if wait > 0:
        error = f"Too many failed sign-ins. Try again in {int(wait) + 1} seconds."
        response = request.app.state.renderer.page(request, "admin/login.html", 429, next=_local(next), error=error)
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    result = request.app.state.accounts.sign_in(username, password)
    if result.user is None:
        throttle.failed(*keys)
        return request.app.state.renderer.page(request, "admin/login.html", 401, next=_local(next), error=result.reason)
    throttle.succeeded(*keys)
    request.session.clear()  # a fresh session (and CSRF token) on every sign-in: no fixation
    request.session.update({SESSION_USER: result.user.id, SESSION_EPOCH: result.user.session_epoch})
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout", dependencies=[Checked])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, admin: Admin) -> Response:
    with request.app.state.database.read() as session:
        feeds = FeedRepository(session).list_with_health()
    return request.app.state.renderer.page(request, "admin/feeds.html", feeds=feeds)


@router.post("/feeds", dependencies=[Checked])
def add_feed(request: Request, admin: Admin, url: Annotated[str, Form(max_length=2048)] = "") -> Response:
    result = request.app.state.subscriptions.add(url)
    if result.status == "added":
        return _back(request, f"Added {result.feed.title or result.feed.url}. Its first articles arrive with the next refresh.")
    return _back(request, result.reason or "Could not add that feed.", ok=result.status == "exists")


@router.post("/feeds/{feed_id}/refresh", dependencies=[Checked])
def refresh_feed(request: Request, admin: Admin, feed_id: int) -> Response:
    with request.app.state.database.write() as session:
        feeds = FeedRepository(session)
        if feeds.get(feed_id) is None:
            raise HTTPException(404, f"No feed {feed_id}.")
        feeds.schedule_now(feed_id)
    return _back(request, "Refresh queued: the worker fetches it within a minute.")


@router.post("/feeds/refresh", dependencies=[Checked])
def refresh_all(request: Request, admin: Admin) -> Response:
    with request.app.state.database.write() as session:
        feeds = FeedRepository(session)
        for feed in feeds.list():
            feeds.schedule_now(feed.id)
    return _back(request, "Every feed is queued: the worker fetches them within a minute.")


@router.post("/feeds/{feed_id}/remove", dependencies=[Checked])
def remove_feed(request: Request, admin: Admin, feed_id: int) -> Response:
    with request.app.state.database.write() as session:
        removed = FeedRepository(session).remove(feed_id)
    if not removed:
        raise HTTPException(404, f"No feed {feed_id}.")
    return _back(request, "Unsubscribed. Its articles stay.")


@router.post("/feeds/import", dependencies=[Checked])
async def import_opml(request: Request, admin: Admin, opml: Annotated[UploadFile, File()]) -> Response:
    data = await opml.read(MAX_OPML_BYTES + 1)
    if len(data) > MAX_OPML_BYTES:
        return _back(request, "That OPML file is larger than 2 MB.", ok=False)
    try:
        report = await run_in_threadpool(request.app.state.subscriptions.import_opml, data)  # database writes
    except OPMLError as error:
        return _back(request, f"Could not read that OPML file: {error}", ok=False)
    message = f"Imported: {report.added} added, {report.existing} already followed"
    if report.invalid:
        message += f", {len(report.invalid)} skipped (not http or https addresses)"
    return _back(request, message + ".", ok=not report.invalid)


@router.get("/feeds.opml")
def export_opml(request: Request, admin: Admin) -> Response:
    return Response(
        request.app.state.subscriptions.export_opml(), media_type="text/x-opml; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="newsloom-feeds.opml"'},
    )  # fmt: skip


def _local(target: str) -> str:
    """Only paths on this site: `next` must never send a signed-in admin elsewhere."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/admin/feeds"
