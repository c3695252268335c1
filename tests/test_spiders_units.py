"""The pure parts of crawling: bot-wall detection, charsets, feed and sitemap reading,
identities and canonical URLs. (The spiders themselves: test_spiders.py, test_hostile.py.)"""
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.extract import decode_html, extract
from monitor.urls import canonical
from spiders.formats import parse_feed, parse_sitemap, robots_sitemaps, url_date
from spiders.middlewares import _retry_after_seconds
from spiders.walls import bot_wall

AR = "قصفت القوات التركية قرية قرب تل تمر في ريف الحسكة الشمالي الغربي، وأفادت مصادر محلية بسقوط قذائف"
ARTICLE = f"<html><head><title>t</title></head><body><article><p>{AR}</p></article></body></html>".encode() * 3


@pytest.mark.parametrize("status, body, feed, why", [
    (403, b"<html>Forbidden</html>", False, "HTTP 403"),
    (406, b"", False, "HTTP 406"),
    (429, b"slow down", True, "HTTP 429"),
    (503, b"<html><title>Just a moment...</title></html>" + b" " * 500, False, "HTTP 503 with a bot challenge"),
    (200, b"<html><head><title>Just a moment...</title></head><body>" + b"x" * 900 + b"</body></html>", False, "challenge page"),
    (200, b"<script src='/cdn-cgi/challenge-platform/x.js'></script>" + b"x" * 900, True, "challenge page"),
    (200, b"<html><body>sgcaptcha</body></html>" + b"x" * 900, False, "challenge page"),
    (200, b"<html><body></body></html>", False, "suspiciously tiny page"),
    (200, b"<html><body></body></html>", True, "suspiciously tiny page"),
    (200, b"", True, "suspiciously tiny page"),
])
def test_bot_walls(status, body, feed, why):
    assert why in (bot_wall(status, body, expected_feed=feed) or "")


@pytest.mark.parametrize("status, body, feed", [
    (200, ARTICLE, False),
    (200, b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>', True),
    (200, b"User-agent: *\nDisallow: /wp-admin/\n", True),
    (404, b"<html>Not found</html>", False),          # gone, not walled
    (503, b"<html>Service Unavailable</html>", False),  # down, not walled
    (200, ARTICLE.replace(b"<p>", b"<p>How to solve a captcha, explained: "), False),
])
def test_not_bot_walls(status, body, feed):
    assert bot_wall(status, body, expected_feed=feed) is None


@pytest.mark.parametrize("body, header", [
    (f'<meta charset="windows-1256"><p>{AR}</p>'.encode("cp1256"), "text/html; charset=UTF-8"),
    (f"<p>{AR}</p>".encode("cp1256"), "text/html"),
    (f"<p>{AR}</p>".encode("cp1256"), None),
    (f"<p>{AR}</p>".encode("utf-8"), "text/html; charset=ISO-8859-1"),
    (f'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><p>{AR}</p>'.encode("cp1256"),
     "text/html; charset=windows-1252"),
    ("\ufeff".encode("utf-8") + f"<p>{AR}</p>".encode("utf-8"), "text/html; charset=cp1256"),
])
def test_arabic_decoded_whatever_the_charset_says(body, header):
    assert AR in decode_html(body, header)


def test_latin_pages_stay_latin():
    assert "crème brûlée" in decode_html("<p>café crème brûlée</p>".encode("latin-1"), "text/html; charset=iso-8859-1")


@pytest.mark.parametrize("meta, want", [
    ('<meta property="article:published_time" content="2024-03-18T11:00:00+03:00">', "2024-03-18T11:00:00+03:00"),
    ('<meta itemprop="datePublished" content="2024-03-19">', "2024-03-19"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-20T08:00:00Z"}</script>',
     "2024-03-20T08:00:00Z"),
    ("", "2024-03-21"),       # from the URL
])
def test_publication_date_from_the_page_else_the_url(meta, want):
    html = f"<html><head>{meta}<title>t</title></head><body><article>" + f"<p>{AR}</p>" * 4 + "</article></body></html>"
    assert extract(html, "https://www.almodon.com/politics/2024/03/21/x")["published_at"] == want


def test_atom_feed_and_rfc5005_next_page():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>t</title><link rel="next" href="https://ex.org/feed?page=2"/>
      <entry><title>A</title><link href="/news/a"/><published>2026-11-20T10:00:00+03:00</published></entry>
      <entry><title>B</title><link href="https://ex.org/news/b"/><updated>2026-11-21T10:00:00Z</updated></entry>
    </feed>"""
    feed = parse_feed(atom, "https://ex.org/feed")
    assert [(x.url, x.title, x.date) for x in feed.links] == [
        ("https://ex.org/news/a", "A", "2026-11-20T07:00:00+00:00"),
        ("https://ex.org/news/b", "B", "2026-11-21T10:00:00+00:00")]
    assert feed.next_url == "https://ex.org/feed?page=2" and feed.problem is None


def test_a_web_page_is_not_a_feed():
    assert not parse_feed(b"<!DOCTYPE html><html><body><p>Welcome</p></body></html>", "https://ex.org/").is_feed


def test_news_sitemap_dates_and_titles_and_robots_lines():
    xml = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://ex.org/1/</loc><news:news><news:publication_date>2026-11-24T09:00:00+03:00</news:publication_date>
      <news:title>T1</news:title></news:news></url><url><loc>https://ex.org/2/</loc><lastmod>2026-11-01</lastmod></url>
      <url><loc>https://ex.org/3/</loc></url></urlset>"""
    sm = parse_sitemap(xml)
    assert sm.kind == "urlset"
    assert [(x.url, x.title, x.date) for x in sm.links] == [
        ("https://ex.org/1/", "T1", "2026-11-24T09:00:00+03:00"), ("https://ex.org/2/", "", "2026-11-01"),
        ("https://ex.org/3/", "", None)]
    assert robots_sitemaps("User-agent: *\nSitemap: https://ex.org/a.xml\nsitemap:https://ex.org/b.xml\n") == [
        "https://ex.org/a.xml", "https://ex.org/b.xml"]


def test_gzipped_sitemap():
    import gzip
    xml = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://ex.org/s1.xml</loc></sitemap></sitemapindex>'
    assert parse_sitemap(gzip.compress(xml)).links[0].url == "https://ex.org/s1.xml"


@pytest.mark.parametrize("a, b", [
    ("https://www.syriahr.com/%d8%a7%d9%84/481744/", "https://www.syriahr.com/%D8%A7%D9%84/481744/"),
    ("https://www.syriahr.com/ال/481744/", "https://www.syriahr.com/%D8%A7%D9%84/481744/"),
    ("https://WWW.almodon.com/x?utm_source=rss&utm_medium=feed", "https://www.almodon.com/x"),
    ("https://ex.org/a?id=3&fbclid=abc#top", "https://ex.org/a?id=3"),
    ("https://ex.org:443/a", "https://ex.org/a"),
])
def test_canonical_spellings(a, b):
    assert canonical(a) == canonical(b) == b


def test_site_parameters_are_kept():
    assert canonical("https://ex.org/a?reference=7&p=2") == "https://ex.org/a?reference=7&p=2"


def test_sohr_identity_is_the_post_id():
    from spiders.sohr import SohrSpider
    identity = SohrSpider.identity
    assert identity(None, "https://www.syriahr.com/%D9%82%D8%B5%D9%81/596650/") == \
        identity(None, "https://www.syriahr.com/%D9%82%D8%B5%D9%81-%D8%AA%D8%B1%D9%83%D9%8A/596650/") == \
        "https://www.syriahr.com/?p=596650"
    assert identity(None, "https://www.syriahr.com/en/334978/") == "https://www.syriahr.com/en/?p=334978"


def test_url_dates_and_retry_after():
    assert url_date("https://www.almodon.com/politics/2024/12/10/x") == "2024-12-10T00:00:00+00:00"
    assert url_date("https://www.almodon.com/politics/26575731-1b58-425a-83ed-4d7a3f311701") is None
    assert _retry_after_seconds("120") == 120
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert _retry_after_seconds("soon") is None


def test_a_crawl_starts_without_loading_the_extensions_it_turns_off():
    """Scrapy imports every class EXTENSIONS names, even one set to None: RemoteControl
    (a code-running HTTP server) and its aiohttp cost 0.14 s of each crawl's start.
    A fresh interpreter, as a forked crawl starts: build the crawler as monitor.crawl does."""
    code = """
import sys
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
import spiders.settings
from spiders import SPIDERS
settings = Settings()
settings.setmodule(spiders.settings, priority="project")
crawler = CrawlerProcess(settings).create_crawler(SPIDERS["sohr"])
crawler._apply_settings()
names = {type(e).__name__ for e in crawler.extensions.middlewares}
print(sorted(names), "aiohttp" in sys.modules, "scrapy.extensions.remote_control" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    assert "CoreStats" in out and "RemoteControl" not in out and "MemoryUsage" not in out
    assert out.strip().endswith("False False"), out
