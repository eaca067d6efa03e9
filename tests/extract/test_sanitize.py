"""Every XSS payload in ../shared/benchdata/security comes out inert."""

import re

import lxml.html
import pytest

from newsloom.extract import html_to_text, sanitize_html
from tests.support.benchdata import BENCHDATA

XSS_DIR = BENCHDATA / "security" / "payloadsallthethings" / "XSS Injection"


def xss_payloads():
    payloads = set()
    for path in XSS_DIR.rglob("*"):
        if path.is_file() and path.suffix in (".txt", ".md", ""):
            for line in path.read_text(errors="replace").splitlines():
                if "<" in line and len(line) < 2000:
                    payloads.add(line.strip())
    return sorted(payloads)


PAYLOADS = xss_payloads()
EVENT_ATTRIBUTE = re.compile(r"^on", re.IGNORECASE)


def test_corpus_is_large():
    assert len(PAYLOADS) > 500


def test_no_payload_survives_as_active_content():
    for payload in PAYLOADS:
        cleaned = sanitize_html(payload, base_url="https://publisher.example/a")
        if not cleaned:
            continue
        tree = lxml.html.fragment_fromstring(cleaned, create_parent="div")
        for element in tree.iter():
            assert element.tag not in ("script", "iframe", "object", "embed", "svg", "math", "style", "form"), payload
            for name, value in element.attrib.items():
                assert not EVENT_ATTRIBUTE.match(name), payload
                if name in ("href", "src"):
                    value = re.sub(r"[\t\n\r]", "", value).strip()  # as a browser's URL parser does
                    assert value.lower().startswith(("http://", "https://", "mailto:")), (payload, value)


@pytest.mark.parametrize(
    "dirty, clean",
    [
        ('<p onclick="x()">Hi <a href="javascript:alert(1)">link</a></p>', "<p>Hi <a rel=\"nofollow noopener noreferrer\">link</a></p>"),
        ('<img src="/pic.jpg" onerror="x()">', '<img src="https://publisher.example/pic.jpg">'),
        ("<script>alert(1)</script><p>kept</p>", "<p>kept</p>"),
        ('<a href="/story">rel</a>', '<a href="https://publisher.example/story" rel="nofollow noopener noreferrer">rel</a>'),
    ],
)
def test_examples(dirty, clean):
    assert sanitize_html(dirty, base_url="https://publisher.example/a/") == clean


def test_text_keeps_paragraphs_and_drops_markup():
    assert html_to_text("<p>One <b>bold</b> line.</p><ul><li>a</li><li>b</li></ul>x") == "One bold line.\na\nb\nx"
