"""Reader accounts on the web: sign up, sign in and out, password, API tokens, deletion."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from newsloom.accounts import AccountError
from newsloom.throttle import client_address
from newsloom.web.auth import Checked, SignedIn, local_path, start_session

router = APIRouter(include_in_schema=False)
# Bots fill every field; people never see this one (it is hidden and labelled to leave empty).
HONEYPOT_FIELD = "website"


def _page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    return request.app.state.renderer.page(request, template, status, **context)


def _back(request: Request, message: str, ok: bool = True, to: str = "/account") -> RedirectResponse:
    request.session["flash"] = {"ok": ok, "message": message}
    return RedirectResponse(to, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return _page(request, "login.html", next=local_path(next), error=None, username="")


@router.post("/login", response_class=HTMLResponse, dependencies=[Checked])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    throttle = request.app.state.login_throttle
    keys = (f"ip:{client_address(request)}", f"user:{username.casefold()}")
    context = {"next": local_path(next), "username": username}
    wait = throttle.retry_after(*keys)
    if wait > 0:
        error = f"Too many failed sign-ins. Try again in {int(wait) + 1} seconds."
        response = _page(request, "login.html", 429, error=error, **context)
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    result = request.app.state.accounts.sign_in(username, password)
    if result.user is None:
        throttle.failed(*keys)
        return _page(request, "login.html", 401, error=result.reason, **context)
    throttle.succeeded(*keys)
    start_session(request, result.user)
    return RedirectResponse(local_path(next), status_code=303)


@router.post("/logout", dependencies=[Checked])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, next: str = "/") -> Response:
    return _page(request, "signup.html", next=local_path(next), error=None, username="")


@router.post("/signup", response_class=HTMLResponse, dependencies=[Checked])
def signup(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
    website: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    context = {"next": local_path(next), "username": username}
    if website:  # the honeypot: answered like a refusal, so a bot learns nothing
        return _page(request, "signup.html", 400, error="That sign-up could not be accepted.", **context)
    if not request.app.state.signup_limiter.allow(client_address(request)):
        return _page(request, "signup.html", 429, error="Too many accounts from this address; try again later.", **context)
    if password != confirm:
        return _page(request, "signup.html", 400, error="The two passwords differ.", **context)
    try:
        user = request.app.state.accounts.sign_up(username, password)
    except AccountError as error:
        return _page(request, "signup.html", 400, error=f"Could not create the account: {error}.", **context)
    start_session(request, user)
    request.session["flash"] = {"ok": True, "message": f"Welcome, {user.username}. You can comment now."}
    return RedirectResponse(local_path(next), status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: SignedIn) -> Response:
    return _page(request, "account.html", tokens=request.app.state.accounts.tokens(user.id), new_token=None)


@router.post("/account/password", dependencies=[Checked])
def change_password(
    request: Request,
    user: SignedIn,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    if new != confirm:
        return _back(request, "The two new passwords differ.", ok=False)
    try:
        changed = request.app.state.accounts.change_password(user.id, current, new)
    except AccountError as error:
        return _back(request, f"Password not changed: {error}.", ok=False)
    start_session(request, changed)  # this session stays; every other one ends
    return _back(request, "Password changed. Other devices are signed out.")


@router.post("/account/delete", dependencies=[Checked])
def delete_account(
    request: Request,
    user: SignedIn,
    password: Annotated[str, Form(max_length=1024)] = "",
    comments: Annotated[str, Form(pattern="^(keep|erase)$")] = "keep",
) -> Response:
    try:
        erased = request.app.state.accounts.delete_account(user.id, password, keep_comments=comments == "keep")
    except AccountError as error:
        return _back(request, f"Account not deleted: {error}.", ok=False)
    request.session.clear()
    kept = "Your comments stay, signed [deleted]." if comments == "keep" else f"{erased} comments erased."
    return _back(request, f"Your account is deleted. {kept}", to="/")


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[Checked])
def create_token(request: Request, user: SignedIn, label: Annotated[str, Form(max_length=100)] = "") -> Response:
    token = request.app.state.accounts.create_token(user.id, label)
    return _page(request, "account.html", tokens=request.app.state.accounts.tokens(user.id), new_token=token)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Checked])
def revoke_token(request: Request, user: SignedIn, token_id: int) -> Response:
    revoked = request.app.state.accounts.revoke_token(user.id, token_id)
    return _back(request, "Token revoked." if revoked else "No such token.", ok=revoked)
