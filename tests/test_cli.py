"""The `newsloom` command as a user runs it: a real process against the local publisher."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from newsloom.cli import app
from newsloom.store.migrate import head_revision
from tests.support.benchdata import NEWSPAPER_HTML
from tests.support.publisher import rss_feed
from tests.support.site import publish_zyte_site

COMMANDS = [
    [], ["serve"], ["worker"], ["refresh"], ["ingest"], ["show"], ["db"], ["db", "upgrade"], ["db", "vectors"], ["feeds"],
    ["feeds", "add"], ["feeds", "list"], ["feeds", "remove"], ["feeds", "import"], ["feeds", "export"],
    ["enrich"], ["eval"], ["eval", "extraction"], ["eval", "duplicates"], ["sources"], ["sources", "list"], ["sources", "show"], ["sources", "rules"],
    ["sources", "relearn"], ["sources", "forget"], ["admin"], ["admin", "create"], ["admin", "role"], ["backup"], ["restore"], ["jobs"],
    ["pages"], ["stories"], ["stories", "rebuild"],
]  # fmt: skip


@pytest.fixture
def run(tmp_path):
    def invoke(*args, database_url=None, check=None, env_extra=None):
        env = {
            **os.environ,
            "NEWSLOOM_DATA_DIR": str(tmp_path / "data"),
            "NEWSLOOM_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSLOOM_READ_TIMEOUT": "3",
        }
        if database_url:
            env["NEWSLOOM_DATABASE_URL"] = database_url
        env.update(env_extra or {})
        result = subprocess.run(
            [sys.executable, "-m", "newsloom", *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
        )
        if check is not None and result.returncode != check:
            # Whole, not shortened as an assertion's values would be: a crash's thread dump is at the end.
            pytest.fail(f"`newsloom {' '.join(args)}` exited with {result.returncode}, not {check}\n"
                        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}", pytrace=False)  # fmt: skip
        return result

    return invoke


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_every_command_has_help(command):
    # In this process (a second each as a process adds up); the process itself is run below.
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output, result.output


def test_the_installed_command_runs_as_a_process(run):
    assert "Usage:" in run("--help", check=0).stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["ingest", "not a url"], "not an http(s) URL or an existing file"),
        (["ingest", "missing.html", "--url", "https://x.example/a"], "not an http(s) URL or an existing file"),
        (["feeds", "add", "ftp://example.com/feed"], "invalid URL"),
        (["feeds", "import", "missing.opml"], "file not found"),
        (["show", "999"], "no article with id 999"),
        (["ask", "999", "Why?"], "no article with id 999"),
        (["ask", "1", "  "], "the question is empty"),
        (["eval", "quotes", "missing-dir"], "no annotated articles under missing-dir"),
        (["eval", "summaries", "missing.jsonl"], "no such file: missing.jsonl"),
        (["refresh", "--feed", "999"], "no feed with id 999"),
        (["feeds", "remove", "999"], "no feed with id 999"),
        (["--config", "missing.toml", "feeds", "list"], "config file not found"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(run, sqlite_url, args, message):
    result = run(*args, database_url=sqlite_url, check=2)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_file_needs_its_url(run, sqlite_url):
    result = run("ingest", str(NEWSPAPER_HTML / "cnn_article.html"), database_url=sqlite_url, check=2)
    assert "--url" in result.stderr


def test_unmigrated_database_says_what_to_do(run, tmp_path):
    result = run("feeds", "list", database_url=f"sqlite:///{tmp_path / 'empty.db'}", check=1)
    assert "newsloom db upgrade" in result.stderr


def test_whole_flow(run, database_url, publisher):
    publish_zyte_site(publisher, 4)
    publisher.add("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>')
    publisher.add("/broken.xml", "<html><body>Moved to our new site!</body></html>")

    assert f"revision {head_revision()}" in run("db", "upgrade", database_url=database_url, check=0).stdout
    added = run("feeds", "add", publisher.url("/"), database_url=database_url, check=0).stdout
    assert "added feed 1" in added and "/feed.xml" in added
    refused = run("feeds", "add", publisher.url("/broken.xml"), database_url=database_url, check=1)
    assert "advertises no feed" in refused.stderr
    run("feeds", "add", publisher.url("/broken.xml"), "--no-check", database_url=database_url, check=0)

    report = run("refresh", database_url=database_url, check=0).stdout
    assert "updated" in report and "error" in report

    feeds = json.loads(run("feeds", "list", "--json", database_url=database_url, check=0).stdout)
    by_url = {feed["url"]: feed for feed in feeds}
    assert by_url[publisher.url("/feed.xml")]["entries"] == {"stored": 4}
    assert by_url[publisher.url("/broken.xml")]["error_count"] == 1
    assert "HTML page" in by_url[publisher.url("/broken.xml")]["last_error"]

    run("refresh", database_url=database_url, check=0)
    feeds = json.loads(run("feeds", "list", "--json", database_url=database_url, check=0).stdout)
    assert {feed["url"]: feed for feed in feeds}[publisher.url("/feed.xml")]["entries"] == {"stored": 4}

    shown = json.loads(run("show", "1", "--json", database_url=database_url, check=0).stdout)
    assert shown["id"] == 1 and shown["source"]["domain"] == "127.0.0.1" and len(shown["text"]) > 200


def test_ingest_file_then_duplicate(run, sqlite_url):
    page = str(NEWSPAPER_HTML / "cnn_article.html")
    url = "https://edition.cnn.com/2013/11/27/travel/weather-thanksgiving/index.html"
    first = run("ingest", page, "--url", url, database_url=sqlite_url, check=0)
    second = run("ingest", page, "--url", url + "?utm_source=twitter", database_url=sqlite_url, check=0)
    assert first.stdout.strip() == second.stdout.strip() == "1" and "already stored" in second.stderr
    shown = json.loads(run("show", "1", "--json", database_url=sqlite_url, check=0).stdout)
    assert shown["hashtags"] and any(entity["name"] == "Thanksgiving" or entity["kind"] == "place" for entity in shown["entities"])
    assert len(shown["summary"]) == 3 and shown["key_points"] and isinstance(shown["quotes"], list) and shown["related"] == []
    answer = json.loads(run("ask", "1", "What will the weather be like at Thanksgiving?", "--json", database_url=sqlite_url, check=0).stdout)
    assert answer["answered"] and all(s["text"] in shown["text"] for s in answer["sentences"])
    recomputed = run("enrich", "--all", database_url=sqlite_url, check=0).stdout
    assert "enriched 1 articles: 1 ok" in recomputed
    assert "enriched 0 articles: nothing to do" in run("enrich", database_url=sqlite_url, check=0).stdout
    rebuilt = " ".join(run("stories", "rebuild", database_url=sqlite_url, check=0).stdout.split())  # as wrapped to the terminal
    assert "1 articles: 1 stories before, 1 now (1 kept their id, 0 new, 0 old ids redirect); 0 articles changed story" in rebuilt


def test_export_import_round_trip(run, tmp_path, sqlite_url, publisher):
    publisher.add("/a.xml", rss_feed("A", publisher.url("/"), []), content_type="application/rss+xml")
    run("feeds", "add", publisher.url("/a.xml"), database_url=sqlite_url, check=0)
    run("feeds", "import", "--starter", database_url=sqlite_url, check=0)
    exported = run("feeds", "export", database_url=sqlite_url, check=0).stdout
    (tmp_path / "subs.opml").write_text(exported)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    run("db", "upgrade", database_url=other, check=0)
    result = run("feeds", "import", str(tmp_path / "subs.opml"), database_url=other, check=0)
    assert "imported 7 feeds" in result.stdout


def test_starter_feeds_seed_only_once(run, sqlite_url):
    first = run("feeds", "import", "--starter", "--if-never-seeded", database_url=sqlite_url, check=0)
    assert "imported 6 feeds" in first.stdout
    run("feeds", "remove", "1", database_url=sqlite_url, check=0)
    second = run("feeds", "import", "--starter", "--if-never-seeded", database_url=sqlite_url, check=0)
    assert second.stdout == ""
    assert len(json.loads(run("feeds", "list", "--json", database_url=sqlite_url, check=0).stdout)) == 5


def test_bad_feeds_get_their_own_errors_and_never_stop_the_good_one(run, sqlite_url, publisher, tmp_path):
    from tests.support.benchdata import DEFUSEDXML_DATA, FEEDPARSER_TESTS

    publish_zyte_site(publisher, 2)
    bad = {
        "/empty.xml": ({"body": b"", "content_type": "application/rss+xml"}, "empty response"),
        "/page.xml": ({"body": b"<!doctype html><html><body>hi</body></html>"}, "HTML page"),
        "/garbage.xml": ({"body": b"\x00\x01 this is not xml", "content_type": "application/xml"}, "not a valid RSS"),
        "/huge.xml": ({"body": b"<rss>" + b" " * 3_000_000, "content_type": "application/xml"}, "byte limit"),
        "/slow.xml": ({"body": b"<rss>" + b" " * 20_000, "drip_delay": 0.5, "chunk_size": 2000}, "longer than"),
        "/bomb.xml": ({"body": (DEFUSEDXML_DATA / "xmlbomb.xml").read_bytes()}, "declares entities"),
        "/latin1.xml": ({"body": (FEEDPARSER_TESTS / "encoding" / "bozo_encoding_mismatch_crash.xml").read_bytes()}, None),
        "/gone.xml": ({"body": b"gone", "status": 410}, "HTTP 410"),
    }
    for path, (route, _) in bad.items():
        publisher.add(path, **route)
    run("feeds", "add", publisher.url("/feed.xml"), database_url=sqlite_url, check=0)
    # The bad ones in one OPML import, as a reader moving from another app brings them (a
    # process per feed would cost CI a second and a half each).
    outlines = "".join(f'<outline type="rss" text="{path}" xmlUrl="{publisher.url(path)}"/>' for path in bad)
    (tmp_path / "bad.opml").write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body>{outlines}</body></opml>')
    run("feeds", "import", str(tmp_path / "bad.opml"), database_url=sqlite_url, check=0)

    env_caps = ["--config", str(tmp_path / "caps.toml")]
    (tmp_path / "caps.toml").write_text("max_body_bytes = 2000000\ntotal_timeout = 2.0\n")
    report = run(*env_caps, "refresh", database_url=sqlite_url, check=0).stdout
    assert "updated" in report

    feeds = {feed["url"]: feed for feed in json.loads(run("feeds", "list", "--json", database_url=sqlite_url).stdout)}
    assert feeds[publisher.url("/feed.xml")]["entries"] == {"stored": 2}
    for path, (_, expected) in bad.items():
        if expected:
            assert expected in feeds[publisher.url(path)]["last_error"], (path, feeds[publisher.url(path)]["last_error"])

    # The good feed breaks later: nothing already stored is lost, nothing duplicated.
    publisher.add("/feed.xml", "down for maintenance", status=500)
    run(*env_caps, "refresh", database_url=sqlite_url, check=0)
    feeds = {feed["url"]: feed for feed in json.loads(run("feeds", "list", "--json", database_url=sqlite_url).stdout)}
    assert feeds[publisher.url("/feed.xml")]["entries"] == {"stored": 2}
    assert feeds[publisher.url("/feed.xml")]["last_error"] == "HTTP 500 Internal Server Error"
    assert json.loads(run("show", "2", "--json", database_url=sqlite_url, check=0).stdout)["id"] == 2


def test_eval_quotes_and_summaries_report_their_scores(run):
    from tests.support.benchdata import BENCHDATA

    quotes = json.loads(run("eval", "quotes", str(BENCHDATA / "quotes-polnear/data/dev"), "--limit", "5", "--json", check=0).stdout)
    assert quotes["articles"] == 5 and 0 < quotes["speakers"]["f1"] <= 1 and quotes["quotes"]["gold"] > 0
    summaries = json.loads(
        run("eval", "summaries", str(BENCHDATA / "summaries/summeval_cnndm100.jsonl"), "--limit", "3", "--json", check=0).stdout
    )
    assert [row["system"] for row in summaries] == ["LEAD-3", "newsloom"] and all(row["articles"] == 3 for row in summaries)


def test_eval_extraction_reports_both_extractors(run, tmp_path):
    from tests.support.benchdata import ZYTE

    result = json.loads(run("eval", "extraction", str(ZYTE), "--limit", "5", "--json", check=0).stdout)
    assert [row["extractor"] for row in result] == ["newsloom", "trafilatura"]
    assert all(row["pages"] == 5 and 0 < row["f1"] <= 1 for row in result)
    missing = run("eval", "extraction", str(tmp_path), check=2)
    assert "ground-truth.json" in missing.stderr


def test_sources_rules_relearn_and_forget(run, sqlite_url, publisher, tmp_path):
    from newsloom.services import Services
    from tests.conftest import make_settings
    from tests.support.site import publisher_page, seed_related_stories

    # The publisher's articles come in through the pipeline in this process: the commands
    # under test are `sources`, and a process per article would cost CI seconds each.
    services = Services(make_settings(tmp_path, sqlite_url))
    for number, (title, paragraphs) in enumerate(seed_related_stories() * 3):
        publisher.add(f"/s{number}", publisher_page(f"{title} ({number})", [f"Update {number}."] + paragraphs, "Other"))
        assert services.pipeline.ingest_page(publisher.url(f"/s{number}")).status == "stored"
    services.close()
    assert run("sources", "rules", "127.0.0.1", "--body", "[[[", database_url=sqlite_url, check=2).stderr.startswith(
        "error: invalid selector"
    )
    assert "no source with domain" in run("sources", "relearn", "nowhere.example", database_url=sqlite_url, check=2).stderr
    rules = run("sources", "rules", "127.0.0.1", "--drop", ".promo", "--drop", "//aside", database_url=sqlite_url, check=0)
    assert "drop .promo, //aside" in rules.stdout
    listed = json.loads(run("sources", "list", "--json", database_url=sqlite_url, check=0).stdout)
    assert listed[0]["domain"] == "127.0.0.1" and listed[0]["extraction"] == {"page": 6}
    assert listed[0]["learned_boilerplate"] >= 2 and listed[0]["drop_selectors"] == [".promo", "//aside"]
    shown = json.loads(run("sources", "show", "127.0.0.1", database_url=sqlite_url, check=0).stdout)
    assert any("Consider supporting the Kyiv Independent" in item["text"] for item in shown["learned"])
    assert "forgot" in run("sources", "forget", "127.0.0.1", database_url=sqlite_url, check=0).stdout
    assert "learned" in run("sources", "relearn", "127.0.0.1", database_url=sqlite_url, check=0).stdout
    cleared = run("sources", "rules", "127.0.0.1", "--clear", database_url=sqlite_url, check=0).stdout
    assert "body (extractor decides); drop (nothing)" in cleared


def test_pages_keeps_each_article_page_once(run, sqlite_url, publisher, tmp_path):
    from newsloom.services import Services
    from newsloom.store import PageRepository, read_kept_page
    from tests.conftest import make_settings
    from tests.web.conftest import ingest_pages

    services = Services(make_settings(tmp_path, sqlite_url))
    ids = ingest_pages(services, publisher, 3)
    assert run("pages", database_url=sqlite_url, check=0).stdout.strip() == "kept 3 article pages"
    assert all(f"/article/{i}/" in read_kept_page(services.database, i).path for i in ids)
    assert run("pages", database_url=sqlite_url, check=0).stdout.strip() == "kept 0 article pages"  # only missing ones
    with services.database.write() as session:  # one kept by an earlier release
        page = read_kept_page(services.database, ids[0])
        assert PageRepository(session).put(ids[0], page.path, "older", page.html, page.rendered_at, page.fresh_until)
    assert run("pages", database_url=sqlite_url, check=0).stdout.strip() == "kept 1 article pages"
    assert run("pages", "--all", database_url=sqlite_url, check=0).stdout.strip() == "kept 3 article pages"
    assert run("pages", "--drop", database_url=sqlite_url, check=0).stdout.strip() == "dropped 3 kept pages"
    off = run("pages", database_url=sqlite_url, env_extra={"NEWSLOOM_STORED_PAGE_MAX_SECONDS": "0"}, check=2)
    assert "pages are not kept" in off.stderr
    services.close()


def test_admin_create_sets_the_admin_and_refuses_weak_passwords(run, sqlite_url):
    password = {"NEWSLOOM_ADMIN_PASSWORD": "correct horse battery staple"}
    created = run("admin", "create", "editor", database_url=sqlite_url, env_extra=password, check=0)
    assert "created admin 'editor'" in created.stdout
    again = run("admin", "create", "editor", database_url=sqlite_url, env_extra=password, check=0)
    assert "updated admin 'editor'" in again.stdout
    weak = run("admin", "create", "editor", database_url=sqlite_url, env_extra={"NEWSLOOM_ADMIN_PASSWORD": "short"}, check=2)
    assert "a password has 10 to 1024 characters" in weak.stderr


def test_db_vectors_says_which_index_serves(run, database_url):
    from tests.conftest import postgres_pgvector

    result = run("db", "vectors", database_url=database_url, check=0)
    if database_url.startswith("sqlite"):
        assert result.stdout.startswith("usearch") and "SQLite" in result.stdout
        assert "needs PostgreSQL" in run("db", "vectors", "--enable", database_url=database_url, check=2).stderr
    elif postgres_pgvector():
        assert result.stdout.startswith("pgvector") and "0 article vectors" in result.stdout
        enabled = run("db", "vectors", "--enable", database_url=database_url, check=0)  # again: changes nothing
        assert "pgvector enabled; 0 article vectors copied" in enabled.stdout
    else:
        assert "no pgvector extension" in result.stdout
