"""Spiders over real HTTP on 127.0.0.1: conditional GET, compression, backfill from the
archives, the generic feed/sitemap/listing spiders configured in YAML alone (config.yaml's
examples and the README's), and their config errors."""
import re
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import yaml

from conftest import ROOT, monitor, report, rows, sources_config, statuses, write_config
from monitor.mirror import Mirror

sys.path.insert(0, str(ROOT / "seeds"))
import build_mirror  # noqa: E402


def run(config, *args):
    out = monitor("run", "-c", str(config), *args)
    assert "Traceback" not in out.stderr, out.stderr
    return report(out)


def local(url: str, mirror: Mirror) -> str:
    """A real site's URL, pointed at the mirror serving that host."""
    parts = urlsplit(url)
    return mirror.url(parts.hostname).rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def test_second_run_is_conditional_gets_answered_304(tmp_path, mirror, manifest):
    config = write_config(tmp_path, mirror, user_agent="monitor-test/1 (+ops@example.org)")
    run(config)
    articles = [s for s in mirror.served if s["path"] not in ("/feed/", "/en/feed/", "/rss", "/robots.txt")]
    assert len(articles) == len(manifest)
    assert all(s["encoding"] == "gzip" for s in articles)                 # compressed, and decoded
    assert {s["user_agent"] for s in mirror.served} == {"monitor-test/1 (+ops@example.org)"}
    mirror.served.clear()
    run(config)
    assert sorted(s["path"] for s in mirror.served) == ["/en/feed/", "/feed/", "/rss"]   # no robots.txt
    assert all(s["status"] == 304 and s["if_none_match"] for s in mirror.served)
    assert all(st["status"] == "ok" for st in statuses(config).values())


def _stories_mirror(tmp_path, feed_items=3):
    """The mirror's stories with WordPress's short feeds: older articles are reachable only
    through the archives. Al-Modon's RSS is cut to its 3 newest items the same way."""
    root = tmp_path / "site"
    manifest = build_mirror.build(build_mirror.load_stories(ROOT / "seeds" / "stories"), root, feed_items=feed_items)
    rss = root / "www.almodon.com" / "rss.xml"
    text = rss.read_text(encoding="utf-8")
    items = re.findall(r"<item>.*?</item>\n", text, re.S)
    rss.write_text(text.replace("".join(items[feed_items:]), ""), encoding="utf-8")
    return root, manifest


def _cutoff_days(manifest, now):
    """A window whose edge falls in the widest gap between two stories, far from any, and
    old enough that the window holds stories with signals beyond the feeds' newest three."""
    dates = sorted(datetime.fromisoformat(e["published"]) for e in manifest)
    gaps = sorted(((b - a, a, b) for a, b in zip(dates, dates[1:])), reverse=True)
    _, older, newer = next(g for g in gaps if g[2] < now - timedelta(days=600))
    edge = older + (newer - older) / 2
    return (now - edge).days


def test_backfill_reads_archives_back_to_the_cutoff(tmp_path):
    root, manifest = _stories_mirror(tmp_path)
    with Mirror(root) as site:
        config = write_config(tmp_path, site)
        run(config)
        feed_only = {u for u, in rows(config, "select url from articles")}
        assert len(feed_only) == 9                                   # 3 per feed
        alerts = rows(config, "select id, title from alerts order by id")
        signals = rows(config, "select count(*) from signals")[0][0]
        days = _cutoff_days(manifest, datetime.now(timezone.utc))
        cutoff = datetime.now(timezone.utc) - timedelta(days=days)
        out = run(config, "--backfill", str(days))
        assert all(st["status"] == "ok" for st in statuses(config).values()), out
        got = {u.split(":", 2)[2].split("/", 1)[1] for u, in rows(config, "select url from articles")}
        want = {urlsplit(e["url"]).path.lstrip("/") for e in manifest
                if datetime.fromisoformat(e["published"]) >= cutoff}
        want |= {u.split(":", 2)[2].split("/", 1)[1] for u in feed_only}
        assert got == want
        assert len(want) < len(manifest)                             # the window did cut
        # Old news found in the archives is stored and detected, but does not alert.
        assert rows(config, "select count(*) from signals")[0][0] > signals
        assert rows(config, "select id, title from alerts order by id") == alerts
        archives = [p for _, p in site.requests if "/date/" in p]
        assert archives and all(re.search(r"/date/\d{4}/\d{2}/", p) for p in archives)


def _examples(names):
    doc = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    return [s for s in doc["sources"] if s["name"] in names]


def test_config_yaml_examples_feed_sitemap_listing(tmp_path, others):
    sources = _examples({"enab-baladi", "north-press", "syria-direct"})
    assert {s["spider"] for s in sources} == {"feed", "sitemap", "listing"}
    for s in sources:
        s["url"] = local(s["url"], others)
        s.pop("enabled")
        if s["spider"] == "sitemap":    # the fixture's news is from 24-25 Nov 2026
            s["max_age"] = f"{(datetime.now(timezone.utc) - datetime(2026, 11, 24, tzinfo=timezone.utc)).days + 2}d"
    config = sources_config(tmp_path, sources)
    out = run(config)
    st = statuses(config)
    assert all(st[s["name"]]["status"] == "ok" for s in sources), out
    titles = dict(rows(config, "select title, source from articles"))
    assert titles == {
        "مجلس محلي جديد في اعزاز": "enab-baladi", "ارتفاع أسعار الأدوية في إدلب": "enab-baladi",
        "افتتاح معبر جديد في منبج": "north-press", "تحسن ساعات الكهرباء في القامشلي": "north-press",
        "نازحو المخيمات يستعدون لشتاء قاس": "syria-direct", "مزارعو الجزيرة يخسرون موسم القطن": "syria-direct"}
    dates = dict(rows(config, "select title, published_at from articles"))
    assert dates["افتتاح معبر جديد في منبج"].startswith("2026-11-24")
    paths = {p for _, p in others.requests}
    assert "/post-sitemap-2015.xml" not in paths and "/150001/" not in paths and "/en/55504/" not in paths

    others.requests.clear()
    run(config)
    assert sorted(p for _, p in others.requests) == sorted([      # robots.txt: kept a day
        "/feed", "/news-sitemap.xml", "/sitemap_index.xml",     # its child: unchanged since read
        "/%D8%A2%D8%AE%D8%B1-%D8%A7%D9%84%D8%AA%D9%82%D8%A7%D8%B1%D9%8A%D8%B1/?lang=ar"])
    assert {s["status"] for s in others.served[-4:]} == {304}

    others.requests.clear()
    run(config, "--source", "syria-direct", "--backfill", "3650")
    assert rows(config, "select count(*) from articles where source = 'syria-direct'")[0][0] == 3


def test_readme_example_adds_an_rss_source_in_yaml_alone(tmp_path, others):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a source", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    doc = yaml.safe_load(block)
    for s in doc["sources"]:
        s["url"] = local(s["url"], others)
    config = sources_config(tmp_path, doc["sources"])
    name = doc["sources"][0]["name"]
    assert monitor("check", "-c", str(config)).returncode == 0
    out = run(config, "--source", name)
    st = statuses(config)[name]
    assert st["status"] == "ok" and st["articles"] == 2, out
    assert {t for t, in rows(config, "select title from articles")} == {
        "Bread prices rise again in Raqqa", "New school year starts late in Hasakah"}


def test_a_listing_whose_markup_changed_is_failing_not_quiet(tmp_path, others):
    config = sources_config(tmp_path, [{"name": "sd", "spider": "listing", "lang": "ar",
                                        "url": local("https://syriadirect.org/آخر-التقارير/?lang=ar", others),
                                        "links": "div.td-module-container h3 a"}])
    run(config)
    st = statuses(config)["sd"]
    assert st["status"] == "failing" and "no article link matches" in st["last_error"]


def test_spider_options_are_checked_with_file_and_line(tmp_path):
    config = sources_config(tmp_path, [
        {"name": "a", "spider": "listing", "url": "https://example.org/news/"},
        {"name": "b", "spider": "feed", "url": "https://example.org/feed/", "link": "x"},
        {"name": "c", "spider": "sitemap", "url": "https://example.org/robots.txt", "max_age": "soon"}])
    out = monitor("check", "-c", str(config))
    assert out.returncode == 1
    assert "listing source 'a' needs `links:`" in out.stderr
    assert "unknown key `link:` for feed source 'b'" in out.stderr
    assert "invalid `max_age:` for source 'c'" in out.stderr
    assert str(config) in out.stderr and " line " in out.stderr


def test_run_backfill_must_be_a_number_of_days(tmp_path, mirror):
    config = write_config(tmp_path, mirror)
    out = monitor("run", "-c", str(config), "--backfill", "lots")
    assert out.returncode == 2 and "Traceback" not in out.stderr
