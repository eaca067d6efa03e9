"""Extraction: page -> main text and metadata, clean-up, and sanitizing."""

from newsloom.extract.article import ExtractionResult, extract_article
from newsloom.extract.clean import CleanedBody, clean_text, clean_title, strip_boilerplate
from newsloom.extract.metadata import PageMetadata, read_page_metadata
from newsloom.extract.sanitize import html_to_text, sanitize_html

__all__ = [
    "CleanedBody",
    "ExtractionResult",
    "PageMetadata",
    "clean_text",
    "clean_title",
    "extract_article",
    "html_to_text",
    "read_page_metadata",
    "sanitize_html",
    "strip_boilerplate",
]
