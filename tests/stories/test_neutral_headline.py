"""The headline a story is shown under: real headlines from the Zyte pages and Google News."""

from collections import Counter

import numpy as np
import pytest

from newsloom.stories.neutral_headline import headline_rank, voice_marks
from newsloom.stories.terms import headline_terms


@pytest.mark.parametrize(
    "title",
    [
        "Bubonic plague: Third case of plague in China as panic begins – ‘The plague is coming’",  # a quotation
        "'We Got Her!': Video Shows Dramatic Rescue of Kidnapped Girl",  # a quotation with its exclamation
        "Opinion | Is Football Violence a Crime?",
        "Why Beijing will bring slaughter to Hong Kong",  # a question without its mark
        "Home Depot Stock Is Falling After Its Earnings Release. Why You Shouldn’t Worry.",
        "All-new 2020 Sentra is what we really want from Nissan PH - Auto News",
        "16-inch MacBook Pro review: The keyboard is probably enough to convince those waiting",
        "The Guardian view on Hong Kong: a city on the brink | Editorial",
        "UPDATE 2-Mt. Gox files US bankruptcy, opponents call it a ruse",
        "BREAKING NEWS: Chelsea Activate £71.6m Release Clause",
        "Live updates: Sbarro files for bankruptcy",
        "Hong Kong chaos: China deploys troops and warns SURRENDER is only option",
    ],
)
def test_a_headline_in_one_outlets_voice_carries_a_mark(title):
    assert voice_marks(title) >= 1


@pytest.mark.parametrize(
    "title",
    [
        "Hunter in Beijing diagnosed with bubonic plague after eating a rabbit",
        # Apostrophes inside words are no quotation marks.
        "The Early Reviews For Google's Stadia Gaming Platform Are Here — And They're Not Great",
        "NASA’s commercial moon shot: Musk's and Bezos's firms to bid",
        "Trump’s Made-for-TV Trade War Keeps World Guessing",
        # A product named before a colon is no label; an acronym is no shout.
        "Apple Watch: new heart features arrive",
        "NASA Picks SpaceX, Blue Origin and More to Join Private Moon Lander Project",
        "Watchdog fines bank over outage",
        "ALL CAPS HEADLINE FROM A WIRE",  # a headline all in capitals shouts no word in particular
    ],
)
def test_a_headline_that_reports_carries_none(title):
    assert voice_marks(title) == 0


def test_the_labels_shout_counts_once():
    assert voice_marks("BREAKING NEWS: Chelsea Activate Release Clause") == 1
    assert voice_marks("'We Got Her!': Video Shows Dramatic Rescue of Kidnapped Girl") == 2


def _rank(title, vector, story_words, centroid):
    return headline_rank(title, headline_terms(title), vector, story_words, centroid)


def test_a_headline_without_marks_comes_first_even_when_its_article_is_less_central():
    titles = [
        "Bubonic plague: Third case of plague in China as panic begins – ‘The plague is coming’",
        "Hunter in Beijing diagnosed with bubonic plague after eating a rabbit",
        "Chinese hunter catches bubonic plague after eating wild rabbit",
    ]
    story_words = Counter(word for title in titles for word in headline_terms(title))
    centroid = np.array([1.0, 0.0])
    quoted = _rank(titles[0], np.array([1.0, 0.0]), story_words, centroid)  # the most central article
    plain = _rank(titles[1], np.array([0.6, 0.8]), story_words, centroid)
    assert plain > quoted


def test_among_plain_headlines_the_one_saying_what_the_others_say_comes_first():
    titles = [
        "Hunter in Beijing diagnosed with bubonic plague after eating a rabbit",
        "Chinese hunter catches bubonic plague after eating wild rabbit",
        "Three Cases of Plague Diagnosed in China",
        "Snooze cruise for a rodent expert",
    ]
    story_words = Counter(word for title in titles for word in headline_terms(title))
    vector = centroid = np.array([1.0, 0.0])  # equally central: the words decide
    ranks = {title: _rank(title, vector, story_words, centroid) for title in titles}
    assert max(ranks, key=ranks.__getitem__) == titles[0]
    assert min(ranks, key=ranks.__getitem__) == titles[3]
    # Equally worded, the more central article comes first.
    assert _rank(titles[2], np.array([0.9, 0.436]), story_words, centroid) < ranks[titles[2]]
