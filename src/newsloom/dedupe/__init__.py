"""De-duplication beyond exact copies: near duplicates (syndication, wire copy) grouped under a primary."""

from newsloom.dedupe.fingerprints import signature
from newsloom.dedupe.near import NearDuplicateMatch, link_near_duplicate

__all__ = ["NearDuplicateMatch", "link_near_duplicate", "signature"]
