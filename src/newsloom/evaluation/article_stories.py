"""Story clustering on whole articles, as the product clusters them.

The Google News set (`stories.py`) has headlines only, but the product clusters each article by
the vector of its headline and body and by the names in its whole text. Here real pages of the
Zyte extraction benchmark (news of 18–20 November 2019 for the most part) go through the
article pipeline into a temporary SQLite database: extraction, cleaning and enrichment, as
`newsloom ingest` runs them. The stored articles then stream in publication order through the
same clustering as the headline evaluation, and B-cubed scores them against our own labels of
which pages report one event (`newsloom/data/zyte-stories.csv`, the page ids of the benchmark
and a story name; every other page is a story of its own). Pages without an embedding (not
English, or no text) cannot be clustered and are left out.
"""

from __future__ import annotations

import csv
import gzip
import json
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from newsloom.enrich.embeddings import DIMENSIONS
from newsloom.evaluation.stories import ClusteringScore, b_cubed
from newsloom.settings import Settings, model_cache_dir
from newsloom.stories.clustering import StoryClusterer, stream
from newsloom.stories.service import member_of


@dataclass(frozen=True)
class ArticleStories:
    score: ClusteringScore
    pages: int
    left_out: int  # pages not stored, or stored without an embedding
    predicted: dict[str, int]  # page id -> story id (a member's article id)


def load_labels(path: Path | None = None) -> dict[str, str]:
    """Page id -> story name, for the pages that share their story with another."""
    source = path.read_text("utf-8") if path else resources.files("newsloom.data").joinpath("zyte-stories.csv").read_text("utf-8")
    return {row["KEY"]: row["STORY"] for row in csv.DictReader(source.splitlines())}


def evaluate_articles(
    directory: Path, settings: Settings, labels: dict[str, str] | None = None, clusterer: StoryClusterer | None = None
) -> ArticleStories:
    """`directory` is the Zyte benchmark (ground-truth.json with each page's URL, html/*.html.gz);
    `settings` choose the models, as a worker's do; the database is a temporary one."""
    from newsloom.services import Services
    from newsloom.store import ArticleRepository, EnrichmentRepository
    from newsloom.store.migrate import upgrade
    from newsloom.store.records import StoryMember

    labels = load_labels() if labels is None else labels
    urls = {page_id: item["url"] for page_id, item in json.loads((directory / "ground-truth.json").read_text("utf-8")).items()}
    with tempfile.TemporaryDirectory(prefix="newsloom-eval-") as scratch:
        isolated = settings.model_copy(
            update={"data_dir": Path(scratch), "database_url": None, "model_cache_dir": model_cache_dir(settings)}
        )
        services = Services(isolated)
        try:
            upgrade(services.database.engine)
            stored: dict[int, str] = {}
            for page_id in sorted(urls):
                html = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
                result = services.pipeline.ingest_page(urls[page_id], html)
                if result.status == "stored" and result.article_id is not None:
                    services.enricher.enrich(result.article_id)
                    stored[result.article_id] = page_id
            outlines = []
            with services.database.read() as session:
                articles, enrichment = ArticleRepository(session), EnrichmentRepository(session)
                for article_id in stored:
                    article, vector = articles.get(article_id), enrichment.embedding(article_id)
                    if article is not None and vector:
                        entities = tuple(enrichment.entities(article_id))
                        outlines.append(StoryMember(article_id, article.title, article.sort_at, None, vector, entities))
        finally:
            services.close()
    outlines.sort(key=lambda outline: (outline.sort_at, stored[outline.article_id]))
    story_of = stream([member_of(outline) for outline in outlines], clusterer or StoryClusterer(), DIMENSIONS)
    predicted = {stored[article_id]: story for article_id, story in story_of.items()}
    truth = {page_id: labels.get(page_id, f"page:{page_id}") for page_id in predicted}
    return ArticleStories(b_cubed(predicted, truth), len(urls), len(urls) - len(predicted), predicted)
