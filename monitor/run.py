"""One run: crawl the chosen sources (each isolated in a child process) while workers on
every core process what they fetch; then send the due alerts.

`monitor run` (cron) and the daemon call the same `run_once`.
"""
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from . import db as store, workers
from .crawl import context as crawl_context, crawl
from .notify import deliver

# Crawls forked from the preloaded server cost ~0.1 s of CPU each and mostly wait on the
# network (and on AutoThrottle's delays): 8 at a time (bench/incremental.py).
MAX_PARALLEL = 8


def run_once(config, names=None, log=print, backfill: int | None = None) -> dict:
    """`backfill`: also read each source's archives back this many days."""
    sources = [config.source(n) for n in names] if names else [s for s in config.sources if s.enabled]
    db = store.open_db(config.database)
    store.release_claims(db)
    runs = {}
    for s in sources:
        store.upsert_source(db, s)
        runs[s.name] = store.start_run(db, s.name)
    ctx = crawl_context()   # no plain fork: the parent holds threads and a connection
    done = ctx.Event()
    n_workers = max(1, min(os.cpu_count() or 1, 4))
    with ProcessPoolExecutor(n_workers, mp_context=ctx, initializer=workers.init, initargs=(done,)) as pool:
        jobs = [pool.submit(workers.work, str(config.path)) for _ in range(n_workers)]
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL) as threads:
            results = dict(zip((s.name for s in sources), threads.map(lambda s: crawl(config, s, backfill), sources)))
        done.set()
        processed = sum((j.result() for j in jobs), Counter())
    for name, result in results.items():
        result["new_articles"] = processed[(name, "new")]
        result["errors"] = result.get("errors", 0) + processed[(name, "error")]
        store.end_run(db, runs[name], result)
        log(_line(name, result))
    delivered = deliver(db, config.channels)
    log(f"alerts: {delivered['sent']} sent, {delivered['failed']} failed"
        + (f", {delivered['waiting']} waiting for a removed channel" if delivered["waiting"] else ""))
    db.close()
    return {"sources": results, "alerts": delivered}


def _line(name: str, r: dict) -> str:
    line = (f"{name}: {r.get('status', 'failing')} — {r.get('pages', 0)} pages fetched, "
            f"{r.get('new_articles', 0)} new articles")
    if r.get("errors"):
        line += f", {r['errors']} errors"
    if r.get("error"):
        line += f" ({r['error']})"
    return line
