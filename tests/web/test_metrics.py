"""Prometheus metrics: the installation's state from the database, this process's HTTP traffic."""

import re

from tests.web.conftest import ingest_pages


def sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if wanted else "") + r" ([0-9.e+-]+)$"
    match = re.search(pattern, text, re.M)
    assert match, f"{name} {labels} not in the metrics"
    return float(match.group(1))


def test_metrics_report_articles_feeds_fetches_and_traffic(client, services, publisher):
    ids = ingest_pages(services, publisher, 3)
    publisher.add("/broken.xml", "<html><body>not a feed</body></html>")
    feed = services.subscriptions.add(publisher.url("/broken.xml"), check=False).feed
    services.refresher.refresh(feed.id)
    for article_id in ids:
        client.get(f"/api/v1/articles/{article_id}")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert sample(text, "newsloom_articles") == 3
    assert sample(text, "newsloom_feeds", health="failing") == 1
    assert sample(text, "newsloom_fetches_last_hour", kind="article", outcome="ok") == 3
    assert sample(text, "newsloom_queue_depth") == 0
    # Routes are labelled by their template, so a million articles make one series, not a million.
    assert sample(text, "newsloom_http_requests_total", method="GET", route="/api/v1/articles/{article_id}", status="200") == 3
    assert "/api/v1/articles/1\"" not in text
