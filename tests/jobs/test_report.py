"""Retries and dead letters are visible: `newsloom jobs`, its JSON, and the admin's jobs page."""

import json
import os
import subprocess
import sys

from fastapi.testclient import TestClient

from newsloom.jobs import create_huey
from newsloom.jobs.report import jobs_report
from newsloom.web import create_app
from tests.ingest.test_refresh import subscribe
from tests.support.publisher import rss_feed
from tests.web.test_admin import PASSWORD, sign_in


def test_an_entry_is_shown_retrying_then_given_up(services, publisher):
    publisher.add("/down", "maintenance", status=503)
    publisher.add("/feed.xml", rss_feed("D", publisher.url("/"), [{"title": "Down", "link": publisher.url("/down")}]),
                  content_type="application/rss+xml")  # fmt: skip
    [entry_id] = services.refresher.refresh(subscribe(services, publisher.url("/feed.xml")).id).new_entry_ids
    depth = lambda: create_huey(services.settings).pending_count()  # noqa: E731

    services.pipeline.process_entry(entry_id)
    report = jobs_report(services.database, services.settings, depth)
    [retrying] = report.retrying
    assert retrying.entry_id == entry_id and retrying.attempts == 1 and retrying.next_attempt_at is not None
    assert report.failed == [] and report.entries_by_status == {"retry": 1} and report.queue == "sqlite: 0 waiting"

    for _ in range(services.settings.entry_max_attempts - 1):
        services.pipeline.process_entry(entry_id)
    report = jobs_report(services.database, services.settings, depth)
    [dead] = report.failed
    assert report.retrying == [] and dead.attempts == services.settings.entry_max_attempts and "HTTP 503" in dead.reason

    env = {**os.environ, "NEWSLOOM_DATABASE_URL": services.settings.database_url, "NEWSLOOM_DATA_DIR": str(services.settings.data_dir)}
    shown = subprocess.run([sys.executable, "-m", "newsloom", "jobs", "--json"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0, shown.stderr
    assert [item["entry_id"] for item in json.loads(shown.stdout)["failed"]] == [entry_id]

    app = create_app(services.settings, services.database)
    app.state.accounts.set_admin("editor", PASSWORD)
    with TestClient(app) as admin:
        sign_in(admin)
        page = admin.get("/admin/jobs").text
    assert "Given up (dead letters): 1 shown" in page and "HTTP 503" in page
