"""Direct quotations and who said them.

For each quoted passage we look for a speech cue outside the quotation marks in the same
paragraph ("he added", "Rubio told", "according to Callum Fraser") and take the cue's
grammatical subject (or the object of "according to") as the speaker. A paragraph that is a
quotation and nothing else continues the quote before it. A pronoun or a bare surname is
resolved to the full name used earlier in the article, and the speaker's role comes from
the apposition or title the article gives that name ("Temur Umarov, a research fellow at
...", "energy security analyst Wojciech Jakóbik").

Only paragraphs that contain quotation marks are parsed, all in one batch, which keeps the
parser's cost to a small share of the article.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from newsloom.enrich.entities import ArticleEntity, merge_mentions
from newsloom.enrich.headlines import is_title_case
from newsloom.enrich.mentions import article_mentions
from newsloom.enrich.nlp import Mention

SPEECH_VERBS = frozenset(
    f"{stem}{ending}"
    for stem, endings in {
        "say": ("", "s", "ing"), "said": ("",), "tell": ("", "s", "ing"), "told": ("",),
        "add": ("", "s", "ed", "ing"), "explain": ("", "s", "ed", "ing"), "write": ("", "s"), "wrote": ("",),
        "writing": ("",), "ask": ("", "s", "ed"), "state": ("", "s", "d"), "note": ("", "s", "d"),
        "argue": ("", "s", "d"), "claim": ("", "s", "ed"), "insist": ("", "s", "ed"), "warn": ("", "s", "ed"),
        "declare": ("", "s", "d"), "continue": ("", "s", "d"), "recall": ("", "s", "ed"),
        "tweet": ("", "s", "ed"), "post": ("s", "ed"), "repl": ("y", "ies", "ied"), "respond": ("", "s", "ed"),
        "remark": ("", "s", "ed"), "joke": ("", "s", "d"), "quip": ("", "s", "ped"), "admit": ("", "s", "ted"),
        "acknowledge": ("", "s", "d"), "suggest": ("", "s", "ed"), "announce": ("", "s", "d"),
        "observe": ("", "s", "d"), "conclude": ("", "s", "d"), "emphasize": ("", "s", "d"), "stress": ("", "es", "ed"),
        "predict": ("", "s", "ed"), "urge": ("", "s", "d"), "shout": ("", "s", "ed"), "yell": ("", "s", "ed"),
        "reply": ("",), "recount": ("", "s", "ed"), "describe": ("", "s", "d"), "call": ("", "s", "ed", "ing"),
        "thank": ("", "s", "ed", "ing"), "answer": ("", "s", "ed"), "retort": ("", "s", "ed"),
        "retaliate": ("", "s", "d"), "proclaim": ("", "s", "ed", "ing"), "pledge": ("", "s", "d"), "pledging": ("",),
        "anticipate": ("", "s", "d"), "deride": ("", "s", "d"), "asking": ("",), "text": ("s", "ed"), "email": ("s", "ed"),
        "explaining": ("",), "adding": ("",), "noting": ("",), "arguing": ("",), "warning": ("",), "insisting": ("",),
        "declaring": ("",), "claiming": ("",), "telling": ("",),
        "testif": ("y", "ies", "ied"), "assert": ("", "s", "ed"), "contend": ("", "s", "ed"),
        "complain": ("", "s", "ed"), "charge": ("", "s", "d"), "vow": ("", "s", "ed"), "promise": ("", "s", "d"),
        "boast": ("", "s", "ed"), "mus": ("e", "es", "ed"), "confirm": ("", "s", "ed"), "den": ("y", "ies", "ied"),
        "reiterate": ("", "s", "d"), "exclaim": ("", "s", "ed"), "pointed": ("",), "point": ("", "s"),
        "speak": ("", "s"), "spoke": ("",), "read": ("", "s"), "scream": ("", "s", "ed"),
        "chant": ("", "s", "ed"), "cr": ("y", "ies", "ied"), "demand": ("", "s", "ed"), "tout": ("", "s", "ed"),
        "lament": ("", "s", "ed"), "mock": ("", "s", "ed"), "counter": ("", "s", "ed"), "offer": ("", "s", "ed"),
        "put": ("",), "summed": ("",), "thunder": ("", "s", "ed"), "wonder": ("", "s", "ed"),
        "dub": ("", "s", "bed"), "nickname": ("", "s", "d"), "label": ("", "s", "ed", "led"), "brand": ("", "s", "ed"),
        "term": ("", "s", "ed"),
    }.items()
    for ending in endings
)  # fmt: skip
# The cue of a quotation that is a name given by a passive verb: "it is called “farmer's lung”".
NAMING = "naming"
# Third-person pronouns resolve to a name; "I" and "we" are the writer or a group, kept as written.
PRONOUNS = frozenset({"he", "she", "they", "him", "her"})
_QUOTE = re.compile(r"“[^“”]+(?:”|$)|\"[^\"]+(?:\"|$)", re.MULTILINE)
# How far from a quotation an unlisted verb may stand and still introduce it.
ADJACENT_TOKENS = 4
# Shorter quotations ("Really," she added) count only with their own cue, never by continuation.
MIN_QUOTE_WORDS = 3
TITLE_NOUNS = frozenset(
    "analyst secretary president minister senator sen. spokesman spokeswoman spokesperson director chief official "
    "economist professor lead fellow adviser advisor ambassador governor gov. candidate nominee leader chairman "
    "chairwoman ceo founder expert researcher correspondent editor commentator strategist pollster lawyer attorney "
    "judge general commander mayor representative rep. manager host anchor actress actor singer author historian "
    "scientist envoy diplomat officer head member activist organizer chair speaker".split()
)
# A quotation right after these is a name, not anyone's words: the hacker known as “Guccifer”,
# "the term often used is “bird fancier's lung”".
_NAME_BEFORE = re.compile(
    r"\b(?:known\s+as|so-called|nickname\s+of|the\s+(?:term|phrase|word|name|nickname)(?:\s+\w+){0,3}\s+(?:is|was))\s*\Z",
    re.IGNORECASE,
)
# A possessive, not "he's" (he is): before a title-case quotation, it names a show, a book or a
# slogan ("NBC's “Meet the Press”"); before lower case, it is someone's words ("Sanders' “passion”").
_POSSESSIVE_BEFORE = re.compile(r"(?<![\w'’])(?!(?:he|she|it|that|there|what|who|here|where)['’])[\w.&-]+(?:['’]s|s['’])\s*\Z", re.IGNORECASE)
# A title-case quotation right after the kind of work it is names that work: his book “Musicophilia”.
_WORK_BEFORE = re.compile(
    r"\b(?:book|novel|memoir|film|movie|documentary|song|album|single|show|series|sitcom|play|musical|opera|"
    r"podcast|episode|poem|essay|painting|exhibition|game)\s*\Z",
    re.IGNORECASE,
)
# Title-case quotations in brackets, alone or listed, are titles: a filmmaker's (“The Discovery,” “The One I Love”).
_TITLES_IN_BRACKETS = re.compile(r"\((?:\s*[“\"][^”\"()]*[”\"]\s*[,;]?)*\s*\Z")
# The characters before a quotation that those two read: enough for "the term often used is", and
# bounded, so a paragraph of thousands of quotations is not read again for each.
_NAME_REACH = 80
# Verbs that give a name; passive or as a participle ("cameras dubbed “Hebron Smart City”") they
# name a thing, and no one speaks.
NAMING_VERBS = frozenset({"called", "dubbed", "nicknamed", "labeled", "labelled", "branded", "termed"})
# Between the two parts of an interrupted quotation: its attribution alone (", he said, ").
_INTERRUPTION = re.compile(r"[”\"]\s*[^.!?;,“”\"\n]{1,60},\s*[“\"]")
# Up to five words that end just before a name, looked for within this many characters before it.
_WORDS_BEFORE = re.compile(r"((?:[\w.’'-]+\s){1,5})\Z")
_TITLE_REACH = 200
# A role worth showing is a phrase, not a clause: "a research fellow at ...", "Russia team lead at ...".
_ROLE_AFTER_NAME = r",\s+(?P<role>(?:an?|the|former|chief|senior|deputy|[A-Z][\w.-]*)\s[^,;:“”\"]{2,160}?)(?:,|\.|\s+(?:told|said|says|wrote|added))"


@dataclass(frozen=True)
class Quote:
    text: str
    start: int  # offsets into the analysed text, quotation marks excluded
    end: int
    speaker: str  # the name it resolves to ("Temur Umarov" for "he")
    speaker_start: int  # the mention in the text that names the speaker ("he")
    speaker_end: int
    affiliation: str | None
    cue: str | None  # "added", "according to", ":" after an introduction, None when continuing the quote before


@dataclass
class _Speaker:
    name: str
    start: int
    end: int


def find_quotes(
    text: str,
    parse_all: Callable[[list[str]], list],
    entities: list[ArticleEntity],
    person_positions: list[tuple[int, str]],
) -> list[Quote]:
    """Quotes with speakers, in reading order.

    `parse_all` turns paragraphs into spaCy Docs, in order; `entities` are the article's
    merged entities and `person_positions` the (offset, name) of every person mention, for
    resolving pronouns and surnames.
    """
    paragraphs = [_Paragraph(start, paragraph, _quoted_spans(paragraph)) for start, paragraph in _paragraphs(text)]
    quoted = [(p.start + s, p.start + e) for p in paragraphs for s, e, _ in p.spans]
    resolver = _NameResolver(text, entities, person_positions, quoted)
    docs = _parsed(paragraphs, parse_all)
    quotes: list[Quote] = []
    previous: _Speaker | None = None

    def speaker_at(offset: int, first: int, last: int, recent: _Speaker | None) -> _Speaker:
        mention = text[offset + first : offset + last]
        return _Speaker(resolver.resolve(offset + first, mention, recent.name if recent else None), offset + first, offset + last)

    for index, paragraph in enumerate(paragraphs):
        if not paragraph.quotes:
            previous = None
            continue
        start, said = paragraph.start, paragraph.said
        # A paragraph that is all quotation continues the speaker before it, or the one the
        # narrative paragraph before it introduces ("In a 1963 speech, he declared:").
        inherited = None
        if paragraph.is_all_quotation:
            inherited = previous
            if inherited is None and _follows_narrative(paragraphs, index):
                introduced = _introducer(docs[index - 1])
                inherited = speaker_at(paragraphs[index - 1].start, *introduced, None) if introduced else None
        for quote_start, quote_end, quote_text in said:
            found = _speaker_for(docs[index], paragraph.text, paragraph.spans, said, quote_start, quote_end)
            cue = None
            if found is not None and found[2] == NAMING:
                continue  # “pigeon breeder's lung”, as "it is called": a name, not anyone's words
            if found is not None:
                speaker_start, speaker_end, cue = found
                inherited = speaker_at(start, speaker_start, speaker_end, inherited or previous)
            elif len(quote_text.split()) < MIN_QUOTE_WORDS:
                continue  # a scare quote or a single word: only with a cue of its own
            if inherited is None:
                continue
            quote = Quote(
                quote_text, start + quote_start, start + quote_end, inherited.name, inherited.start, inherited.end,
                resolver.role(inherited.name), cue,
            )  # fmt: skip
            if quotes and _interrupted(text, quotes[-1], quote):
                quote = _rejoined(quotes.pop(), quote)
            quotes.append(quote)
        previous = inherited
    return quotes


class _Paragraph:
    """A line of the text with its quotations: those that are someone's words, whether they
    make it a quoting paragraph, and whether it is all quotation."""

    def __init__(self, start: int, text: str, spans: list[tuple[int, int, str]]) -> None:
        self.start, self.text, self.spans = start, text, spans
        # NBC's “Meet the Press”, the hacker known as “Guccifer”: names and titles, no one's words.
        self.said = [span for span in spans if not _names_a_thing(text[max(0, span[0] - 1 - _NAME_REACH) : span[0] - 1], span[2])]
        self.quotes = any(len(words.split()) >= MIN_QUOTE_WORDS for _, _, words in self.said)
        self.is_all_quotation = self.quotes and _is_whole_paragraph(text, spans)


def _parsed(paragraphs: list[_Paragraph], parse_all: Callable[[list[str]], list]) -> dict[int, object]:
    """The Docs the quote finder reads, by paragraph index, parsed in one batch (a batch costs
    the parser half of what the same paragraphs cost one call each): every paragraph that
    quotes, and the narrative paragraph before one that is all quotation."""
    wanted = sorted(
        {i for i, p in enumerate(paragraphs) if p.quotes}
        | {i - 1 for i, p in enumerate(paragraphs) if p.is_all_quotation and _follows_narrative(paragraphs, i)}
    )
    return dict(zip(wanted, parse_all([paragraphs[i].text for i in wanted]), strict=True))


def _follows_narrative(paragraphs: list[_Paragraph], index: int) -> bool:
    return index > 0 and not paragraphs[index - 1].quotes


def _interrupted(text: str, before: Quote, after: Quote) -> bool:
    """“So,” Alito declared, “I take it ...”: one quotation that its attribution interrupts."""
    return (
        before.speaker == after.speaker
        and text[before.start : before.end].rstrip().endswith(",")
        and _INTERRUPTION.fullmatch(text, before.end, after.start) is not None
    )


def _rejoined(before: Quote, after: Quote) -> Quote:
    cued = before if before.cue else after  # the part whose cue names the speaker
    return replace(
        before, text=f"{before.text}, {after.text}", end=after.end, cue=cued.cue,
        speaker_start=cued.speaker_start, speaker_end=cued.speaker_end,
    )


def _names_a_thing(before: str, quote_text: str) -> bool:
    """The hacker known as “Guccifer”, ABC's “Good Morning America”, his book “Musicophilia”,
    filmmaker Charlie McDowell (“The Discovery,” “The One I Love”): a name or a title."""
    if _NAME_BEFORE.search(before):
        return True
    titled = quote_text[:1].isupper() and is_title_case(quote_text, min_words=0)
    return titled and bool(_POSSESSIVE_BEFORE.search(before) or _WORK_BEFORE.search(before) or _TITLES_IN_BRACKETS.search(before))


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1


def _quoted_spans(paragraph: str) -> list[tuple[int, int, str]]:
    """(start, end, text) inside the marks; an unclosed quote runs to the paragraph's end."""
    spans = []
    if "“" not in paragraph:
        # A paragraph in straight marks with a curly closing one among them ("And I asked, on
        # whose authority?” said Hill. "And he said ..."): pairing the straight ones alone ran the
        # first quotation on into the second.
        paragraph = paragraph.replace("”", '"')
    for match in _QUOTE.finditer(paragraph):
        start, end = match.start() + 1, match.end()
        if paragraph[end - 1 : end] in ("”", '"') and end - 1 >= start:
            end -= 1
        inner = paragraph[start:end].strip()
        if inner:
            spans.append((start, end, inner.rstrip(",")))
    return spans


def _is_whole_paragraph(paragraph: str, spans: list[tuple[int, int, str]]) -> bool:
    quoted = sum(end - start for start, end, _ in spans)
    return quoted >= 0.9 * len(paragraph.strip())


def _speaker_for(doc, text: str, spans, said, quote_start: int, quote_end: int) -> tuple[int, int, str] | None:  # type: ignore[no-untyped-def]
    """The speaker mention (start, end) and cue nearest to this quote, outside any quotation;
    the cue is NAMING when the nearest speech verb names the quotation instead of saying it.
    The cue lies between the quotations `said` around it; a title between does not bound it.
    `text` is the doc's text, passed in: spaCy joins the tokens again on every read of it."""
    inside = [(s - 1, e + 1) for s, e, _ in spans]  # in order, never overlapping
    starts = [s for s, _ in inside]

    def outside(token) -> bool:  # type: ignore[no-untyped-def]
        # A token may run on past the closing mark ("paranoia,”Clinton said"): it is outside.
        last = bisect_right(starts, token.idx) - 1
        return last < 0 or token.idx + len(token.text) > inside[last][1]

    # The frame: text between the neighbouring quotations, where this quote's cue must be.
    # A quotation too short to stand alone (the usual “ums”) needs a cue of its own, never one across a title.
    bounds = spans if len(text[quote_start:quote_end].split()) < MIN_QUOTE_WORDS else said
    left = max([e + 1 for s, e, _ in bounds if e <= quote_start - 1] + [0])
    right = min([s - 1 for s, e, _ in bounds if s >= quote_end + 1] + [len(text)])
    candidates = []
    for token in _tokens_starting(doc, left, right):
        if not outside(token):
            continue
        word = token.lower_
        if word == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            found = _object_of_according_to(doc[token.i + 1])
            if found is not None:
                candidates.append((token, found, "according to"))
        elif word in SPEECH_VERBS and token.pos_ in ("VERB", "AUX", "NOUN"):
            if _names_or_passive(token):
                if token.idx < quote_start and not text[token.idx + len(token.text) : quote_start - 1].strip():
                    return 0, 0, NAMING  # called “...”: a name, whatever cue stands nearby
                continue
            found = _subject_of(token, outside)
            if found is not None:
                candidates.append((token, found, word))
    if not candidates:
        before = text[left:quote_start - 1].rstrip()
        if before.endswith(":"):
            introduced = _colon_speaker(doc, left + len(before) - 1)
            if introduced is not None:
                return introduced[0], introduced[1], ":"
        return _adjacent_speaker(doc, quote_start, quote_end, outside)

    def distance(candidate) -> int:  # type: ignore[no-untyped-def]
        token = candidate[0]
        return quote_start - token.idx if token.idx < quote_start else token.idx - quote_end

    _, found, cue = min(candidates, key=distance)
    _, first, last = found
    start, end = first.idx, last.idx + len(last.text)
    start = max([start] + [e for s, e in inside if s <= start < e])  # "Clinton", not "paranoia,”Clinton"
    start += len(text[start:end]) - len(text[start:end].lstrip())
    return (start, end, cue) if start < end else None  # according to “Perfect Enough”: a title, no speaker


def _introducer(doc) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """Who the paragraph ends up speaking about: its colon's clause, else its last speech verb's subject."""
    text = doc.text.rstrip()
    if text.endswith(":"):
        return _colon_speaker(doc, len(text) - 1)
    for token in reversed(doc):
        if token.lower_ in SPEECH_VERBS and token.pos_ in ("VERB", "AUX"):
            found = _subject_of(token)
            if found is not None:
                return found[1].idx, found[2].idx + len(found[2].text)
    return None


def _colon_speaker(doc, colon: int) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """Who introduces a quotation with a colon: "Carl Bialik:", "Trump reportedly yelling:",
    "in the words of the patient:"."""
    tokens = [t for t in doc if t.idx < colon]
    if not tokens:
        return None
    token = tokens[-1]
    words_of = _WORDS_OF.search(doc.text, 0, colon)
    if words_of is not None:
        return words_of.start(1), words_of.end(1)
    if token.pos_ == "PROPN":
        _, first, last = _phrase(token)
        return first.idx, last.idx + len(last.text)
    # The nearest clause around the colon that has a subject, not the sentence's main one.
    for _ in range(6):
        found = _subject_of(token) if token.pos_ in ("VERB", "AUX") else None
        if found is not None:
            if found[0].lower_ in _NO_ONE:  # "Here are some of the highlights:", "how bad things got:"
                return None
            return found[1].idx, found[2].idx + len(found[2].text)
        if token.head.i == token.i:
            break
        token = token.head
    return None


def _adjacent_speaker(doc, quote_start: int, quote_end: int, outside) -> tuple[int, int, str] | None:  # type: ignore[no-untyped-def]
    """A verb we do not list, right against the quote, with a person for subject:
    "“France will always be France,” an angry Hollande shot back." """
    after = itertools.islice((t for t in _tokens_starting(doc, quote_end, doc[-1].idx + len(doc[-1])) if outside(t)), ADJACENT_TOKENS)
    before = itertools.islice((t for t in reversed(_tokens_starting(doc, 0, quote_start)) if outside(t)), ADJACENT_TOKENS)
    for token in itertools.chain(after, before):
        if token.pos_ == "VERB":
            found = _subject_of(token, outside)
            if found is not None and (found[0].pos_ == "PROPN" or found[0].lower_ in PRONOUNS):
                return found[1].idx, found[2].idx + len(found[2].text), token.lower_
    return None


def _tokens_starting(doc, start: int, end: int):  # type: ignore[no-untyped-def]
    """The tokens that start at a character in [start, end), found without reading the whole
    doc: a paragraph may hold thousands of quotations, each looking only near itself."""
    span = doc.char_span(start, end, alignment_mode="expand") if start < end else None
    return [token for token in span if start <= token.idx < end] if span is not None else []


def _names_or_passive(verb) -> bool:  # type: ignore[no-untyped-def]
    """A speech verb whose subject is not who speaks: passive without an agent ("it is called
    “pigeon breeder's lung”", "what's called “farmer's lung”", "he was told") or a name given in
    passing ("a sample came in called “Glasgow”")."""
    if any(child.dep_ == "agent" for child in verb.children):
        return False
    naming = verb.lower_ in NAMING_VERBS
    # "He's said" is "he has said", which the parser often reads as passive.
    passive = [c for c in verb.children if c.dep_ == "auxpass" and (naming or c.lower_ not in ("'s", "’s"))]
    return bool(passive) or (naming and verb.dep_ == "acl")


def _subject_of(verb, allowed=lambda token: True):  # type: ignore[no-untyped-def]
    """The subject noun phrase of a speech verb, climbing through "saying" and relative "who";
    `allowed` rules out subjects (those inside a quotation)."""
    for _ in range(3):
        for child in verb.children:
            if child.dep_ == "agent":  # "was asked by host Bill Maher": the asker speaks
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return _phrase(objects[0])
        # The nearest allowed subject before the verb: a quotation's last word ("“Or Ferguson,”
        # Trump said") or the verb's object ("Buser tells The Hollywood Reporter") is sometimes
        # parsed as a second one.
        for child in sorted(verb.children, key=lambda c: (c.i > verb.i, abs(c.i - verb.i))):
            if child.dep_ in ("nsubj", "nsubjpass") and allowed(child):
                if child.lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                    antecedent = _antecedent(verb.head)  # “ahs” that plague lawyers: no one speaks
                    return antecedent if allowed(antecedent[0]) else None
                return _phrase(child)
        if verb.tag_ == "VBG" and verb.dep_ == "advcl" and _reported_clause(verb.head):
            verb = verb.head.head  # "Smith said the talks would go on, adding:" adds Smith's words, not the talks'
        elif verb.dep_ in ("advcl", "xcomp", "conj", "relcl") and verb.head.i != verb.i:
            verb = verb.head
        elif verb.dep_ == "pcomp" and verb.head.head.i != verb.head.i:  # "distanced himself by saying"
            verb = verb.head.head
        else:
            return None
    return None


def _reported_clause(verb) -> bool:  # type: ignore[no-untyped-def]
    """The clause a speech verb before it reports: "said [the talks would go on]"."""
    return verb.dep_ == "ccomp" and verb.head.lower_ in SPEECH_VERBS and verb.head.i < verb.i


def _antecedent(head):  # type: ignore[no-untyped-def]
    """What a relative clause's subject stands for: "the website, which contains ..." is the
    website; in "Jane Doe was among those who spoke", Jane Doe."""
    if head.pos_ == "PRON" and head.dep_ == "pobj" and head.head.lower_ == "among":
        clause = head.head.head
        subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return _phrase(subjects[0])
    return _phrase(head)


def _object_of_according_to(to):  # type: ignore[no-untyped-def]
    for child in to.children:
        if child.dep_ == "pobj":
            return _phrase(child)
    return None


def _phrase(head):  # type: ignore[no-untyped-def]
    """The mention: the head noun and everything before it in its phrase, never what follows
    (appositions and relative clauses: "Temur Umarov, a research fellow ..." is "Temur Umarov")."""
    doc, first = head.doc, head.left_edge
    if any(t.text in ",;:" for t in doc[first.i : head.i]):  # a left edge over a comma is a parse slip
        first = head
        while first.i > 0 and doc[first.i - 1].dep_ in _MODIFIERS and doc[first.i - 1].head.i >= first.i:
            first = doc[first.i - 1]
    while first.i < head.i and first.is_punct:  # "“Tomorrow ...,\" Patrol Chief James Hall said"
        first = doc[first.i + 1]
    return head, first, head  # (head, first token, last token): the mention ends at its head


_MODIFIERS = frozenset({"compound", "amod", "det", "poss", "nmod", "flat"})
# "in the words of the patient:", "in her own words:" before a quotation's colon.
_WORDS_OF = re.compile(r"\b(?:in|In)\s+(?:the|his|her|their)\s+(?:own\s+)?words\s+of\s+([^,;:.“”\"]{2,80}?)\s*\Z")
# Subjects of a clause before a colon that name no one who could be speaking.
_NO_ONE = frozenset({"some", "things", "thing", "here", "this", "these", "those", "what", "there", "highlights", "all"})
_RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})


class _NameResolver:
    """Pronouns and surnames to the full names the article introduced; roles from appositions."""

    def __init__(
        self, text: str, entities: list[ArticleEntity], person_positions: list[tuple[int, str]],
        quoted: Sequence[tuple[int, int]] = (),
    ) -> None:  # fmt: skip
        """`quoted`: the (start, end) of every quotation; a person named inside one, or in a
        quoted title ("the “Melvin and Howard” star"), is no one a pronoun outside stands for."""
        self.text = text
        self.people = [e for e in entities if e.kind == "person"]
        self.organisations = [e for e in entities if e.kind == "organization"]
        inside_quotation = _within_any(quoted)
        named = person_positions + self._surnames_missed(person_positions)
        self.positions = sorted((position, name) for position, name in named if not inside_quotation(position))
        self._roles: dict[str, str | None] = {}
        self._genders: dict[str, str | None] = {}
        self._speaking_organisations: list[tuple[int, str]] | None = None

    def resolve(self, offset: int, mention: str, recent_speaker: str | None = None) -> str:
        """`recent_speaker`: who spoke last; "he added" most often means them."""
        words = mention.split()
        if len(words) == 1 and words[0].casefold() == "it":
            return self._thing_before(offset, recent_speaker) or mention
        if len(words) == 1 and words[0].casefold() in PRONOUNS:
            wanted = _PRONOUN_GENDER.get(words[0].casefold())
            if recent_speaker and recent_speaker.casefold() not in PRONOUNS and self._gender(recent_speaker) in (wanted, None) \
                    and (wanted is None or not self._is_thing(recent_speaker)):  # "she" is no agency; "they" may be
                return recent_speaker
            earlier = [self._full(name) for position, name in self.positions if position < offset]
            for name in reversed(earlier):
                if wanted is None or self._gender(name) in (wanted, None):
                    return name
            return mention
        for entity in self.people + self.organisations:
            if mention in entity.aliases or mention == entity.name:
                return entity.name
        if len(words) == 1:  # a surname the recogniser missed this time: the one person it fits
            fitting = [e for e in self.people if e.name.split()[-1] == words[0]]
            if len(fitting) == 1:
                return fitting[0].name
        for entity in self.people:
            # "Mr. Obama", "Sen. Ted Cruz", "White House press secretary Josh Earnest"
            if any(alias in mention for alias in entity.aliases if len(alias) > 2):
                return entity.name
        return self._named_after_title(offset + len(mention), mention) or mention

    def _surnames_missed(self, person_positions: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Where the text names a known person by surname and the recogniser did not tag it
        ("Steenburgen wasn't thrilled" after "Mary Steenburgen"): a mention all the same, so
        that "she said" after it means her, not someone named further back."""
        unique = _unique_surnames(self.people)
        if not unique:
            return []
        inside_a_name = _within_any([(position, position + len(name)) for position, name in person_positions])
        pattern = r"\b(?:" + "|".join(re.escape(surname) for surname in sorted(unique, key=len, reverse=True)) + r")\b"
        return [
            (match.start(), unique[match.group(0)])
            for match in re.finditer(pattern, self.text)
            if not inside_a_name(match.start())  # the recogniser found this one
        ]

    def _thing_before(self, offset: int, recent_speaker: str | None) -> str | None:
        """What "it added" stands for: the last speaker when that was no person ("the statement",
        an agency), else the organisation that last said something ("the Swedish Prosecution
        Authority said ...") within a few paragraphs. Any organisation named last would be
        wrong about half the time (the recogniser's organisations include "GOP" in "GOP debate")."""
        if recent_speaker and self._is_thing(recent_speaker):
            return recent_speaker
        if self._speaking_organisations is None:
            self._speaking_organisations = sorted(
                (match.start(), entity.name)
                for entity in self.organisations
                for alias in entity.aliases | {entity.name}
                for match in re.finditer(r"\b" + re.escape(alias) + r"\b", self.text)
                if set(_WORDS_AFTER.match(self.text, match.end()).group(0).lower().split()) & SPEECH_VERBS
            )
        last = bisect_left(self._speaking_organisations, (offset, "")) - 1
        if last >= 0 and offset - self._speaking_organisations[last][0] <= _IT_REACH:
            return self._speaking_organisations[last][1]
        return None

    def _is_thing(self, name: str) -> bool:
        words = name.split()
        if any(name == e.name or name in e.aliases for e in self.people):
            return False  # the recogniser calls some people organisations elsewhere in the text
        if any(name == e.name for e in self.organisations):
            return True
        return (
            words[-1].casefold() not in TITLE_NOUNS | PRONOUNS | _PEOPLE_NOUNS
            # "the statement", "A report"; a capitalised name may be a person the recogniser missed
            and (words[0][:1].islower() or words[0].casefold() in ("the", "a", "an"))
        )

    def _named_after_title(self, end: int, mention: str) -> str | None:
        """The person a title names a few words on: in "Former United States Special Envoy for
        Ukraine and Russia Keith Kellogg was ..., saying" the parser makes the title the subject
        and hangs the name off it; "the spokesman, John Kirby, said" likewise."""
        last_word = mention.split()[-1].casefold() if mention.split() else ""
        if last_word not in TITLE_NOUNS and last_word not in _RELATIONS:
            return None
        following = bisect_left(self.positions, (end, ""))  # the first person named after the title
        if following == len(self.positions):
            return None
        position, name = self.positions[following]
        gap = self.text[end:position]
        words = gap.replace(",", " ").split()
        if len(words) > _TITLE_TO_NAME_WORDS or gap.count(",") > 1 or re.search(r"[.;:!?\"“”\n]", gap):
            return None
        if not all(word[0].isupper() or word in _TITLE_CONNECTORS for word in words):
            return None  # a verb or a clause between: "the minister said, thanking engineer Jane Doe"
        if last_word not in TITLE_NOUNS and words:
            return None  # a relation names its person right after a comma: "an aide to President Bush" is not Bush
        full = self._full(name)
        if last_word in TITLE_NOUNS and not self._roles.get(full):  # the title is the role: "Former ... Envoy for Ukraine and Russia"
            self._roles[full] = self.text[end - len(mention) : position].strip(" ,")
        return full

    def _gender(self, name: str) -> str | None:
        """What the article's pronouns after the name say; None when it does not tell."""
        if name not in self._genders:
            votes = {"m": 0, "f": 0}
            entity = next((e for e in self.people if e.name == name), None)
            for alias in entity.aliases if entity else {name}:
                for match in re.finditer(re.escape(alias), self.text):
                    if self.text[max(0, match.start() - 5) : match.start()].strip() in ("Mr.", "Mr"):
                        votes["m"] += 2
                    elif self.text[max(0, match.start() - 5) : match.start()].strip() in ("Ms.", "Mrs.", "Ms", "Mrs"):
                        votes["f"] += 2
                    for pronoun in re.findall(r"\b(he|his|him|she|her)\b", self.text[match.end() : match.end() + 120], re.I)[:2]:
                        votes[_PRONOUN_GENDER[pronoun.casefold()]] += 1
            self._genders[name] = None if votes["m"] == votes["f"] else max(votes, key=votes.__getitem__)
        return self._genders[name]

    def _full(self, name: str) -> str:
        for entity in self.people:
            if name in entity.aliases or name == entity.name:
                return entity.name
        return name

    def role(self, name: str) -> str | None:
        if name not in self._roles:
            self._roles[name] = self._find_role(name)
        return self._roles[name]

    def _names_someone(self, phrase: str) -> bool:
        """Whether the phrase after a name holds another person's full name: "Like Instagram head
        Adam Mosseri, Twitter CEO Jack Dorsey has spoken out" gives Mosseri no role."""
        return any(" " in person.name and person.name in phrase for person in self.people)

    def _find_role(self, name: str) -> str | None:
        if len(name.split()) < 2:
            return None
        after = re.search(re.escape(name) + _ROLE_AFTER_NAME, self.text)
        if after and _is_role(after.group("role")) and not self._names_someone(after.group("role")):
            return after.group("role").strip()
        # A title in front of the name: "energy security analyst Wojciech Jakóbik". The name is
        # found first and only the words just before it are read: a pattern that starts with
        # the words would be tried at every position of the text, once per speaker.
        for occurrence in re.finditer(re.escape(name) + r"\b", self.text):
            before = _WORDS_BEFORE.search(self.text, max(0, occurrence.start() - _TITLE_REACH), occurrence.start())
            words = before.group(1).split() if before else []
            if not words or words[-1].casefold() not in TITLE_NOUNS:
                continue
            kept: list[str] = []
            for word in reversed(words):
                if word.casefold() in _NOT_IN_TITLES or word.endswith((",", ".")) and word.casefold() not in TITLE_NOUNS:
                    break
                kept.insert(0, word)
            if kept and kept[-1].casefold() in TITLE_NOUNS:
                return " ".join(kept)
        return None


def _within_any(spans: Iterable[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether a position falls in one of these (start, end) spans, which never overlap."""
    ordered = sorted(spans)
    starts = [start for start, _ in ordered]

    def within(position: int) -> bool:
        last = bisect_right(starts, position) - 1
        return last >= 0 and position < ordered[last][1]

    return within


def _unique_surnames(people: list[ArticleEntity]) -> dict[str, str]:
    """Surname -> full name, for the people whose surname no one else in the article shares."""
    by_surname: dict[str, list[str]] = defaultdict(list)
    for person in people:
        words = person.name.split()
        if len(words) > 1 and len(words[-1]) > 2:
            by_surname[words[-1]].append(person.name)
    return {surname: names[0] for surname, names in by_surname.items() if len(names) == 1}


# Speakers that "it" never stands for, beside titles and pronouns.
# Who someone is to someone else: "his predecessor, Fiona Hill, said" is Fiona Hill, though
# "his predecessor" is no role to show beside her name.
_RELATIONS = frozenset("predecessor successor wife husband son daughter mother father brother sister friend colleague".split())
_PEOPLE_NOUNS = _RELATIONS | frozenset(
    "i we you man woman men women person people resident residents witness witnesses source sources friends "
    "neighbor neighbour victim student teacher doctor nurse worker fan fans user users insider protester protesters".split()
)
# The words after an organisation's name where its speech verb would be: "said", "has said", "also told".
_WORDS_AFTER = re.compile(r"(?:[\s,]+[\w’']+){0,3}")
# How far back (characters) an organisation may be named and still be what "it said" means.
_IT_REACH = 1_000
# At most this many words between a title and the name it introduces ("for Ukraine and Russia").
_TITLE_TO_NAME_WORDS = 5
# The only lower-case words a title's own phrase holds before the name: "Envoy for Ukraine and Russia".
_TITLE_CONNECTORS = frozenset({"for", "of", "and", "the", "to", "at", "in", "on"})
_PRONOUN_GENDER = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}
# Words that end a title read backwards from a name: "the odyssey of how Oscar-winning actress
# Mary Steenburgen came to ..." gives "Oscar-winning actress".
_NOT_IN_TITLES = frozenset(
    "a an the and or but said says told to by with that as from in on at he she they it his her their is was who "
    "whom whose which what how why where when after before while if than like unlike "
    # A time before the title is no part of it: "Last week State Department official David Holmes".
    "week weekend month year yesterday today tonight morning afternoon evening night earlier meanwhile "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def _is_role(phrase: str) -> bool:
    """A phrase after a name that opens with a capital is a role only with a title in it
    ("Russia team lead at ..."); else it goes on a list of names ("Big Machine, Braun and The
    Carlyle Group")."""
    return not phrase[:1].isupper() or any(word.casefold().strip(".,()") in TITLE_NOUNS for word in phrase.split())


def quotes_in(text: str, model, mentions: list[Mention] | None = None, entities: list[ArticleEntity] | None = None) -> list[Quote]:  # type: ignore[no-untyped-def]
    """Quotes of a text with a SpacyModel; pass the text's `mentions` and merged `entities`
    when they are already computed."""
    mentions = article_mentions(model, text) if mentions is None else mentions
    entities = merge_mentions(mentions) if entities is None else entities
    # Where people are named, as the merged entities see them: a name the recogniser once took
    # for a person but the article's entities do not ("posted on Twitter") is no one "she" means.
    named_people = {alias for entity in entities if entity.kind == "person" for alias in entity.aliases}
    people = [(m.start_char, m.text) for m in mentions if m.label == "PERSON" and " ".join(m.text.split()) in named_people]
    return find_quotes(text, model.parse_all, entities, people)
