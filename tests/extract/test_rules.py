import pytest

from newsloom.extract import extract_article
from newsloom.extract.rules import InvalidSelectorError, SourceRules, apply_rules, compile_selector
from newsloom.store import ArticleRepository, SourceRepository
from tests.support.site import seed_story

TITLE, PARAGRAPHS = seed_story()
STORY = [p for p in PARAGRAPHS if not p.startswith(("Read also", "Sign up", "WTF", "We've"))][:8]
DISTRACTION = ["This long reader letter is not the story. " * 12] * 6


def page(extra_class="story-body"):
    story = "".join(f"<p>{p}</p>" for p in STORY)
    letters = "".join(f"<p>{p}</p>" for p in DISTRACTION)
    return (
        f"<html><head><title>{TITLE}</title></head><body>"
        f"<div class='letters'><h2>Letters</h2>{letters}</div>"
        f"<div class='{extra_class}'>{story}<div class='promo'><p>Buy our mugs, twenty percent off this week only for readers.</p></div></div>"
        "</body></html>"
    )


def test_body_selector_and_drop_selectors_decide_what_is_extracted():
    rules = SourceRules(body_selector="div.story-body", drop_selectors=(".promo",))
    ruled = apply_rules(page(), rules)
    assert ruled.applied and ruled.dropped == 1 and ruled.reason is None
    text = extract_article(ruled.html, "https://site.example/a", min_chars=0).text
    assert all(paragraph in text for paragraph in STORY)
    assert "reader letter" not in text and "mugs" not in text


def test_xpath_selectors():
    rules = SourceRules(body_selector="//div[@class='story-body']", drop_selectors=("//div[@class='promo']",))
    text = extract_article(apply_rules(page(), rules).html, "https://site.example/a", min_chars=0).text
    assert STORY[0] in text and "mugs" not in text and "reader letter" not in text


def test_a_body_selector_that_matches_nothing_says_so():
    ruled = apply_rules(page(extra_class="renamed"), SourceRules(body_selector="div.story-body"))
    assert "matched nothing" in ruled.reason


@pytest.mark.parametrize("bad", ["[[[", "//div[", "", "div >> p"])
def test_invalid_selectors_are_refused(bad):
    with pytest.raises(InvalidSelectorError):
        compile_selector(bad)


def test_rules_run_in_the_pipeline_and_failures_show_per_article_and_source(services, publisher):
    publisher.add("/a", page())
    publisher.add("/b", page(extra_class="renamed"))
    with services.database.write() as session:
        source = SourceRepository(session).get_or_create("127.0.0.1")
        SourceRepository(session).set_rules(source.id, "div.story-body", [".promo"])
    good = services.pipeline.ingest_page(publisher.url("/a"))
    broken = services.pipeline.ingest_page(publisher.url("/b"))
    with services.database.read() as session:
        articles = ArticleRepository(session)
        assert "mugs" not in articles.get(good.article_id).text
        assert "matched nothing" in articles.get(broken.article_id).extraction_reason
        [health] = SourceRepository(session).list_with_health()
    assert health.body_selector == "div.story-body" and health.drop_selectors == [".promo"]
    assert sum(health.extraction.values()) == 2
