"""Headlines without the site's name: real titles of the Zyte pages, and the pipeline storing one."""

import pytest

from newsloom.extract.titles import without_site_name
from newsloom.store import ArticleRepository
from tests.support.benchdata import zyte_ground_truth, zyte_page


@pytest.mark.parametrize(
    "title, site_name, url, headline",
    [
        ("Best tech gadgets of 2019 | ZDNet", "ZDNet", "https://www.zdnet.com/article/best-tech-gadgets/", "Best tech gadgets of 2019"),
        # No og:site_name: the domain names the site.
        ("Sweden Drops Its Investigation Into Rape Allegation Against Julian Assange | Al Bawaba", None,
         "https://www.albawaba.com/news/x", "Sweden Drops Its Investigation Into Rape Allegation Against Julian Assange"),
        ("September 2018 open thread - The GiveWell Blog", None, "https://blog.givewell.org/2018/09/10/x", "September 2018 open thread"),
        ("Saraki, Melaye, Ben Bruce Drag IGP Idris to Court, Demand N500m - The Paradigm", None,
         "http://www.theparadigmng.com/2018/x", "Saraki, Melaye, Ben Bruce Drag IGP Idris to Court, Demand N500m"),
        ("NASA adds five companies to commercial lunar lander program - SpaceNews.com", None, "https://spacenews.com/x",
         "NASA adds five companies to commercial lunar lander program"),
        # The site's tagline after its name goes with it; a dash inside the headline stays.
        ("Remake serie animata per Netflix - Remember 80/90 - Memorabilia anni 80/90", "Remember 80/90 - Memorabilia anni 80/90",
         "http://www.remember8090.it/x", "Remake serie animata per Netflix"),
        ("Star Wars Jedi: Fallen Order review - shoots for the moon, lands among the stars - VG247", "VG247",
         "https://www.vg247.com/x", "Star Wars Jedi: Fallen Order review - shoots for the moon, lands among the stars"),
        # The site's name, with its own bar, in front.
        ("LinkNaija | Nigeria's popular news platform: Nollywood Actress, Kate Henshaw Is Looking Stunning In New Photos",
         "LinkNaija | Nigeria's popular news platform", "https://www.linknaija.com/x",
         "Nollywood Actress, Kate Henshaw Is Looking Stunning In New Photos"),
        ("BBC - Why the pound fell", None, "https://www.bbc.co.uk/news/x", "Why the pound fell"),
    ],
)  # fmt: skip
def test_the_sites_name_leaves_the_headline(title, site_name, url, headline):
    assert without_site_name(title, site_name, url) == headline


@pytest.mark.parametrize(
    "title, site_name, url",
    [
        ("Opinion | Republicans Are Following Trump to Nowhere", "The New York Times", "https://www.nytimes.com/2019/x"),
        ("Take C.A.R.E. - comwrap auf der DMEXCO 2018", "comwrap", "https://blog.comwrap.com/x"),  # not the site's name alone
        ("All-new 2020 Sentra is what we really want from Nissan PH - Auto News", None, "https://www.autoindustriya.com/x"),
        ("iPhone review - Apple", None, "https://www.applemagazine.com/x"),  # too short a name to match a domain's start
        ("ZDNet", "ZDNet", "https://www.zdnet.com/"),  # nothing would be left
        ("Pound falls - Co", None, "https://www.bbc.co.uk/x"),  # "co" is no site's name
        ("Anti-vax posts rise", "Example", "https://example.com/x"),  # a hyphen in a word is no separator
    ],
)  # fmt: skip
def test_other_parts_of_a_title_stay(title, site_name, url):
    assert without_site_name(title, site_name, url) == title


def test_a_stored_article_has_its_headline_without_the_sites_name(services):
    page_id = next(key for key, page in zyte_ground_truth().items() if "zdnet.com" in page["url"])
    result = services.pipeline.ingest_page(zyte_ground_truth()[page_id]["url"], zyte_page(page_id))
    with services.database.read() as session:
        assert ArticleRepository(session).get(result.article_id).title == "Best tech gadgets of 2019"

