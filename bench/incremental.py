"""Incremental-run benchmark: `monitor run` over 10 sources when nothing is new.

Sources, all served on 127.0.0.1: SOHR Arabic and English and Al-Modon (seeds/mirror),
Enab Baladi Arabic and English (feed), North Press (sitemap via robots.txt) and Syria
Direct (listing) from seeds/others, and three generated WordPress-like feeds of 30 items.
The shipped crawl settings are used as they are (AutoThrottle, robots.txt, retries).

First run: everything is fetched (the baseline, measured in the same process). Then
--runs incremental runs with nothing new: the requests they make (by kind) and the wall
time of `monitor run`, as cron runs it. Target (issue 6): the feed requests only (one per
feed or listing page, and two for North Press: its news sitemap and its sitemap index,
whose child is not asked for while the index says it has not changed; 11 for these 10
sources), in under 3 seconds. Wall time depends on what else the machine
runs: the load average is printed with the figures.

    python bench/incremental.py [--runs 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from monitor.mirror import Mirror  # noqa: E402

GENERATED = 3
ITEMS = 30
# Entry points: what a run with nothing new may request (the listing page is percent-encoded).
ENTRIES = {"/feed/", "/en/feed/", "/rss", "/feed", "/robots.txt", "/news-sitemap.xml", "/sitemap_index.xml",
           "/post-sitemap.xml"}


def generated_sites(root: Path) -> list[str]:
    """GENERATED small WordPress-like sites: a feed of ITEMS items and their pages."""
    hosts = []
    for n in range(1, GENERATED + 1):
        host = f"news{n}.example"
        items = []
        for i in range(ITEMS):
            when = datetime(2026, 11, 1 + i % 25, 8 + i % 10, tzinfo=timezone.utc)
            url = f"https://{host}/{2026}/11/story-{n}-{i}/"
            title = f"خبر رقم {i} من الموقع {n}"
            items.append(f"<item><title>{title}</title><link>{url}</link><pubDate>{format_datetime(when)}</pubDate></item>")
            page = root / host / "2026" / "11" / f"story-{n}-{i}" / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            body = "".join(f"<p>فقرة {k} من الخبر {i}: قال سكان في المنطقة إن الأوضاع بقيت هادئة طوال اليوم "
                           f"وإن الأسواق فتحت أبوابها كالمعتاد، بحسب ما أفاد به مراسل محلي.</p>" for k in range(5))
            page.write_text(f'<!DOCTYPE html><html lang="ar"><head><meta charset="UTF-8"><title>{title}</title>'
                            f'<meta property="article:published_time" content="{when.isoformat()}"></head>'
                            f"<body><article><h1>{title}</h1>{body}</article></body></html>", encoding="utf-8")
        feed = root / host / "feed" / "index.xml"
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                        f"<title>{host}</title><link>https://{host}/</link>{''.join(items)}</channel></rss>",
                        encoding="utf-8")
        (root / host / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n", encoding="utf-8")
        hosts.append(host)
    return hosts


def local(url: str, mirror: Mirror) -> str:
    parts = urlsplit(url)
    return mirror.url(parts.hostname).rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def sources(main: Mirror, others: Mirror, gen: Mirror, hosts) -> list[dict]:
    shipped = {s["name"]: s for s in yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["sources"]}
    out = []
    for name in ("sohr-ar", "sohr-en", "almodon", "enab-baladi", "north-press", "syria-direct"):
        s = {k: v for k, v in shipped[name].items() if k != "enabled"}
        s["url"] = local(s["url"], main if urlsplit(s["url"]).hostname in main.hosts else others)
        if s["spider"] == "sitemap":      # the fixture's news is dated 24-25 Nov 2026
            s["max_age"] = f"{(datetime.now(timezone.utc) - datetime(2026, 11, 24, tzinfo=timezone.utc)).days + 2}d"
        out.append(s)
    out.append({"name": "enab-baladi-en", "spider": "feed", "lang": "en",
                "url": local("https://english.enabbaladi.net/feed/", others)})
    out += [{"name": h.split(".")[0], "spider": "feed", "lang": "ar", "url": gen.url(h) + "feed/"} for h in hosts]
    return out


def timed_run(config: Path) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "monitor.cli", "run", "-c", str(config)],
                         capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - t
    if out.returncode != 0:
        sys.exit(f"monitor run failed:\n{out.stderr}")
    # the run's one line per source is logged to stderr: "<time> <LEVEL> <line>"
    lines = [line.split(" ", 2)[2] for line in out.stderr.splitlines() if line[:4].isdigit() and line.count(" ") >= 2]
    return elapsed, "\n".join(lines) + "\n" + out.stdout


def requests_of(mirrors) -> list[tuple[str, str, int]]:
    return [(s["host"], s["path"], s["status"]) for m in mirrors for s in m.served]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        hosts = generated_sites(tmp / "gen")
        with Mirror(ROOT / "seeds" / "mirror") as main_m, Mirror(ROOT / "seeds" / "others") as others, \
                Mirror(tmp / "gen") as gen:
            mirrors = (main_m, others, gen)
            srcs = sources(main_m, others, gen, hosts)
            config = tmp / "config.yaml"
            config.write_text(yaml.safe_dump({
                "database": "bench.db", "sources": srcs,
                "channels": [{"name": "null", "url": "json://127.0.0.1:9/", "tags": ["none"]}],
            }, allow_unicode=True), encoding="utf-8")
            print(f"{len(srcs)} sources: {', '.join(s['name'] for s in srcs)}")
            print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
                  f"on {os.cpu_count()} cores")

            cold_s, out = timed_run(config)
            cold = requests_of(mirrors)
            bad = [line for line in out.splitlines() if ": ok —" not in line and not line.startswith("alerts:")]
            if bad:
                sys.exit("a source did not crawl cleanly:\n" + "\n".join(bad))
            print(f"first run (everything new): {len(cold)} requests, {cold_s:.2f} s")

            times, counts = [], []
            for _ in range(args.runs):
                for m in mirrors:
                    m.served.clear()
                elapsed, out = timed_run(config)
                reqs = requests_of(mirrors)
                times.append(elapsed)
                counts.append(reqs)
                if "0 new articles" not in out or any(" 0 pages fetched" not in x for x in out.splitlines()
                                                      if ": ok" in x):
                    sys.exit("an incremental run fetched something:\n" + out)
            last = counts[-1]
            entries = [r for r in last if r[1] in ENTRIES or "lang=ar" in r[1]]
            pages = [r for r in last if r not in entries]
            robots = [r for r in last if r[1] == "/robots.txt" and r[0] != "npasyria.com"]
            unchanged = sum(1 for r in last if r[2] == 304)
            med = statistics.median(times)
            print(f"incremental runs (nothing new), {args.runs} runs:")
            print(f"  requests per run: {len(last)} (feeds, sitemaps, listing pages: {len(entries)}; "
                  f"article pages: {len(pages)}; robots.txt for politeness: {len(robots)}); "
                  f"{unchanged} answered 304 Not Modified")
            print(f"  seconds per run: median {med:.2f}, min {min(times):.2f}, max {max(times):.2f} "
                  f"(first run {cold_s:.2f}: ratio {med / cold_s:.2f})")
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            met = not pages and not robots and med < 3.0
            print(f"target (feed requests only, under 3 s): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
