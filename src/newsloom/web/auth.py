"""Who is signed in, and the guards routes put in front of what needs an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request

from newsloom.store.records import User
from newsloom.web.security import csrf_valid

SESSION_USER, SESSION_EPOCH, SESSION_NAME, SESSION_ROLE = "uid", "epoch", "name", "role"


class SignInRequired(Exception):
    """Raised for a page that needs an account; answered with a redirect to the sign-in page."""


def signed_in_user(request: Request) -> User | None:
    if "session" not in request.scope:
        return None
    user_id = request.session.get(SESSION_USER)
    if user_id is None:
        return None
    user = request.app.state.accounts.get(user_id)
    if user is None or user.session_epoch != request.session.get(SESSION_EPOCH):
        for key in (SESSION_USER, SESSION_EPOCH, SESSION_NAME, SESSION_ROLE):
            request.session.pop(key, None)  # deleted, banned, or its password changed since
        return None
    request.state.user = user
    return user


def start_session(request: Request, user: User) -> None:
    request.session.clear()  # a fresh session (and CSRF token) on every sign-in: no fixation
    request.session.update(
        {SESSION_USER: user.id, SESSION_EPOCH: user.session_epoch, SESSION_NAME: user.username, SESSION_ROLE: user.role}
    )


def require_user(request: Request) -> User:
    user = signed_in_user(request)
    if user is None:
        raise SignInRequired()
    return user


def require_moderator(request: Request) -> User:
    user = require_user(request)
    if not user.moderates:
        raise HTTPException(403, "Only moderators may see this page.")
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if user.role != "admin":
        raise HTTPException(403, "Only the admin may manage feeds.")
    return user


def require_csrf(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> None:
    if not csrf_valid(request, csrf_token):
        raise HTTPException(403, "This form has expired. Reload the page and try again.")


def local_path(target: str, default: str = "/") -> str:
    """Only paths on this site: a `next` parameter must never send a signed-in reader elsewhere."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else default


SignedIn = Annotated[User, Depends(require_user)]
Moderator = Annotated[User, Depends(require_moderator)]
Admin = Annotated[User, Depends(require_admin)]
Checked = Depends(require_csrf)
