"""Enrichment (stage 6): what Newsloom adds under an article. Runs after extraction, as a job."""

from newsloom.enrich.related import RelatedArticle, RelatedFinder
from newsloom.enrich.service import Enricher, EnrichmentResult

__all__ = ["Enricher", "EnrichmentResult", "RelatedArticle", "RelatedFinder"]
