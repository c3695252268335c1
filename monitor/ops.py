"""Alerts about the monitor itself, to every channel tagged `ops`: a source failing N runs
in a row and its recovery, a source gone silent and its return, an invalid config edit.

They go through the outbox like any alert (retried, never sent twice), and their dedupe
key names the episode: `ops:<source>:failing:<first failed run id>:<channel>`. So a bad
night is one alert and one recovery notice, never a stream, and a restart re-derives the
same keys from the runs table instead of alerting again (urlwatch and changedetection.io
likewise report a job only after several failures in a row).
"""
import logging
from datetime import datetime, timezone

from . import db as store, health
from .logs import event

OPS_TAG = "ops"


def ops_channels(channels) -> list:
    return [c for c in channels if OPS_TAG in c.tags]


def _queue(db, channels, key: str, title: str, body: str, source: str | None, only_if: str | None = None) -> bool:
    """Queue one alert per ops channel; True if any is new. `only_if`: a key that must
    already exist for that channel (a recovery follows only an alerted failure)."""
    new = False
    for ch in ops_channels(channels):
        if only_if and store.alert_by_key(db, f"{only_if}:{ch.name}") is None:
            continue
        new |= store.insert_alert_once(db, {"dedupe_key": f"{key}:{ch.name}", "channel": ch.name, "rules": "ops",
                                            "title": title, "body": body, "sources": source or ""})
    return new


def after_run(db, source, channels) -> None:
    """Raise or clear the source's ops alerts after one of its runs was recorded."""
    name, last = source.name, store.last_run(db, source.name)
    if last is None:
        return
    if last["status"] in ("failing", "blocked"):
        n, first = store.failure_streak(db, name)
        if n < source.alert_after:
            return
        what = "blocked by the site" if last["status"] == "blocked" else "failing"
        body = (f"{name} has failed {n} runs in a row ({what}).\nLast error: {last['error'] or '-'}\n"
                f"Last success: {health.source_status(db, name, source)['last_success'] or 'never'}\n"
                "Run `monitor status` for details. One notice follows when it works again.")
        if _queue(db, channels, f"ops:{name}:failing:{first}", f"monitor: {name} is {what}", body, name) \
                or (n == source.alert_after and not ops_channels(channels)):
            event(logging.WARNING, f"{name}: {n} failed runs in a row — ops alert"
                  + ("" if ops_channels(channels) else " not sent: no channel is tagged `ops`"),
                  event="ops", source=name, alert="failing", failures=n)
        return
    n, first = store.failure_streak(db, name, before=last["id"])
    if n >= source.alert_after:
        body = f"{name} works again after {n} failed runs in a row."
        if _queue(db, channels, f"ops:{name}:recovered:{first}", f"monitor: {name} works again", body, name,
                  only_if=f"ops:{name}:failing:{first}"):
            event(logging.INFO, f"{name}: works again after {n} failed runs — recovery notice",
                  event="ops", source=name, alert="recovered", failures=n)
    _silence(db, source, channels)


def _silence(db, source, channels) -> None:
    name = source.name
    st = health.source_status(db, name, source)
    since = (datetime.now(timezone.utc) - health.WINDOW).isoformat(timespec="seconds")
    arrivals = store.arrivals(db, name, since, limit=2)
    if st["silent"] and arrivals:
        body = (f"{name} has brought no new article since {st['last_article_at']}, although its runs succeed; "
                f"its longest usual gap is {st['usual_gap']} s. The site may have changed its layout or feed: "
                "check it and the spider.")
        if _queue(db, channels, f"ops:{name}:silent:{arrivals[0]['id']}", f"monitor: {name} is silent", body, name):
            event(logging.WARNING, f"{name}: silent since {st['last_article_at']} — ops alert",
                  event="ops", source=name, alert="silent")
    elif len(arrivals) == 2 and arrivals[0]["id"] == store.last_run(db, name)["id"]:
        prev = arrivals[1]["id"]
        if _queue(db, channels, f"ops:{name}:news-again:{prev}", f"monitor: {name} has news again",
                  f"{name} brought new articles again.", name, only_if=f"ops:{name}:silent:{prev}"):
            event(logging.INFO, f"{name}: new articles again — notice", event="ops", source=name, alert="news-again")


def config_invalid(db, channels, error: str, episode: str) -> bool:
    """One alert per episode of invalid configuration (from the edit that broke it to
    the edit that fixes it), however many times the file is saved meanwhile."""
    body = (f"An edit to the configuration or watchlists is invalid, so the monitor keeps running "
            f"the last good configuration.\n\n{error}\n\nFix the file and save it: the monitor "
            "picks it up at the next tick (`monitor check` shows every problem).")
    return _queue(db, channels, f"ops:config:invalid:{episode}",
                  "monitor: invalid configuration edit, last good one still live", body, None)
