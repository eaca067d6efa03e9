"""Enrichment benchmark: entities and hashtags over real article texts.

Runs the NER wrapper, alias merging and hashtag choice (the CPU part of stage 6) on the
ground-truth bodies of ../shared/benchdata/extraction-zyte, and reports CPU milliseconds
per 1,000 words and the process's peak RSS with the model loaded. The baseline, in the
same run, is spaCy's tokenizer alone over the same texts (no tagger, parser or NER).

    .venv/bin/python bench/enrich.py
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsloom.enrich.entities import merge_mentions  # noqa: E402
from newsloom.enrich.hashtags import choose_hashtags  # noqa: E402
from newsloom.enrich.nlp import SpacyModel  # noqa: E402
from tests.support.benchdata import zyte_ground_truth  # noqa: E402


def main() -> None:
    texts = [page["articleBody"] for page in zyte_ground_truth().values() if page["articleBody"].strip()]
    words = sum(len(text.split()) for text in texts)
    ner = SpacyModel()
    ner.mentions("Warm-up so that loading the model is not timed.")

    started = time.process_time()
    for text in texts:
        choose_hashtags(merge_mentions(ner.mentions(text)), "", text)
    enrichment_cpu = time.process_time() - started

    tokenizer = ner._load().tokenizer
    started = time.process_time()
    for text in texts:
        tokenizer(text)
    tokenizer_cpu = time.process_time() - started

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "model": f"{ner.name} {ner.version}",
        "articles": len(texts),
        "words": words,
        "enrichment_cpu_ms_per_1000_words": round(enrichment_cpu * 1e6 / words, 1),
        "tokenizer_only_cpu_ms_per_1000_words": round(tokenizer_cpu * 1e6 / words, 1),
        "enrichment_over_tokenizer": round(enrichment_cpu / tokenizer_cpu, 1),
        "articles_per_cpu_second": round(len(texts) / enrichment_cpu, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
