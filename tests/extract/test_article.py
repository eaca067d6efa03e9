from newsloom.extract import extract_article, read_page_metadata
from newsloom.extract.metadata import is_plausible_site_name, source_name
from newsloom.store import ArticleRepository, SourceRepository
from tests.support.benchdata import NEWSPAPER_HTML, zyte_ground_truth, zyte_page, zyte_page_ids
from tests.support.site import article_page, seed_story


def test_real_page_extracts_text_and_metadata():
    result = extract_article((NEWSPAPER_HTML / "cnn_article.html").read_bytes(), "https://edition.cnn.com/x")
    assert result.ok and result.title.startswith("After storm")
    assert "We dodged a bullet" in result.text and result.published_at.year == 2013
    assert result.metadata.canonical_url.startswith("http://www.cnn.com/2013/11/27/")


def test_zyte_pages_recover_most_of_the_ground_truth():
    truth = zyte_ground_truth()
    recalls = []
    for page_id in zyte_page_ids(20):
        result = extract_article(zyte_page(page_id), truth[page_id]["url"])
        expected = set(truth[page_id]["articleBody"].split())
        recalls.append(len(expected & set(result.text.split())) / max(len(expected), 1))
    assert sum(recalls) / len(recalls) > 0.85


def test_seed_article_keeps_every_paragraph():
    title, paragraphs = seed_story()
    result = extract_article(article_page(title, paragraphs), "https://kyivindependent.com/x")
    assert result.ok
    for paragraph in paragraphs:
        if not paragraph.startswith(("Read also", "Sign up", "WTF")):
            assert paragraph in result.text


def test_short_pages_are_reported_not_hidden():
    result = extract_article("<html><body><article><p>Just one line.</p></article></body></html>", "https://x.example/")
    assert result.status in ("too_short", "failed") and result.reason


def test_garbage_never_raises():
    for junk in [b"", b"\x00\xff\xfe", b"<<<>>>", "<html>" * 1000]:
        result = extract_article(junk, "https://x.example/")
        assert result.status in ("failed", "too_short")


def test_syndication_metadata():
    html = """<html><head><meta name="original-source" content="https://kyivindependent.com/story">
    <script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
    "provider":{"@type":"Organization","name":"The Kyiv Independent"}}</script></head><body></body></html>"""
    metadata = read_page_metadata(html, "https://news.yahoo.com/story.html")
    assert metadata.original_url == "https://kyivindependent.com/story"
    assert metadata.original_publisher == "The Kyiv Independent"


def test_the_sites_name_as_readers_know_it():
    """Real pages: og:site_name "usatoday" and "nj" are slugs; the structured data's publisher
    or the domain reads better. A good og:site_name is kept even where the structured data
    names the wire agency that wrote the story. A name that is only the host's label ("Hosted"
    on hosted.ap.org) is a slug."""
    names = {}
    for page_id, page in zyte_ground_truth().items():
        host = page["url"].split("/")[2]
        if host in ("www.usatoday.com", "www.nj.com", "www.chron.com", "www.newsnation.in", "www.wsj.com", "hosted.ap.org"):
            names[host] = read_page_metadata(zyte_page(page_id), page["url"]).site_name
    assert names == {
        "www.usatoday.com": "USA TODAY",  # og:site_name "usatoday"
        "www.nj.com": "nj.com",  # og:site_name "nj", no publisher named
        "www.newsnation.in": "News Nation",  # og:site_name "https://www.newsnation.in"
        "www.chron.com": "Houston Chronicle",  # its structured data names "Associated Press"
        "www.wsj.com": "WSJ",
        "hosted.ap.org": "ap.org",  # og:site_name "Hosted", the host's own first label
    }
    assert read_page_metadata("<html><head></head><body></body></html>", "https://example.com/x").site_name is None


def test_a_source_is_listed_by_its_name_without_the_tagline():
    assert source_name("The Jerusalem Post | JPost.com") == "The Jerusalem Post"
    assert source_name("Autoracing | F1 | Indy | MotoGP | StockCar | NASCAR") == "Autoracing"
    assert source_name("Remember 80/90 - Memorabilia anni 80/90") == "Remember 80/90"
    assert source_name("Al-Bawaba") == "Al-Bawaba" and source_name("NBC 5 Dallas-Fort Worth") == "NBC 5 Dallas-Fort Worth"
    assert not is_plausible_site_name("Copyright 2014")  # trafilatura's site name for jaraguadosul.com.br
    assert not is_plausible_site_name("© Publisher") and is_plausible_site_name("Copyleft Media")


def test_a_source_named_by_a_slug_takes_the_better_name_of_its_next_page(services):
    """An earlier version named usatoday.com "usatoday", from its og:site_name."""
    page_id = next(key for key, page in zyte_ground_truth().items() if "usatoday.com" in page["url"])
    with services.database.write() as session:
        SourceRepository(session).get_or_create("usatoday.com", "usatoday")
    result = services.pipeline.ingest_page(zyte_ground_truth()[page_id]["url"], zyte_page(page_id))
    with services.database.read() as session:
        assert ArticleRepository(session).get(result.article_id).source.name == "USA TODAY"
