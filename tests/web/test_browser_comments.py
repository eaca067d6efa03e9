"""Accounts and comments end to end in real headless Chromium: sign up, comment, reply, edit,
report and moderate, with and without JavaScript; every XSS payload posted as a comment stays inert."""

from __future__ import annotations

import re

import pytest

from newsloom.accounts import Accounts
from newsloom.comments import CommentService
from newsloom.store import CommentRepository
from newsloom.store.records import NewComment
from newsloom.web import create_app
from tests.conftest import make_settings
from tests.extract.test_sanitize import PAYLOADS
from tests.support.comments import PASSWORD, nonce, store_article
from tests.support.live import LiveServer
from tests.web.test_browser import XSS_PROBE, browser, fresh_services, new_page, serious_violations  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def forum(tmp_path):
    """A site with two articles and a moderator account, served on a socket."""
    services = fresh_services(tmp_path)
    articles = [store_article(services.database, title) for title in ("Council approves the budget", "Library opens")]
    accounts = Accounts(services.database)
    accounts.sign_up("mod", PASSWORD)
    accounts.set_role("mod", "moderator")
    with LiveServer(create_app(services.settings, services.database)) as live:
        yield live, services, articles
    services.close()


def sign_up(page, live, username):
    page.goto(live.url("/signup"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live.url("/"))


def sign_in(page, live, username):
    page.goto(live.url("/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live.url("/"))


def comment_id_of(page, text) -> int:
    return int(page.locator(".comment", has_text=text).last.get_attribute("id").split("-")[1])


def test_sign_up_comment_reply_edit_report_and_moderate(browser, forum):  # noqa: F811
    live, _, (article, _) = forum
    ann = new_page(browser, live)
    sign_up(ann, live, "ann")
    assert ann.get_by_role("link", name="ann").is_visible()  # the header knows who is signed in
    assert serious_violations(ann) == []
    ann.goto(live.url(f"/article/{article}"))
    ann.get_by_label("Add a comment as ann").fill("The vote was **close**: 5 to 4.")
    ann.get_by_role("button", name="Post comment").click()
    ann.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert ann.locator(".comment-body strong").inner_text() == "close"
    assert "Comments (1)" in ann.locator("#comments h2").inner_text()
    first = comment_id_of(ann, "The vote was")

    ann.evaluate("window.__stillHere = true")
    ann.locator(f"#comment-{first} .reply-link").click()  # JavaScript: the form opens in place
    assert ann.evaluate("window.__stillHere") is True
    ann.get_by_label("Your reply").fill("Correction: 6 to 3.")
    ann.get_by_role("button", name="Post reply").click()
    ann.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert ann.locator(f"#comment-{first} .replies .comment-body").inner_text() == "Correction: 6 to 3."
    assert serious_violations(ann) == []

    ann.locator(f"#comment-{first} > article .comment-actions").get_by_role("link", name="Edit").click()
    ann.get_by_label("Your comment").fill("The vote was **close**: 6 to 3.")
    ann.get_by_role("button", name="Save").click()
    ann.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert "6 to 3" in ann.locator(f"#comment-{first} > article .comment-body").inner_text()
    assert ann.locator(f"#comment-{first} > article .meta").inner_text().endswith("edited")

    bob = new_page(browser, live)
    sign_up(bob, live, "bob")
    bob.goto(live.url(f"/article/{article}"))
    bob.locator(f"#comment-{first} > article .comment-actions").get_by_role("link", name="Report").click()
    assert serious_violations(bob) == []
    bob.get_by_label("What is wrong with it?").fill("Misleading numbers")
    bob.get_by_role("button", name="Report to the moderators").click()
    assert "a moderator will look at it" in bob.locator(".flash").inner_text()

    mod = new_page(browser, live)
    sign_in(mod, live, "mod")
    mod.get_by_role("link", name="Moderation", exact=True).click()
    queued = mod.locator(f"#queued-{first}")
    assert "Misleading numbers" in queued.inner_text()
    assert serious_violations(mod) == []
    queued.get_by_role("button", name="Hide").click()
    assert f"Comment {first}: hide done." in mod.locator(".flash").inner_text()
    bob.goto(live.url(f"/article/{article}"))
    assert bob.locator(f"#comment-{first}").count() == 0  # hidden from readers
    mod.goto(live.url("/moderation/log"))
    assert "hide" in mod.locator("tbody").inner_text()
    assert serious_violations(mod) == []
    for page in (ann, bob, mod):
        assert page.errors == []
        page.context.close()


def test_reply_and_edit_without_javascript(browser, forum):  # noqa: F811
    live, _, (article, _) = forum
    page = new_page(browser, live, java_script_enabled=False)
    sign_up(page, live, "carol")
    page.goto(live.url(f"/article/{article}"))
    page.get_by_label("Add a comment as carol").fill("First thoughts.")
    page.get_by_role("button", name="Post comment").click()
    first = comment_id_of(page, "First thoughts.")
    page.locator(f"#comment-{first} .reply-link").click()  # no JavaScript: the comment's own page
    page.wait_for_url(re.compile(rf".*/comment/{first}#reply$"))
    page.get_by_label("Your reply").fill("Second thoughts.")
    page.get_by_role("button", name="Post reply").click()
    assert page.locator(f"#comment-{first} .replies").inner_text().count("Second thoughts.") == 1
    page.context.close()


def test_xss_payloads_posted_as_comments_never_run(browser, forum, tmp_path):  # noqa: F811
    """Every payload in ../shared/benchdata/security as comment bodies and replies (through the
    service, and as rows written unsanitized), and as usernames through the sign-up form."""
    live, services, articles = forum
    settings = make_settings(tmp_path, services.settings.database_url, comment_max_links=1000, comment_max_chars=100_000,
                             comments_per_minute=10_000, comments_per_hour=10_000, comments_per_minute_per_address=10_000)  # fmt: skip
    comments = CommentService(services.database, settings)
    author = Accounts(services.database).sign_up("payloads", PASSWORD)
    chunks = [PAYLOADS[start : start + 8] for start in range(0, len(PAYLOADS), 8)]
    posted, latest = 0, {}
    for number, chunk in enumerate(chunks):
        article = articles[number % 2]
        parent = latest.get(article) if number % 3 == 1 else None  # a third of them are replies
        result = comments.post(author, article, "\n\n".join(chunk), nonce(), "127.0.0.1", parent_id=parent)
        if result.ok:
            posted, latest[article] = posted + 1, result.comment.id
    assert posted > 0.9 * len(chunks)
    with services.database.write() as session:  # rows some other writer left unsanitized
        repository = CommentRepository(session)
        for number, payload in enumerate(PAYLOADS[:300]):
            repository.add(NewComment(article_id=articles[number % 2], user_id=author.id, body=payload, body_html=payload,
                                      status="visible", fingerprint=f"raw{number}", nonce=f"raw-{number}"))  # fmt: skip

    context = browser.new_context()
    context.add_init_script(XSS_PROBE)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live.url("/")) else route.abort())
    for payload in PAYLOADS[:40]:  # names: refused by the username rule, echoed back inert
        page.goto(live.url("/signup"))
        page.locator("#username").evaluate("(field, value) => field.removeAttribute('pattern') || (field.value = value)", payload)
        page.locator("#password").fill(PASSWORD)
        page.locator("#confirm").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        assert page.evaluate("window.__xss") is False, payload
    sign_in(page, live, "mod")  # the moderator's view has the most controls and the queue
    for path in [*(f"/article/{article}" for article in articles), "/moderation", "/api/v1/articles/1/comments"]:
        page.goto(live.url(path))
        page.wait_for_timeout(50)
        assert page.locator("main a[href^='javascript:'], main [onerror], main [onclick], main script").count() == 0, path
        assert page.evaluate("window.__xss") is False, path
    assert dialogs == []
    page.evaluate("alert('probe')")  # the probe works: a script that ran would have been seen
    assert page.evaluate("window.__xss") is True
    context.close()
