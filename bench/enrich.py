"""Enrichment benchmark: the whole of stage 6 over real article texts.

Runs what the enrichment job computes for an article (entities, hashtags, quotes, summary,
key points, the article embedding: `Enricher._analyse`) on the English ground-truth bodies of
../shared/benchdata/extraction-zyte (other languages are skipped by the job). Reports CPU
milliseconds per 1,000 words for the whole and for each part alone, the whole's CPU for a
1,000-word article (the issue's unit: a line fitted through each article's words and CPU),
articles per second on two threads, and the process's peak RSS with both models loaded
(what a worker holds). The embedding model runs as the default settings run it: in 8-bit
integers on a CPU with VNNI or ARM's dot product, loaded from a kept file as a worker loads
it (derived first in a child process), else in float. For comparison it also times the
digest as computed before 2026-11-30 (every sentence through the transformer) and says how
often both choose the same sentences, and, where the default is integer, the enrichment with
the float model (`integer_embeddings = false`). The baseline, in the same run, is spaCy's
tokenizer alone.

    .venv/bin/python bench/enrich.py
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsloom.enrich.embeddings import MiniLmEmbedder  # noqa: E402
from newsloom.enrich.integer import integer_products_are_exact  # noqa: E402
from newsloom.enrich.nlp import SpacyModel  # noqa: E402
from newsloom.enrich.quotes import quotes_in  # noqa: E402
from newsloom.enrich.sentences import split_sentences  # noqa: E402
from newsloom.enrich.service import MAX_SENTENCES, Enricher  # noqa: E402
from newsloom.enrich.summary import (  # noqa: E402
    KEY_POINT_WEIGHTS,
    SUMMARY_SENTENCES,
    SUMMARY_WEIGHTS,
    candidates,
    choose,
    digest,
    key_point_count,
)
from newsloom.extract.language import article_language  # noqa: E402
from newsloom.settings import Settings  # noqa: E402
from tests.support.benchdata import zyte_ground_truth  # noqa: E402

# Articles longer than this are compared with reading every sentence (107 of the 161).
LONG_ARTICLE_SENTENCES = 20


def cpu_ms_per_1000_words(step, texts: list[str], words: int) -> float:  # type: ignore[no-untyped-def]
    started = time.process_time()
    for text in texts:
        step(text)
    return round((time.process_time() - started) * 1e6 / words, 1)


def timed_per_article(enricher: Enricher, titles: list[str], texts: list[str]) -> list[float]:
    """CPU seconds of the whole enrichment, one figure per article."""
    spent = []
    for title, text in zip(titles, texts, strict=True):
        started = time.process_time()
        enricher._analyse(title, text)
        spent.append(time.process_time() - started)
    return spent


def a_1000_word_article(texts: list[str], cpu_seconds: list[float]) -> dict[str, float]:
    """The issue's budget is per 1,000-word article, while the total above is per 1,000 words
    of a corpus whose articles are shorter on average; the digest's cost is nearly fixed per
    article, so the two differ. A least-squares line through (words, CPU) per article reads
    the cost at 1,000 words; the articles of 800 to 1,200 words check it."""
    words = np.array([len(text.split()) for text in texts], dtype=np.float64)
    ms = np.array(cpu_seconds) * 1000
    per_article, per_word = np.linalg.lstsq(np.vstack([np.ones_like(words), words]).T, ms, rcond=None)[0]
    near = (words >= 800) & (words <= 1200)
    return {
        "cpu_ms_fitted": round(float(per_article + 1000 * per_word), 1),
        "fixed_cpu_ms_per_article": round(float(per_article), 1),
        "cpu_ms_per_word": round(float(per_word), 3),
        "articles_of_800_to_1200_words": int(near.sum()),
        "their_cpu_ms_per_1000_words": round(float(ms[near].sum() / words[near].sum() * 1000), 1),
    }


def against_every_sentence(texts: list[str], embedder: MiniLmEmbedder) -> dict[str, float]:
    """How the digest compares with the same choice made over every sentence read by the
    transformer (the way before 2026-11-30), on the articles of more than `LONG_ARTICLE_SENTENCES` sentences
    (a fixed set, so that figures compare across changes to the lead and sample)."""
    agreement, same_summary, reach, full_reach = [], [], [], []
    for text in texts:
        sentences = split_sentences(text)[:MAX_SENTENCES]
        if len(sentences) <= LONG_ARTICLE_SENTENCES:
            continue
        title = text.split("\n", 1)[0][:200]
        vectors = embedder.embed([s.text for s in sentences] + [title])
        eligible = candidates(sentences)
        summary = choose(vectors[:-1], vectors[-1], eligible, SUMMARY_SENTENCES, SUMMARY_WEIGHTS)
        points = choose(vectors[:-1], vectors[-1], eligible, key_point_count(len(sentences)), KEY_POINT_WEIGHTS, frozenset(summary))
        chosen = digest(sentences, title, embedder)
        full_points = {sentences[i].start for i in points}
        agreement.append(len({s.start for s in chosen.key_points} & full_points) / max(len(full_points), 1))
        same_summary.append({s.start for s in chosen.summary} == {sentences[i].start for i in summary})
        reach.append(max((s.start for s in chosen.key_points), default=0) / len(text))
        full_reach.append(max(full_points, default=0) / len(text))
    return {
        "articles": len(agreement),
        "key_points_shared": round(statistics.mean(agreement), 3),
        "summary_identical": round(statistics.mean(same_summary), 3),
        "furthest_key_point_median": round(statistics.median(reach), 2),
        "furthest_key_point_median_every_sentence": round(statistics.median(full_reach), 2),
    }


def main() -> None:
    pages = [page for page in zyte_ground_truth().values() if article_language(page["articleBody"], None) == "en"]
    texts = [page["articleBody"] for page in pages]
    titles = [page["articleBody"].split("\n", 1)[0][:200] for page in pages]  # no headlines in the set: the first line stands in
    words = sum(len(text.split()) for text in texts)
    integer = Settings.model_fields["integer_embeddings"].default and integer_products_are_exact()
    kept = Path(tempfile.mkdtemp(prefix="newsloom-bench-models-"))
    atexit.register(shutil.rmtree, kept, True)
    nlp, embedder = SpacyModel(), default_embedder(kept)
    enricher = Enricher(database=None, nlp=nlp, embedder=embedder)  # type: ignore[arg-type]  # _analyse never touches it
    enricher._analyse("Warm-up", "Warm-up so that loading the models is not timed. “A quote to parse,” he said.")

    per_article = timed_per_article(enricher, titles, texts)
    total_cpu = sum(per_article)

    parts = {
        "entities": cpu_ms_per_1000_words(nlp.mentions, texts, words),
        "quotes (parser on quote paragraphs, given entities)": None,
        "summary, key points and vector (transformer on headline, lead and sample)": cpu_ms_per_1000_words(
            lambda t: digest(split_sentences(t)[:MAX_SENTENCES], t[:200], embedder), texts, words
        ),
        "transformer on every sentence (the digest before 2026-11-30)": cpu_ms_per_1000_words(
            lambda t: embedder.embed([s.text for s in split_sentences(t)]), texts, words
        ),
        "tokenizer only (baseline)": cpu_ms_per_1000_words(nlp._load().tokenizer, texts, words),
    }
    mentions = [nlp.mentions(text) for text in texts]
    started = time.process_time()
    for text, found in zip(texts, mentions, strict=True):
        quotes_in(text, nlp, found)
    parts["quotes (parser on quote paragraphs, given entities)"] = round((time.process_time() - started) * 1e6 / words, 1)

    threads = min(2, os.cpu_count() or 1)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(enricher._analyse, titles, texts))
    wall = time.perf_counter() - started

    total = total_cpu * 1e6 / words
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}",
        "models": f"{nlp.name} {nlp.version}; {embedder.name} {embedder.version}",
        "articles": len(texts),
        "words": words,
        "enrichment_cpu_ms_per_1000_words": round(total, 1),
        "a_1000_word_article": a_1000_word_article(texts, per_article),
        "parts_cpu_ms_per_1000_words": parts,
        "enrichment_over_tokenizer": round(total / parts["tokenizer only (baseline)"], 1),
        f"articles_per_second_on_{threads}_threads": round(len(texts) / wall, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "digest_against_every_sentence": against_every_sentence(texts, embedder),
    }
    # Last, after the peak RSS was read: it loads a second model.
    report["float_embeddings"] = (
        with_float_embeddings(nlp, titles, texts, words, embedder)
        if integer
        else {"skipped": "the default already runs in float: this CPU does not multiply 8-bit integers exactly"}
    )
    print(json.dumps(report, indent=2))


def default_embedder(cache_dir: Path) -> MiniLmEmbedder:
    """As a worker loads it: from the kept file, which a child process derives first so that
    deriving (about 2 s and 240 MiB at its peak, once per machine) is neither timed nor in the
    peak RSS."""
    code = "import sys; from newsloom.enrich.embeddings import MiniLmEmbedder; from newsloom.settings import Settings; "
    code += "MiniLmEmbedder.for_settings(Settings(model_cache_dir=sys.argv[1])).version"
    subprocess.run([sys.executable, "-c", code, str(cache_dir)], check=True, cwd=REPO)
    return MiniLmEmbedder.for_settings(Settings(model_cache_dir=cache_dir))


def with_float_embeddings(nlp, titles, texts, words, integer_embedder) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The same enrichment with the setting `integer_embeddings` off (`enrich/integer.py`)."""
    embedder = MiniLmEmbedder()
    enricher = Enricher(database=None, nlp=nlp, embedder=embedder)  # type: ignore[arg-type]
    enricher._analyse("Warm-up", "Warm-up so that loading the float model is not timed.")
    per_article = timed_per_article(enricher, titles, texts)
    total = sum(per_article) * 1e6 / words
    same = [
        [s.start for s in digest(split_sentences(t)[:MAX_SENTENCES], t[:200], model).summary]
        for t in texts for model in (integer_embedder, embedder)
    ]  # fmt: skip
    return {
        "model": embedder.version,
        "enrichment_cpu_ms_per_1000_words": round(total, 1),
        "a_1000_word_article": a_1000_word_article(texts, per_article),
        "summary, key points and vector": cpu_ms_per_1000_words(
            lambda t: digest(split_sentences(t)[:MAX_SENTENCES], t[:200], embedder), texts, words
        ),
        "summary_identical_to_integer": round(statistics.mean(a == b for a, b in zip(same[::2], same[1::2], strict=True)), 3),
    }


if __name__ == "__main__":
    main()
