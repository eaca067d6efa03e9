"""Summary quality: ROUGE-1/2/L of our extractive summary beside LEAD-3, in one run.

The data is CNN/DailyMail test articles with their reference highlights (SummEval and
REALSumm, as released with BARTScore): JSON lines with `src` and `ref_summ`. Scores are
F-measures from Google's `rouge-score` (the ROUGE-1.5.5 reimplementation) with Porter
stemming, averaged over articles, as CNN/DailyMail results are usually reported: ROUGE-L is
the summary-level ROUGE-Lsum, one sentence per line. The original highlight is the
reference (SummEval's ten crowd-written extra references are not used), which is how
LEAD-3's usual 41.5/19.3/37.9 on this set comes about.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newsloom.enrich.sentences import Sentence, split_sentences

if TYPE_CHECKING:
    from newsloom.enrich.embeddings import MiniLmEmbedder

METRICS = ("rouge1", "rouge2", "rougeLsum")


@dataclass(frozen=True)
class SummaryCase:
    doc_id: str
    text: str
    reference: str


@dataclass(frozen=True)
class RougeScore:
    system: str
    articles: int
    rouge1: float
    rouge2: float
    rougeL: float


def load_cases(path: Path) -> list[SummaryCase]:
    cases = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(SummaryCase(row["doc_id"], row["src"], row["ref_summ"]))
    return cases


def score(name: str, cases: list[SummaryCase], summarize: Callable[[SummaryCase], list[Sentence]]) -> RougeScore:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    for case in cases:
        summary = "\n".join(s.text for s in summarize(case))
        reference = "\n".join(s.text for s in split_sentences(case.reference))
        result = scorer.score(reference, summary)
        for metric in METRICS:
            totals[metric] += result[metric].fmeasure
    n = max(len(cases), 1)
    return RougeScore(name, len(cases), *(100 * totals[m] / n for m in METRICS))


def lead3(case: SummaryCase) -> list[Sentence]:
    return split_sentences(case.text)[:3]


def evaluate(cases: list[SummaryCase], embedder: MiniLmEmbedder) -> list[RougeScore]:
    """LEAD-3 and Newsloom's summary, scored in the same run on the same sentences."""
    from newsloom.enrich.summary import digest

    def newsloom(case: SummaryCase) -> list[Sentence]:
        # The benchmark's articles come without headlines, so the centroid is the body's alone.
        return digest(split_sentences(case.text), None, embedder).summary

    return [score("LEAD-3", cases, lead3), score("newsloom", cases, newsloom)]
