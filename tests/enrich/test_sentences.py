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
