"""`monitor demo`: the real pipeline, with the sources pointed at the offline mirror.

The demo's config is written to demo/config.yaml (same sources as config.yaml, their
origins replaced by the local mirror, one console:// channel), so what runs is exactly
`monitor run -c demo/config.yaml`. The mirror keeps its ports between demos, so a second
run sees the same URLs and fetches nothing twice.
"""
import json
from pathlib import Path
from urllib.parse import urlsplit

import click
import yaml

from . import db as store
from .config import default_path, load_config
from .mirror import HOSTS, Mirror, seeds_dir
from .run import run_once


def demo_config(base, mirror: Mirror, folder: Path) -> Path:
    sources = []
    for s in base.sources:
        host = urlsplit(s.url).hostname
        if host not in HOSTS:
            continue   # not mirrored offline: the demo cannot reach it
        local = mirror.url(host).rstrip("/") + (urlsplit(s.url).path or "/")
        sources.append({"name": s.name, "spider": s.spider, "url": local, "lang": s.lang,
                        "every": "1m", "timeout": "2m"})
    doc = {
        "database": "monitor.db",
        "sources": sources,
        "channels": [{"name": "console", "url": "console://", "tags": ["alerts", "ops"]}],
        # The mirror is local: no need to pace requests as for a real site.
        "crawl": {"AUTOTHROTTLE_ENABLED": False},
    }
    if base.watchlists:
        doc["watchlists"] = [str(p) for p in base.watchlists]
    path = folder / "config.yaml"
    path.write_text("# Written by `monitor demo`: config.yaml's sources, pointed at the offline mirror.\n"
                    + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_demo(config_path=None) -> None:
    base = load_config(config_path or default_path())
    folder = base.path.resolve().parent / "demo"
    folder.mkdir(exist_ok=True)
    ports_file = folder / "ports.json"
    ports = json.loads(ports_file.read_text()) if ports_file.exists() else {}
    with Mirror(seeds_dir() / "mirror", ports) as mirror:
        ports_file.write_text(json.dumps({h: mirror.port(h) for h in mirror._servers}))
        config = load_config(demo_config(base, mirror, folder))
        click.echo(f"Offline mirror: {', '.join(f'{h} → {mirror.url(h)}' for h in mirror._servers)}")
        click.echo(f"Database: {config.database}\n")
        result = run_once(config, log=click.echo)
        fetched = len([p for _, p in mirror.requests if not p.endswith(("/feed/", "/rss", "robots.txt"))])
    db = store.open_db(config.database)
    n_art = db.execute("select count(*) from articles").fetchone()[0]
    n_sig = db.execute("select count(*) from signals").fetchone()[0]
    sent = db.execute("select count(*) from alerts where status = 'sent'").fetchone()[0]
    click.echo(f"\nThis run: {fetched} article pages fetched, {result['alerts']['sent']} alerts sent.")
    click.echo(f"Stored so far: {n_art} articles, {n_sig} signals, {sent} alerts sent. "
               "Run `make demo` again: only the feeds are fetched and no alert repeats.")
