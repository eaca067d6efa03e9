"""OPML import and export (subscription lists from other readers)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring


class OPMLError(ValueError):
    pass


@dataclass(frozen=True)
class Subscription:
    url: str
    title: str | None = None
    site_url: str | None = None


def parse_opml(data: bytes) -> list[Subscription]:
    try:
        root = safe_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise OPMLError(f"unsafe OPML refused: {error}") from error
    except ElementTree.ParseError as error:
        raise OPMLError(f"not valid OPML: {error}") from error
    if root.tag.lower() != "opml":
        raise OPMLError(f"not OPML: root element is <{root.tag}>")
    subscriptions = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            title = outline.get("title") or outline.get("text")
            subscriptions.append(Subscription(url=url, title=title, site_url=outline.get("htmlUrl")))
    return list({sub.url: sub for sub in subscriptions}.values())


def render_opml(subscriptions: list[Subscription], title: str = "Newsloom subscriptions") -> str:
    opml = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(opml, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ElementTree.SubElement(opml, "body")
    for sub in subscriptions:
        attributes = {"type": "rss", "text": sub.title or sub.url, "title": sub.title or sub.url, "xmlUrl": sub.url}
        if sub.site_url:
            attributes["htmlUrl"] = sub.site_url
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(opml, encoding="unicode") + "\n"
