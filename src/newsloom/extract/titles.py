"""Headlines without the site's name that pages add to their title.

"Best tech gadgets of 2019 | ZDNet", "MacBook sale at Amazon from $700 - 9to5Mac",
"September 2018 open thread - The GiveWell Blog": the page's title ends (or opens) with the
site, sometimes with its tagline after it ("... - Remember 80/90 - Memorabilia anni 80/90").
Shown as the headline, and read by the recogniser, it is the publisher's furniture. A part
is the site's when it is the page's `og:site_name` or the name in its domain ("Al Bawaba" on
albawaba.com, "The Paradigm" on theparadigmng.com); other parts stay, so "Opinion | ..." and
"Take C.A.R.E. - comwrap auf der DMEXCO 2018" keep theirs.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from newsloom.extract.boilerplate import MIN_ARTICLES, MIN_REPEATS, TITLE_PART, normalize
from newsloom.extract.clean import clean_title
from newsloom.ingest.urls import domain_of, subdomain_labels
from newsloom.names import squashed
from newsloom.store.records import BoilerplateItem

# The separators titles put between the headline and the site: a bar, a dash or a dot with
# spaces around it (a hyphen inside a word is not one).
_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|·|::|»)\s+")
# Words a site's name may add to its domain's: "The GiveWell Blog" on blog.givewell.org.
_FILLER = frozenset({"the", "blog", "news", "online", "magazine", "com", "www"})
# Parts after the site's name: its tagline ("Memorabilia anni 80/90").
_TRAILING_PARTS_LOOKED_AT = 2
# A part that half a source's titles share is its name or tagline ("Auto News"), which no page
# metadata gave; a section label that some of its titles carry ("Opinion") stays.
TITLE_PART_MIN_SHARE = 0.5
TITLE_PART_MAX_WORDS = 6
# A domain that opens with the part's name is the site's when the part is at least this long:
# "theparadigmng" for "The Paradigm", not "applemagazine" for "Apple".
_MIN_PREFIX_CHARS = 6


def headline(title: str | None, site_name: str | None, url: str | None, fallback: str | None = None) -> str | None:
    """The page's title (else `fallback`, the feed's), cleaned, without the site's name."""
    cleaned = clean_title(title) or clean_title(fallback)
    return without_site_name(cleaned, site_name, url) if cleaned else None


def without_site_name(title: str, site_name: str | None, url: str | None) -> str:
    """`title` without its leading or trailing parts that name the site."""
    if site_name and _SEPARATOR.search(site_name):  # "LinkNaija | Nigeria's popular news platform: ..."
        title = _without_phrase(title, site_name)
    names = _site_names(site_name, url)
    if not names:
        return title
    separators = list(_SEPARATOR.finditer(title))
    if not separators:
        return title
    # The parts after the headline: the site's name, and any tagline after it.
    for separator in separators[-_TRAILING_PARTS_LOOKED_AT:]:
        following = _SEPARATOR.split(title[separator.end() :])[0]
        if _names_site(following, names) and separator.start() > 0:
            return title[: separator.start()]
    first = separators[0]
    if _names_site(title[: first.start()], names) and title[first.end() :].strip():
        return title[first.end() :]
    return title


def _without_phrase(title: str, site_name: str) -> str:
    """`title` without `site_name` written out whole at its start or end."""
    name = re.escape(" ".join(site_name.split())).replace(r"\ ", r"\s+")
    for pattern in (rf"^{name}(?:\s*:|{_SEPARATOR.pattern})", rf"{_SEPARATOR.pattern}{name}$"):
        cut = re.sub(pattern, "", title, count=1, flags=re.IGNORECASE)
        if cut != title and cut.strip():
            return cut.strip()
    return title


def _site_names(site_name: str | None, url: str | None) -> set[str]:
    """The names the site may go by: its declared name, its registrable domain ("spacenews.com",
    as some sites call themselves) and each label of its host before the public suffix
    ("blog", "givewell"; "bbc", not "co")."""
    names = {squashed(site_name)} if site_name else set()
    if url:
        registrable = domain_of(url)
        names.add(squashed(registrable))
        names |= {squashed(label) for label in [*subdomain_labels(url), registrable.partition(".")[0]]}
    return {name for name in names if len(name) >= 3}


def _names_site(part: str, names: set[str]) -> bool:
    whole = squashed(part)
    essential = squashed(" ".join(word for word in part.split() if word.casefold() not in _FILLER))
    if not whole:
        return False
    if whole in names or (essential and essential in names):
        return True
    return len(whole) >= _MIN_PREFIX_CHARS and any(name.startswith(whole) for name in names)


def learn_title_parts(titles: list[str]) -> list[BoilerplateItem]:
    """The leading or trailing parts that at least half of one source's `titles` share."""
    if len(titles) < MIN_ARTICLES:
        return []
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for title in titles:
        found = {normalize(part): part for part in _end_parts(title) if len(part.split()) <= TITLE_PART_MAX_WORDS}
        counts.update(found.keys())
        for key, part in found.items():
            examples.setdefault(key, part)
    needed = max(MIN_REPEATS, math.ceil(TITLE_PART_MIN_SHARE * len(titles)))
    return [BoilerplateItem(TITLE_PART, examples[key], count) for key, count in counts.items() if count >= needed]


def without_learned_parts(title: str, parts: frozenset[str]) -> str:
    """`title` without a leading or trailing part its source is known to repeat."""
    if not parts:
        return title
    separators = list(_SEPARATOR.finditer(title))
    if separators and normalize(title[separators[-1].end() :]) in parts:
        title = title[: separators[-1].start()]
        separators = separators[:-1]
    if separators and normalize(title[: separators[0].start()]) in parts:
        title = title[separators[0].end() :]
    return title


def _end_parts(title: str) -> list[str]:
    """The part before the first separator and the part after the last, when there is one."""
    separators = list(_SEPARATOR.finditer(title))
    if not separators:
        return []
    return [title[: separators[0].start()], title[separators[-1].end() :]]
