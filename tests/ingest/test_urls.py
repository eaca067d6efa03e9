import pytest

from newsloom.ingest.urls import canonicalize, domain_of, is_http_url, subdomain_labels


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTPS://WWW.Example.COM:443/a?utm_source=x&id=5&fbclid=y#frag", "https://www.example.com/a?id=5"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x?gclid=1&mc_cid=2&utm_campaign=z", "http://example.com:8080/x"),
        ("https://example.com/a?page=2&ref=home", "https://example.com/a?page=2&ref=home"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
    ],
)
def test_canonicalize_strips_tracking_only(raw, expected):
    assert canonicalize(raw) == expected


def test_domain_is_the_registrable_domain():
    assert domain_of("https://edition.cnn.com/2013/x") == "cnn.com"
    assert domain_of("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert domain_of("https://someone.blogspot.com/post") == "someone.blogspot.com"
    assert domain_of("http://127.0.0.1:8000/x") == "127.0.0.1"


def test_subdomain_labels_are_the_hosts_labels_before_its_registrable_domain():
    assert subdomain_labels("https://hosted.ap.org/berkshireeagle/article/1") == ["hosted"]
    assert subdomain_labels("https://www.bbc.co.uk/news") == [] and subdomain_labels("https://bbc.co.uk/") == []
    assert subdomain_labels("https://a.b.example.com/") == ["a", "b"]
    assert subdomain_labels("http://127.0.0.1:8000/x") == []


def test_is_http_url():
    assert is_http_url("https://x.example/feed") and not is_http_url("ftp://x") and not is_http_url("/relative")
