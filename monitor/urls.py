"""Canonical article URLs: one spelling per article, so nothing is fetched twice."""
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Tracking parameters that never change the article.
_DROP = ("utm_", "fbclid", "gclid", "ref", "amp")


def canonical(url: str) -> str:
    """Lower-case scheme and host, one percent-encoding (upper-case hex) of the path,
    no fragment, no tracking parameters.

    SOHR's Arabic slugs are seen with both %d8 and %D8 (research/sites.md), and
    Al-Modon links arrive decoded or encoded depending on the feed reader.
    """
    parts = urlsplit(url.strip())
    path = quote(unquote(parts.path), safe="/-._~!$&'()*+,;=:@%") or "/"
    query = "&".join(q for q in parts.query.split("&")
                     if q and not q.split("=")[0].lower().startswith(_DROP))
    host = parts.hostname or ""
    if parts.port and not (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host.lower(), path, query, ""))
