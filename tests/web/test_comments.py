"""Accounts and comments over HTTP: forms without JavaScript, the API, and the abuse guards."""

import re

import pytest
import redis
from fastapi.testclient import TestClient

from newsloom.accounts import Accounts
from newsloom.web import create_app
from tests.conftest import make_settings, skip_or_fail
from tests.jobs.test_worker import REDIS_URL, redis_available
from tests.support.comments import PASSWORD, nonce, store_article
from tests.web.conftest import csrf_from


@pytest.fixture
def app(tmp_path, services):
    # Both levels of page caching on: every comment must show at once all the same.
    settings = make_settings(tmp_path, services.settings.database_url, signups_per_hour=3, login_max_failures=3,
                             login_lockout_seconds=30, page_cache_seconds=30, stored_page_max_seconds=3600)  # fmt: skip
    built = create_app(settings, services.database)
    built.state.article_id = store_article(services.database)
    built.state.related.sync()  # pages are kept once related articles are complete
    return built


def client_for(app):
    return TestClient(app, base_url="http://testserver")


def sign_up(client, username, password=PASSWORD, **extra):
    token = csrf_from(client.get("/signup").text)
    data = {"username": username, "password": password, "confirm": password, "csrf_token": token, **extra}
    return client.post("/signup", data=data, follow_redirects=False)


def sign_in(client, username, password=PASSWORD):
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, follow_redirects=False)


def article_form(client, article_id):
    html = client.get(f"/article/{article_id}").text
    return csrf_from(html), re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def post_comment(client, article_id, body, **extra):
    token, form_nonce = article_form(client, article_id)
    data = {"body": body, "nonce": form_nonce, "csrf_token": token, **extra}
    return client.post(f"/article/{article_id}/comments", data=data, follow_redirects=False)


def test_sign_up_comment_and_see_it_on_the_cached_page_at_once(app):
    article_id = app.state.article_id
    with client_for(app) as reader, client_for(app) as visitor:
        assert "No comments yet..." in visitor.get(f"/article/{article_id}").text  # now in the page cache
        assert sign_up(reader, "ann").status_code == 303
        response = post_comment(reader, article_id, "I was *there*.")
        assert response.status_code == 303 and re.search(r"#comment-\d+$", response.headers["location"])
        page = visitor.get(f"/article/{article_id}").text
        assert "<em>there</em>" in page and "Comments (1)" in page and "No comments yet" not in page
        assert "Sign in</a> or" in page and "Delete</button>" not in page  # a visitor sees no one's controls
        own = reader.get(f"/article/{article_id}").text
        assert "Delete</button>" in own and "Add a comment as ann" in own
        assert '#comments">1 comment</a>' in visitor.get("/").text  # counts on article lists
        # A write that bypasses the web (so nothing drops the cached discussion): signed-out readers
        # keep the shared copy for the cache window, a signed-in reader's view is always live.
        ann = Accounts(app.state.database).get(1)
        app.state.comments.post(ann, article_id, "Written behind the web's back", nonce(), "10.0.0.9")
        assert "behind the web" not in visitor.get(f"/article/{article_id}").text
        assert "behind the web" in reader.get(f"/article/{article_id}").text


def test_the_same_form_sent_twice_is_stored_once(app):
    article_id = app.state.article_id
    with client_for(app) as reader:
        sign_up(reader, "ann")
        token, form_nonce = article_form(reader, article_id)
        for _ in range(2):
            data = {"body": "Double click", "nonce": form_nonce, "csrf_token": token}
            assert reader.post(f"/article/{article_id}/comments", data=data, follow_redirects=False).status_code == 303
        assert reader.get(f"/api/v1/articles/{article_id}/comments").json()["count"] == 1


def test_forms_need_the_csrf_token_and_an_account(app):
    article_id = app.state.article_id
    with client_for(app) as visitor:
        response = visitor.post(f"/article/{article_id}/comments", data={"body": "hi", "nonce": nonce()}, follow_redirects=False)
        assert response.status_code == 403
        page = visitor.get(f"/article/{article_id}").text
        assert 'id="comment-form"' not in page and "to comment" in page
        data = {"body": "hi", "nonce": nonce(), "csrf_token": csrf_from(page)}
        response = visitor.post(f"/article/{article_id}/comments", data=data, follow_redirects=False,
                                headers={"referer": f"http://testserver/article/{article_id}"})  # fmt: skip
        assert response.status_code == 303 and response.headers["location"] == f"/login?next=%2Farticle%2F{article_id}"


def test_a_refused_comment_comes_back_with_its_text_and_the_reason(app):
    article_id = app.state.article_id
    with client_for(app) as reader:
        sign_up(reader, "ann")
        text = "word " * 1200  # over the 5,000-character default
        response = post_comment(reader, article_id, text)
        assert response.status_code == 400
        assert "at most 5,000 characters" in response.text and text.strip() in response.text
        huge = post_comment(reader, article_id, "x" * 1_000_000)  # a megabyte: refused with a page, never a 500
        assert huge.status_code == 400 and "at most 100000 characters" in huge.text


def test_honeypots_turn_bots_away(app):
    with client_for(app) as bot:
        assert sign_up(bot, "botty", website="http://spam.example").status_code == 400
        assert Accounts(app.state.database).sign_in("botty", PASSWORD).user is None
        sign_up(bot, "human")
        response = post_comment(bot, app.state.article_id, "Buy now", website="http://spam.example")
        assert response.status_code == 400
        assert bot.get(f"/api/v1/articles/{app.state.article_id}/comments").json()["count"] == 0


def test_sign_ups_are_limited_per_address(app):
    with client_for(app) as client:
        statuses = []
        for number in range(4):
            client.cookies.clear()
            statuses.append(sign_up(client, f"user{number}").status_code)
        assert statuses == [303, 303, 303, 429]


def test_brute_force_sign_in_is_locked_out(app):
    with client_for(app) as reader, client_for(app) as attacker:
        sign_up(reader, "ann")
        assert [sign_in(attacker, "ann", "wrong password!").status_code for _ in range(3)] == [401, 401, 401]
        locked = sign_in(attacker, "ann")  # even the right password waits now
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0


def test_web_processes_on_one_redis_share_their_limits(tmp_path, services):
    """Behind a load balancer an attacker's tries land on every process: the lockout and the
    sign-up limit hold across them (the embedded default counts per process)."""
    if not redis_available():
        skip_or_fail(f"no Redis at {REDIS_URL}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings = make_settings(tmp_path, services.settings.database_url, queue_url=REDIS_URL, signups_per_hour=2,
                             login_max_failures=3, login_lockout_seconds=30)  # fmt: skip
    first, second = create_app(settings, services.database), create_app(settings, services.database)
    with client_for(first) as one, client_for(second) as other:
        assert [sign_up(one, "ann").status_code, sign_up(other, "bob").status_code] == [303, 303]
        other.cookies.clear()
        assert sign_up(other, "cyd").status_code == 429  # the third sign-up from this address, wherever it lands
        one.cookies.clear()
        statuses = [sign_in(client, "ann", "wrong password!").status_code for client in (one, other, one)]
        assert statuses == [401, 401, 401]
        assert sign_in(other, "ann").status_code == 429  # locked on the process that saw one failure of three


def test_reply_edit_vote_and_report_without_javascript(app):
    article_id = app.state.article_id
    with client_for(app) as ann, client_for(app) as bob:
        sign_up(ann, "ann")
        sign_up(bob, "bob")
        location = post_comment(ann, article_id, "Teh budget is late.").headers["location"]
        comment_id = int(location.rsplit("-", 1)[1])
        page = bob.get(f"/comment/{comment_id}").text
        token, form_nonce = csrf_from(page), re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        reply = bob.post(f"/article/{article_id}/comments", data={"body": "Two weeks late.", "nonce": form_nonce,
                         "parent_id": comment_id, "csrf_token": token}, follow_redirects=False)  # fmt: skip
        assert reply.status_code == 303
        assert bob.post(f"/comment/{comment_id}/vote", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        assert bob.post(f"/comment/{comment_id}/report", data={"csrf_token": token, "reason": "typo spam"}).status_code == 200
        assert "Edit</h2>" not in page  # not bob's to edit
        own = ann.get(f"/comment/{comment_id}").text
        assert ann.post(f"/comment/{comment_id}/edit", data={"csrf_token": csrf_from(own), "body": "The budget is late."},
                        follow_redirects=False).status_code == 303  # fmt: skip
        items = {c["id"]: c for c in bob.get(f"/api/v1/articles/{article_id}/comments").json()["items"]}
        assert items[comment_id]["body"] == "The budget is late." and items[comment_id]["edited_at"]
        assert items[comment_id]["score"] == 1
        [child] = [c for c in items.values() if c["parent_id"] == comment_id]
        assert child["author"] == "bob" and child["depth"] == 1
        thread = ann.get(f"/article/{article_id}").text
        assert thread.index("The budget is late.") < thread.index('class="replies"') < thread.index("Two weeks late.")
        assert "edited</span>" in thread


def test_moderators_work_the_queue_and_every_action_is_logged(app):
    article_id = app.state.article_id
    with client_for(app) as ann, client_for(app) as bob, client_for(app) as mod:
        sign_up(ann, "ann")
        sign_up(bob, "bob")
        sign_up(mod, "mod")
        Accounts(app.state.database).set_role("mod", "moderator")
        sign_in(mod, "mod")  # the role is read at sign-in for the header, always from the store for rights
        comment_id = int(post_comment(ann, article_id, "Everyone here is an idiot.").headers["location"].rsplit("-", 1)[1])
        token = csrf_from(bob.get(f"/comment/{comment_id}").text)
        bob.post(f"/comment/{comment_id}/report", data={"csrf_token": token, "reason": "insults"})
        assert ann.get("/moderation").status_code == 403
        queue = mod.get("/moderation").text
        assert "Everyone here is an idiot." in queue and "insults" in queue and "Moderation</a>" in queue
        token = csrf_from(queue)
        assert mod.post(f"/moderation/comments/{comment_id}", data={"csrf_token": token, "action": "hide"},
                        follow_redirects=False).status_code == 303  # fmt: skip
        assert "Everyone here is an idiot." not in bob.get(f"/article/{article_id}").text
        assert mod.post(f"/moderation/users/{app.state.comments.get(comment_id).user_id}/ban",
                        data={"csrf_token": token}, follow_redirects=False).status_code == 303  # fmt: skip
        assert "to comment." in ann.get(f"/article/{article_id}").text  # the ban ended ann's session
        sign_in(ann, "ann")
        assert "Your account may not comment." in ann.get(f"/article/{article_id}").text
        assert "Lift the ban" in mod.get("/moderation").text
        mod.post(f"/moderation/articles/{article_id}/lock", data={"csrf_token": token, "locked": "true"})
        assert "This discussion is locked" in bob.get(f"/article/{article_id}").text
        mod.post("/moderation/filters", data={"csrf_token": token, "pattern": "casino"})
        ann_id = app.state.comments.get(comment_id).user_id
        mod.post(f"/moderation/users/{ann_id}/ban", data={"csrf_token": token, "banned": "false"})
        assert "No one is banned." in mod.get("/moderation").text
        log = mod.get("/moderation/log").text
        for action in ("hide", "ban", "unban", "lock", "add_filter"):
            assert f"<td>{action}</td>" in log


def test_deleting_the_account_signs_out_and_keeps_comments_as_deleted(app):
    article_id = app.state.article_id
    with client_for(app) as ann:
        sign_up(ann, "ann")
        post_comment(ann, article_id, "My two cents.")
        token = csrf_from(ann.get("/account").text)
        wrong = ann.post("/account/delete", data={"csrf_token": token, "password": "not it at all", "comments": "keep"})
        assert "Account not deleted" in wrong.text
        done = ann.post("/account/delete", data={"csrf_token": token, "password": PASSWORD, "comments": "keep"}, follow_redirects=False)
        assert done.status_code == 303 and ann.get("/account", follow_redirects=False).status_code == 303
        [item] = ann.get(f"/api/v1/articles/{article_id}/comments").json()["items"]
        assert item["author"] is None and item["body"] == "My two cents."
        assert "[deleted]" in ann.get(f"/article/{article_id}").text


def test_session_cookies_are_secure_behind_https(tmp_path, services):
    settings = make_settings(tmp_path, services.settings.database_url, https_cookies=True)
    with TestClient(create_app(settings, services.database), base_url="https://testserver") as client:
        cookie = sign_up(client, "ann").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_changing_the_password_signs_out_other_sessions(app):
    with client_for(app) as laptop, client_for(app) as phone:
        sign_up(laptop, "ann")
        sign_in(phone, "ann")
        token = csrf_from(laptop.get("/account").text)
        new = "another long passphrase"
        laptop.post("/account/password", data={"csrf_token": token, "current": PASSWORD, "new": new, "confirm": new})
        assert laptop.get("/account", follow_redirects=False).status_code == 200
        assert phone.get("/account", follow_redirects=False).status_code == 303


def test_the_api_posts_with_a_token_or_a_session_and_retries_safely(app):
    article_id = app.state.article_id
    with client_for(app) as ann:
        sign_up(ann, "ann")
        page = ann.post("/account/tokens", data={"csrf_token": csrf_from(ann.get("/account").text), "label": "bot"}).text
        token = re.search(r"(nl_[A-Za-z0-9_-]+)", page).group(1)
    with client_for(app) as program:
        url = f"/api/v1/articles/{article_id}/comments"
        body = {"body": "Posted by a **program**", "nonce": nonce()}
        assert program.post(url, json=body).status_code == 401
        assert program.post(url, json=body, headers={"authorization": "Bearer nl_wrong"}).status_code == 401
        first = program.post(url, json=body, headers={"authorization": f"Bearer {token}"})
        again = program.post(url, json=body, headers={"authorization": f"Bearer {token}"})
        assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
        assert "<strong>program</strong>" in first.json()["body_html"]
        too_big = program.post(url, json={"body": "x" * 1_000_000, "nonce": nonce()}, headers={"authorization": f"Bearer {token}"})
        assert too_big.status_code == 422
        assert program.get(url).json()["count"] == 1
        assert program.get("/api/v1/articles/999999/comments").status_code == 404
    with client_for(app) as browser:
        sign_in(browser, "ann")
        without = browser.post(f"/api/v1/articles/{article_id}/comments", json={"body": "session", "nonce": nonce()})
        assert without.status_code == 403  # a session alone is not enough: CSRF
        csrf = csrf_from(browser.get("/account").text)
        with_token = browser.post(f"/api/v1/articles/{article_id}/comments", json={"body": "session", "nonce": nonce()},
                                  headers={"x-csrf-token": csrf})  # fmt: skip
        assert with_token.status_code == 201 and with_token.json()["author"] == "ann"
