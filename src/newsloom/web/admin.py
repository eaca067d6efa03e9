"""Feeds admin behind the admin role: the CLI's feed operations, on the web."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from newsloom.ingest.opml import OPMLError
from newsloom.jobs.report import jobs_report
from newsloom.store import FeedRepository
from newsloom.web.auth import Admin, Checked, local_path

router = APIRouter(prefix="/admin", include_in_schema=False)
MAX_OPML_BYTES = 2 * 1024 * 1024


def _back(request: Request, message: str, ok: bool = True) -> RedirectResponse:
    request.session["flash"] = {"ok": ok, "message": message}
    return RedirectResponse("/admin/feeds", status_code=303)


@router.get("/login")
def login_form(next: str = "/admin/feeds") -> Response:
    """The admin signs in like every account now; old bookmarks keep working."""
    return RedirectResponse(f"/login?{urlencode({'next': local_path(next, '/admin/feeds')})}", status_code=301)


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


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, admin: Admin) -> Response:
    state = request.app.state
    report = jobs_report(state.database, state.settings, state.queue_depth)
    return state.renderer.page(request, "admin/jobs.html", report=report)


@router.get("/feeds.opml")
def export_opml(request: Request, admin: Admin) -> Response:
    return Response(
        request.app.state.subscriptions.export_opml(), media_type="text/x-opml; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="newsloom-feeds.opml"'},
    )  # fmt: skip
