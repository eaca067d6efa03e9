import pytest

from newsloom.enrich.sentences import split_sentences


def test_sentences_end_at_stops_but_not_at_abbreviations_or_initials():
    text = 'Mr. Smith met U.S. officials on Feb. 25 in Washington. "It went well," he said. Did it?\nJohn F. Kennedy spoke.'
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Mr. Smith met U.S. officials on Feb. 25 in Washington.",
        '"It went well," he said.',
        "Did it?",
        "John F. Kennedy spoke.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0, 0, 0, 1]


def test_empty_and_whitespace_text_has_no_sentences():
    assert split_sentences("") == [] and split_sentences("  \n\n ") == []


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("HAYWARD, Calif. (AP) — The Latest on a stabbing. More follows.", "The Latest on a stabbing."),
        ("(Reuters) — The New York State Attorney General is investigating WeWork.", "The New York State Attorney General is investigating WeWork."),
        ("ST. JOSEPH, Mich. (AP) — Michigan health authorities report a 6th death.", "Michigan health authorities report a 6th death."),
        ("Dekalb, Ill. — Mike Glass threw for three touchdowns.", "Mike Glass threw for three touchdowns."),
        ("BERLIN -- The European Space Agency says so.", "The European Space Agency says so."),
        ("NATO — the alliance — met on Monday.", "NATO — the alliance — met on Monday."),  # no sentence follows the dash
        ("The talks — in WASHINGTON — went on.", "The talks — in WASHINGTON — went on."),  # not at the start
    ],
)
def test_a_dateline_is_not_part_of_the_first_sentence(text, first):
    sentences = split_sentences(text)
    assert sentences[0].text == first and text[sentences[0].start : sentences[0].end] == first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # CNN pages: a kicker line, or a promotion, above the dateline.
        ("CNN\nWASHINGTON (CNN) — Not everyone makes a resolution.", ["CNN", "Not everyone makes a resolution."]),
        (
            "Are you in the storm? Please share your videos at iReport.\n(CNN) -- The official summed it up.",
            ["Are you in the storm?", "Please share your videos at iReport.", "The official summed it up."],
        ),
        # Below the first line only a wire's name makes a dateline.
        ("A kicker\nNATO — The alliance met on Monday.", ["A kicker", "NATO — The alliance met on Monday."]),
        # One dateline per text.
        ("(AP) — One.\n(AP) — Two more words.", ["One.", "(AP) — Two more words."]),
    ],
)
def test_a_dateline_below_a_kicker_is_cut_too(text, expected):
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_a_quotation_of_a_few_sentences_stays_one_unit():
    text = 'He said: "We will go. We will win." Then he left.\n“One. Two. Three. Four.” Done.\n"Open. Never closed.'
    assert [s.text for s in split_sentences(text)] == [
        'He said: "We will go. We will win."',  # a summary never shows half of it with one mark
        "Then he left.",
        "“One. Two. Three.",  # at most three sentences are held together
        "Four.”",
        "Done.",
        '"Open.',  # a quotation that does not close in its paragraph holds nothing
        "Never closed.",
    ]
