"""A source's health from its recorded runs (DESIGN.md §8 `status --json`).

status: `never` (no finished run), `blocked` (the last run met a bot wall: 403/406/429 or
a challenge page), `failing` (the last run could not read the source), `silent` (runs
succeed but no new article for much longer than this source's own rhythm: likely a
changed site layout or a broken spider), else `ok`.

The rhythm is learnt, not configured: the longest gap between two runs that brought new
articles over the last two weeks. A news site's longest gap is its quiet night or
weekend, so twice that is abnormal without being a false alarm every night. A source
needs MIN_ARRIVALS such runs before it can be judged silent.
"""
from datetime import datetime, timedelta, timezone

from . import db as store

WINDOW = timedelta(days=14)
MIN_ARRIVALS = 5
SILENT_FACTOR = 2        # silent after twice the longest usual gap…
MIN_INTERVALS = 3        # …and never before three scheduled runs went by


def _time(text):
    return datetime.fromisoformat(text) if text else None


def rhythm(arrivals: list[dict]) -> float | None:
    """Longest gap in seconds between the given arrivals (newest first), or None."""
    times = [t for t in (_time(a["ended_at"]) for a in arrivals) if t]
    if len(times) < MIN_ARRIVALS:
        return None
    return max((a - b).total_seconds() for a, b in zip(times, times[1:]))


def silent_after(usual_gap: float | None, source=None) -> float | None:
    """Seconds without a new article after which the source counts as silent."""
    if usual_gap is None:
        return None
    every = getattr(source, "every", None) or 0
    return max(SILENT_FACTOR * usual_gap, MIN_INTERVALS * every)


def source_status(db, name: str, source=None, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    runs = store.recent_runs(db, name, 50)
    failures = 0
    for r in runs:
        if r["status"] == "ok":
            break
        failures += 1
    last_ok = next((r for r in runs if r["status"] == "ok"), None)
    last_bad = next((r for r in runs if r["status"] != "ok"), None)
    arrivals = store.arrivals(db, name, (now - WINDOW).isoformat(timespec="seconds"))
    gap = rhythm(arrivals)
    last_article = _time(arrivals[0]["ended_at"]) if arrivals else None
    limit = silent_after(gap, source)
    silent = bool(runs and runs[0]["status"] == "ok" and limit and last_article
                  and (now - last_article).total_seconds() > limit)
    if not runs:
        status = "never"
    elif runs[0]["status"] in ("blocked", "failing"):
        status = runs[0]["status"]
    else:
        status = "silent" if silent else "ok"
    return {
        "name": name, "status": status,
        "last_run": runs[0]["ended_at"] if runs else None,
        "last_success": last_ok["ended_at"] if last_ok else None,
        "last_error": last_bad["error"] if last_bad else None,
        "last_error_at": last_bad["ended_at"] if last_bad else None,
        "consecutive_failures": failures,
        "blocked": bool(runs) and runs[0]["status"] == "blocked",
        "silent": silent,
        "last_article_at": last_article.isoformat() if last_article else None,
        "usual_gap": round(gap) if gap is not None else None,
        "articles": store.article_count(db, name),
        "last_new": runs[0]["new_articles"] if runs else 0,
        "new_per_run": round(sum(r["new_articles"] or 0 for r in runs) / len(runs), 2) if runs else 0,
        "runs": len(runs),
    }


def describe(st: dict) -> str:
    """`monitor status`'s lines for one source."""
    head = (f"{st['name']:14} {st['status']:8} articles={st['articles']:<5} last_new={st['last_new']:<4} "
            f"per_run={st['new_per_run']:<5} failures={st['consecutive_failures']} "
            f"last_success={st['last_success'] or '-'}")
    lines = [head]
    if st["status"] == "silent":
        lines.append(f"{'':14} silent: no new article since {st['last_article_at']} "
                     f"(usually at most {timedelta(seconds=st['usual_gap'])} apart) — check the site and its spider")
    if st["last_error"]:
        lines.append(f"{'':14} last error ({st['last_error_at'] or '?'}): {st['last_error']}")
    return "\n".join(lines)
