"""URL normalisation shared by feeds, articles and publishers."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tld import get_fld

# Parameters that only say how a reader arrived; never part of an article's identity.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid", "li_fat_id",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "hsctatracking", "oly_anon_id", "oly_enc_id",
        "vero_id", "wickedid", "rb_clickid", "s_cid", "ref_src", "ref_url", "cmpid", "ocid", "smid",
        "smtyp", "sr_share", "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3",
        "at_custom4", "guccounter", "guce_referrer", "guce_referrer_sig", "ns_mchannel",
        "ns_source", "ns_campaign", "ns_linkname", "ns_fee",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "itm_")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    default_port = {"http": 80, "https": 443}.get(scheme)
    if parts.port and parts.port != default_port:
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)])
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def domain_of(url: str) -> str:
    """The publisher's registrable domain (edition.cnn.com -> cnn.com), else its bare host."""
    registrable = get_fld(url, fail_silently=True)
    if registrable:
        return registrable.lower()
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def subdomain_labels(url: str) -> list[str]:
    """The labels of the URL's host before its registrable domain, without "www": ["hosted"]
    for hosted.ap.org, ["edition"] for edition.cnn.com."""
    registrable = domain_of(url)
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    below = host.removesuffix(registrable) if host.endswith("." + registrable) else ""
    return [label for label in below.split(".") if label and label != "www"]


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
