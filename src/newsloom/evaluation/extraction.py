"""Article-body extraction scored the way the Zyte article-extraction benchmark scores it.

Per page, texts become multisets of 4-token shingles (tokens are `\\w+` runs, case
kept; a text of fewer than 4 tokens is one shingle); true positives, false
positives and false negatives are the multiset overlap, normalised per page so
that every page weighs the same. Precision and recall are means over pages; F1 is
their harmonic mean; accuracy is the share of pages whose tokens match exactly.
The ± figures are standard deviations over bootstrap resamples of the pages.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from newsloom.extract import extract_article
from newsloom.extract.titles import headline
from newsloom.pipeline import clean_and_sanitize

TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4

Extractor = Callable[[bytes, str | None], str]


@dataclass(frozen=True)
class BenchmarkPage:
    page_id: str
    url: str | None
    html: bytes
    truth: str


@dataclass(frozen=True)
class PageMatch:
    tp: float
    fp: float
    fn: float
    exact: bool


@dataclass(frozen=True)
class ExtractionScore:
    extractor: str
    pages: int
    precision: float
    recall: float
    f1: float
    accuracy: float
    precision_std: float
    recall_std: float
    f1_std: float
    accuracy_std: float


def load_benchmark(directory: Path, limit: int | None = None) -> list[BenchmarkPage]:
    """The Zyte layout: ground-truth.json plus html/<id>.html.gz."""
    truth_file = directory / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(f"{truth_file} not found (expected the extraction benchmark layout)")
    truth = json.loads(truth_file.read_text())
    pages = []
    for page_id in sorted(truth)[:limit]:
        html_file = directory / "html" / f"{page_id}.html.gz"
        pages.append(
            BenchmarkPage(
                page_id=page_id,
                url=truth[page_id].get("url"),
                html=gzip.decompress(html_file.read_bytes()),
                truth=truth[page_id].get("articleBody", ""),
            )
        )
    return pages


def newsloom_text(html: bytes, url: str | None) -> str:
    """What Newsloom publishes: extraction, then the pipeline's clean and sanitize stages."""
    extraction = extract_article(html, url, min_chars=0)
    title = headline(extraction.title, extraction.metadata.site_name, url)
    _, text = clean_and_sanitize(extraction.body_html, url or "https://example.invalid/", title=title)
    return text


def trafilatura_text(html: bytes, url: str | None) -> str:
    """The baseline: plain trafilatura with its defaults, comments excluded."""
    return trafilatura.extract(html, url=url, include_comments=False) or ""


EXTRACTORS: dict[str, Extractor] = {"newsloom": newsloom_text, "trafilatura": trafilatura_text}


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    if len(tokens) < SHINGLE_SIZE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(len(tokens) - SHINGLE_SIZE + 1))


def match_page(truth: str, predicted: str) -> PageMatch:
    true_shingles, predicted_shingles = shingles(truth), shingles(predicted)
    tp = sum((true_shingles & predicted_shingles).values())
    fp = sum(predicted_shingles.values()) - tp
    fn = sum(true_shingles.values()) - tp
    total = tp + fp + fn
    exact = TOKEN.findall(truth) == TOKEN.findall(predicted)
    if total == 0:
        return PageMatch(0.0, 0.0, 0.0, exact)
    return PageMatch(tp / total, fp / total, fn / total, exact)


def _point_estimate(matches: list[PageMatch]) -> tuple[float, float, float, float]:
    precisions = [1.0 if m.fp == m.fn == 0 else m.tp / (m.tp + m.fp) for m in matches if m.tp + m.fp > 0]
    recalls = [1.0 if m.fp == m.fn == 0 else m.tp / (m.tp + m.fn) for m in matches if m.tp + m.fn > 0]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = statistics.fmean(m.exact for m in matches) if matches else 0.0
    return precision, recall, f1, accuracy


def score(extractor: str, matches: list[PageMatch], bootstrap: int = 1000, seed: int = 0) -> ExtractionScore:
    point = _point_estimate(matches)
    rng = random.Random(seed)
    samples = [_point_estimate(rng.choices(matches, k=len(matches))) for _ in range(bootstrap)]
    spread = [statistics.pstdev(column) for column in zip(*samples, strict=True)] if samples else [0.0] * 4
    return ExtractionScore(extractor, len(matches), *point, *spread)


def evaluate(pages: Iterable[BenchmarkPage], extractors: dict[str, Extractor]) -> list[ExtractionScore]:
    pages = list(pages)
    return [
        score(name, [match_page(page.truth, extract(page.html, page.url)) for page in pages])
        for name, extract in extractors.items()
    ]
