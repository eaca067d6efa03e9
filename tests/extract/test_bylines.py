"""Bylines as trafilatura reads them from the Zyte pages, and as readers see them."""

import pytest

from newsloom.extract import extract_article
from newsloom.extract.bylines import clean_byline
from tests.support.benchdata import zyte_ground_truth, zyte_page


@pytest.mark.parametrize(
    "author, outlets, byline",
    [
        ("LISA MASCARO; MARY CLARE JALONICK; ERIC TUCKER Associated Press", (), "Lisa Mascaro, Mary Clare Jalonick and Eric Tucker"),
        ("STEVE PEOPLES; AP National Political Writer", (), "Steve Peoples"),
        ("Paul Takahashi; Staff writer", (), "Paul Takahashi"),
        ("Tom Gillespie News reporter", (), "Tom Gillespie"),  # only desk words go with the job
        ("Phil Helsel is a reporter", (), "Phil Helsel"),
        ("Mike Wuerthele; Malcolm Owen Monday; November", (), "Mike Wuerthele and Malcolm Owen"),
        ("Ilana Muhlstein; MS; RDN", (), "Ilana Muhlstein"),
        ("Troy Smith; Troy L Smith; Cleveland com", ("cleveland.com",), "Troy Smith"),
        ("Jill Disis; CNN Business", ("CNN",), "Jill Disis"),
        ("Tanza Loudenback; Business Insider", ("businessinsider.com", "businessinsider"), "Tanza Loudenback"),
        ("Analysis by Chris Cillizza; CNN Editor-at-large", ("CNN",), "Chris Cillizza"),
        ("Cnnabis Smith", ("CNN",), "Cnnabis Smith"),  # an outlet's name opens words, not letters
        ("Condé Nast; Molly Wood", ("WIRED", "wired.com"), "Molly Wood"),  # the media group that owns the site
        ("REUTERS", (), "Reuters"),
        ("Associated Press", (), "The Associated Press"),
        ("PTI", (), "PTI"),  # an agency's initials keep their capitals
        ("Jdadmin", (), None),
        ("Staff Reports", (), None),
        ("JERUSALEM POST STAFF NOVEMBER", ("The Jerusalem Post",), None),
        ("", (), None),
    ],
)
def test_a_byline_names_the_people_who_wrote_the_article(author, outlets, byline):
    assert clean_byline(author, frozenset(outlets)) == byline


def test_an_extracted_article_carries_the_cleaned_byline():
    """AP's story as hosted.ap.org serves it, whose author field holds the names in capitals
    and the agency run on after them."""
    [(page_id, page)] = [(i, p) for i, p in zyte_ground_truth().items() if "unpredictable-sondland" in p["url"]]
    assert extract_article(zyte_page(page_id), page["url"]).author == "Lisa Mascaro, Mary Clare Jalonick and Eric Tucker"
