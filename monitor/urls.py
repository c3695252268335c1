"""Canonical article URLs: one spelling per article, so nothing is fetched twice."""
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Tracking parameters that never change the article: utm_* and these exact names (a
# prefix match would also drop a site's own ?reference= or ?amplitude=).
_DROP_PREFIX = "utm_"
_DROP = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "ref", "amp",
         "__twitter_impression"}


def canonical(url: str) -> str:
    """Lower-case scheme and host, one percent-encoding (upper-case hex) of the path,
    no fragment, no tracking parameters.

    SOHR's Arabic slugs are seen with both %d8 and %D8 (research/sites.md), and
    Al-Modon links arrive decoded or encoded depending on the feed reader.
    """
    parts = urlsplit(url.strip())
    path = quote(unquote(parts.path), safe="/-._~!$&'()*+,;=:@%") or "/"
    query = "&".join(q for q in parts.query.split("&") if q and not _tracking(q.split("=")[0].lower()))
    host = parts.hostname or ""
    if parts.port and not (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host.lower(), path, query, ""))


def _tracking(name: str) -> bool:
    return name.startswith(_DROP_PREFIX) or name in _DROP
