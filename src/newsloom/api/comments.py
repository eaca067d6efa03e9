"""Comments in the JSON API: the same rules as the web, with a session or a token.

A program signs its requests with `Authorization: Bearer TOKEN` (tokens are made on the
account page). A browser may use its session cookie instead, and then must send the page's
CSRF token in `X-CSRF-Token`, as the site's own script does.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from newsloom.api.schemas import CommentIn, CommentListOut, CommentOut
from newsloom.comments.service import FORBIDDEN, HELD, LIMITED, NOT_FOUND
from newsloom.store import ArticleRepository
from newsloom.store.records import User
from newsloom.throttle import client_address
from newsloom.web.auth import signed_in_user
from newsloom.web.comments import discussion_changed
from newsloom.web.security import csrf_valid

router = APIRouter(prefix="/api/v1", tags=["comments"])
STATUS_CODES = {NOT_FOUND: 404, FORBIDDEN: 403, LIMITED: 429}


@router.get("/articles/{article_id}/comments", response_model=CommentListOut)
def list_comments(
    request: Request, article_id: int, order: Literal["oldest", "newest", "top"] = Query("oldest")
) -> CommentListOut:
    """The article's visible comments (and deleted ones, as placeholders, where replies hang
    under them); nest them by `parent_id`."""
    with request.app.state.database.read() as session:
        if ArticleRepository(session).get(article_id) is None:
            raise HTTPException(404, f"article {article_id} not found")
    comments = request.app.state.comments.thread(article_id, order)
    return CommentListOut(
        article_id=article_id, order=order, count=sum(c.status == "visible" for c in comments),
        items=[CommentOut.of(c) for c in comments],
    )  # fmt: skip


@router.post("/articles/{article_id}/comments", response_model=CommentOut, status_code=201,
             responses={200: {"description": "the same nonce again: the comment stored the first time"},
                        202: {"description": "held for a moderator's review"}})  # fmt: skip
def post_comment(request: Request, article_id: int, body: CommentIn) -> CommentOut | JSONResponse:
    user = _caller(request)
    result = request.app.state.comments.post(user, article_id, body.body, body.nonce, client_address(request), body.parent_id)
    if not result.ok or result.comment is None:
        raise HTTPException(STATUS_CODES.get(result.status, 422), result.reason)
    discussion_changed(request, article_id)
    status = 200 if result.repeated else 202 if result.status == HELD else 201
    return JSONResponse(CommentOut.of(result.comment).model_dump(mode="json"), status_code=status)


def _caller(request: Request) -> User:
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = request.app.state.accounts.user_for_token(authorization[7:].strip())
        if user is None:
            raise HTTPException(401, "unknown or revoked token", headers={"www-authenticate": "Bearer"})
        return user
    user = signed_in_user(request)
    if user is None:
        raise HTTPException(401, "sign in, or send an API token as Authorization: Bearer TOKEN", headers={"www-authenticate": "Bearer"})
    if not csrf_valid(request, request.headers.get("x-csrf-token")):
        raise HTTPException(403, "a session-authenticated request must carry the page's CSRF token in X-CSRF-Token")
    return user
