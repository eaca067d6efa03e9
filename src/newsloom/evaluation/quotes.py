"""Quote and speaker attribution measured on PolNeAR (brat standoff annotations).

PolNeAR marks every attribution: its content, its cue and its source (the mention of who
said it, often "he" or a surname). We score the direct quotations: attributions whose
content is at least half inside quotation marks.

- Quote: a predicted quote is right when it overlaps the content of a gold direct quote;
  recall counts the gold direct quotes that some prediction overlaps. A prediction that
  overlaps only an attribution that is not a direct quote (a paraphrase with a quoted
  phrase) is left out of both sides: the corpus calls it an attribution, just not one in
  this subset.
- Speaker: a predicted quote's speaker is right when its speaker mention overlaps the gold
  source span of the quote it matched; recall counts gold direct quotes (with a source) that
  get a right speaker.

Each article is scored against one annotator's file (the first by name), as PolNeAR has
some articles annotated twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newsloom.enrich.quotes import Quote

_QUOTED = re.compile(r"[“\"][^“”\"]+[”\"]")


@dataclass(frozen=True)
class GoldAttribution:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]] | None
    direct: bool


@dataclass(frozen=True)
class AnnotatedArticle:
    name: str
    text: str
    attributions: list[GoldAttribution]


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    predicted: int
    gold: int


@dataclass(frozen=True)
class QuoteScore:
    articles: int
    quotes: PRF
    speakers: PRF


def load_polnear(split_dir: Path) -> list[AnnotatedArticle]:
    """One split of PolNeAR: `text/NAME.txt` with `attributions/NAME_ANNOTATOR.ann`."""
    articles: dict[str, AnnotatedArticle] = {}
    for ann in sorted((split_dir / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        text_path = split_dir / "text" / f"{name}.txt"
        if name in articles or not text_path.exists():
            continue
        text = text_path.read_text("utf-8")
        articles[name] = AnnotatedArticle(name, text, _attributions(ann.read_text("utf-8"), text))
    return list(articles.values())


def _attributions(ann: str, text: str) -> list[GoldAttribution]:
    spans: dict[str, list[tuple[int, int]]] = {}
    relations = []
    for line in ann.splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or " " not in fields[1]:
            continue  # a malformed line in the corpus is skipped, not fatal
        if fields[0].startswith("T"):
            offsets = fields[1].split(" ", 1)[1]
            spans[fields[0]] = [(int(a), int(b)) for a, b in (part.split() for part in offsets.split(";"))]
        elif fields[0].startswith("E"):
            relations.append(dict(part.split(":", 1) for part in fields[1].split() if ":" in part))
    result = []
    for relation in relations:
        content = spans.get(relation.get("Content", ""))
        if not content:
            continue
        words = " ".join(text[a:b] for a, b in content).strip()
        quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(words))
        result.append(GoldAttribution(content, spans.get(relation.get("Source", "")), quoted >= 0.5 * len(words)))
    return result


def _overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < end and start < a[1] for start, end in spans)


def score(articles: list[AnnotatedArticle], predictions: list[list[Quote]]) -> QuoteScore:
    quote_tp = quote_predicted = speaker_tp_predicted = speaker_predicted = 0
    gold_direct = gold_quote_found = gold_with_source = gold_speaker_found = 0
    for article, quotes in zip(articles, predictions, strict=True):
        direct = [a for a in article.attributions if a.direct]
        other = [a for a in article.attributions if not a.direct]
        gold_hits: dict[int, list[Quote]] = {}
        for quote in quotes:
            span = (quote.start, quote.end)
            matches = [i for i, gold in enumerate(direct) if _overlaps(span, gold.content)]
            if not matches:
                if any(_overlaps(span, gold.content) for gold in other):
                    continue  # an attribution outside the direct-quote subset: not scored
                quote_predicted += 1
                speaker_predicted += 1
                continue
            quote_predicted += 1
            quote_tp += 1
            gold = direct[matches[0]]
            # A quotation its attribution interrupts is one quote here; PolNeAR sometimes annotates
            # its parts as two attributions, and the whole finds both.
            for match in matches:
                gold_hits.setdefault(match, []).append(quote)
            if gold.source is not None:
                speaker_predicted += 1
                speaker_tp_predicted += _overlaps((quote.speaker_start, quote.speaker_end), gold.source)
        gold_direct += len(direct)
        gold_quote_found += len(gold_hits)
        for index, gold in enumerate(direct):
            if gold.source is None:
                continue
            gold_with_source += 1
            gold_speaker_found += any(
                _overlaps((q.speaker_start, q.speaker_end), gold.source) for q in gold_hits.get(index, [])
            )
    return QuoteScore(
        len(articles),
        _prf(quote_tp, quote_predicted, gold_quote_found, gold_direct),
        _prf(speaker_tp_predicted, speaker_predicted, gold_speaker_found, gold_with_source),
    )


def _prf(true_predicted: int, predicted: int, found: int, gold: int) -> PRF:
    precision = true_predicted / predicted if predicted else 0.0
    recall = found / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1, predicted, gold)


def evaluate(articles: list[AnnotatedArticle], model=None) -> QuoteScore:  # type: ignore[no-untyped-def]
    from newsloom.enrich.nlp import SpacyModel
    from newsloom.enrich.quotes import quotes_in

    model = model or SpacyModel()
    return score(articles, [quotes_in(article.text, model) for article in articles])
