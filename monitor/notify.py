"""Deliver pending alerts through apprise. The only module that talks to apprise.

Exactly once, as far as a network allows: a row is marked sent in its own commit right
after the service accepted it, so the one window in which a crash duplicates a delivery is
between the service's acceptance and that commit (README, "Alerts"). Only one process
delivers at a time (a lock file beside the database, released by the kernel if the process
dies), so a cron run and a daemon never send the same row twice.

A delivery that fails stays pending with exponential back-off, its attempt count and its
last error; it is retried on later runs. Secrets never leave this module: URLs are shown
with apprise's privacy rendering and every ${VAR} value of the channel is masked.
"""
import contextlib
import fcntl
import json
import logging
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

from . import db as store, render, schedule

MAX_ATTEMPTS = 20          # back-off 1, 2, 4 … minutes, capped at 6 h: about three days in all
_BACKOFF_CAP = 6 * 3600
_FORMATS = {"text": "TEXT", "html": "HTML",
            "telegram": None}   # None: apprise passes our Telegram HTML through untouched

# apprise logs unparseable URLs in full (secrets included); with no handler anywhere,
# Python's last-resort handler would print them on stderr. We report errors ourselves.
logging.getLogger("apprise").addHandler(logging.NullHandler())
_loaded = None


def _apprise():
    """apprise, loaded on first use: importing it and registering console:// loads every
    plugin, ~0.5 s of CPU that a run with nothing to send (most cron runs) need not pay."""
    global _loaded
    if _loaded is None:
        import apprise
        from apprise.decorators import notify
        notify(on="console")(_console)
        _loaded = apprise
    return _loaded


def _console(body, title, notify_type, *args, **kwargs):
    """console:// prints alerts: for the demo, and for cron, which mails what it prints."""
    print(f"\n=== ALERT: {title}\n{body}", file=sys.stdout, flush=True)
    return True


def mask(text: str, secrets=()) -> str:
    for s in sorted(secrets, key=len, reverse=True):
        if len(s) >= 4:        # shorter values are not secrets, and masking them mangles text
            text = text.replace(s, "****")
    return text


def redact(url: str, secrets=()) -> str:
    """The channel URL as apprise shows it with secrets masked, without the defaults apprise
    adds to its query string."""
    ap = _apprise().Apprise()
    if not ap.add(url):
        return urlsplit(url).scheme + "://…"
    shown = urlsplit(ap[0].url(privacy=True))
    keep = {k for k, _ in parse_qsl(urlsplit(url).query)}
    query = "&".join(f"{k}={v}" for k, v in parse_qsl(shown.query) if k in keep)
    return mask(f"{shown.scheme}://{shown.netloc}{shown.path}" + (f"?{query}" if query else ""), secrets)


def check(channel) -> str | None:
    """A problem with a channel's URL, in words free of secrets; None if apprise accepts it."""
    if _apprise().Apprise().add(channel.url):
        return None
    return f"channel '{channel.name}': apprise cannot use the URL {redact(channel.url, channel.secrets)}"


def send(channel, title: str, body: str, fmt: str = "text") -> str | None:
    """Send one message; None on success, else an error free of secrets."""
    apprise = _apprise()
    ap = apprise.Apprise()
    if not ap.add(channel.url):
        return f"invalid channel URL {redact(channel.url, channel.secrets)}: check its scheme and fields"
    body_format = _FORMATS[fmt] and getattr(apprise.NotifyFormat, _FORMATS[fmt])
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
        try:
            ok = ap.notify(body=body, title=title, body_format=body_format)
        except Exception as exc:          # a plugin bug must not stop the other deliveries
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        else:
            detail = " ".join(log.getvalue().split())[-300:] or "delivery failed"
    if ok:
        return None
    return mask(f"{redact(channel.url, channel.secrets)}: {detail}", channel.secrets)


def _later(attempts: int, now: datetime) -> str:
    delay = min(60 * 2 ** (attempts - 1), _BACKOFF_CAP)
    return (now + timedelta(seconds=delay)).isoformat(timespec="seconds")


@contextlib.contextmanager
def _delivery_lock(db):
    """True if this process may deliver now. flock is released by the kernel when a process
    dies, even by SIGKILL, so a crashed run never blocks the next one."""
    path = store.path_of(db)
    if not path:
        yield True
        return
    with open(path + ".deliver.lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def batches(rows: list[dict], channel, now: datetime) -> tuple[list[list[dict]], int]:
    """The messages to send now for one channel's due rows, and how many rows wait.
    Urgent alerts go at once, alone; the rest wait for the end of quiet hours and for the
    next digest time; a burst of more than `channel.burst` alerts becomes one digest."""
    bar = channel.urgent_score
    urgent = [r for r in rows if bar is not None and (r["score"] or 0) >= bar]
    rest = [r for r in rows if not (bar is not None and (r["score"] or 0) >= bar)]
    if schedule.quiet_until(channel, now):
        rest = []
    elif channel.digest:
        rest = [r for r in rest if schedule.digest_due(channel, schedule.parse_time(r["created_at"]), now)]
    if channel.digest:
        groups = [[r] for r in urgent] + ([rest] if rest else [])
    elif channel.burst and len(urgent) + len(rest) > channel.burst:
        groups = [urgent + rest]
    else:
        groups = [[r] for r in urgent + rest]
    return groups, len(rows) - len(urgent) - len(rest)


def deliver(db, channels, now: datetime | None = None) -> dict:
    """Send every due pending alert once; returns counts of sent, failed, waiting (quiet
    hours, digest not yet due, channel removed) and messages."""
    now = now or datetime.now(timezone.utc)
    stats = {"sent": 0, "failed": 0, "waiting": 0, "messages": 0, "busy": False}
    with _delivery_lock(db) as mine:
        if not mine:
            stats["busy"] = True      # another monitor process is delivering: it sends these
            return stats
        by_channel: dict = {}
        for row in store.due_alerts(db, now.isoformat(timespec="seconds")):
            by_channel.setdefault(row["channel"], []).append(row)
        known = {c.name: c for c in channels}
        for name, rows in by_channel.items():
            ch = known.get(name)
            if ch is None:
                stats["waiting"] += len(rows)   # channel removed from config: keep, never drop
                continue
            groups, waiting = batches(rows, ch, now)
            stats["waiting"] += waiting
            for group in groups:
                _send_batch(db, ch, group, stats, now)
    return stats


def _send_batch(db, channel, rows: list[dict], stats: dict, now: datetime) -> None:
    try:
        title, body, fmt = render.message(render.style_of(channel.url), rows)
    except Exception as exc:              # a row we cannot render must not block the others
        error = f"cannot render alert: {type(exc).__name__}: {exc}"
    else:
        error = send(channel, title, body, fmt)
    # The duplicate window: from the service's acceptance (inside send) to this commit.
    with store.transaction(db):
        for row in rows:
            attempts = row["attempts"] + 1
            if error is None:
                # Record what was sent: a worker of another run may have grown the row meanwhile,
                # and the story's next change compares with what readers actually saw.
                store.update_alert(db, row["id"], {
                    "status": "sent", "sent_at": store.now(), "attempts": attempts, "last_error": None,
                    **{k: row[k] for k in ("title", "body", "sources", "score", "payload") if k in row}})
            else:
                store.update_alert(db, row["id"], {
                    "status": "failed" if attempts >= MAX_ATTEMPTS else "pending", "attempts": attempts,
                    "last_error": error, "next_attempt_at": _later(attempts, now)})
    stats["sent" if error is None else "failed"] += len(rows)
    stats["messages"] += error is None


def test_message(channel) -> tuple[str, str, str]:
    """A sample alert in the channel's format, marked as a test."""
    ev = {"title": "TEST from monitor: قصف <مدفعي> & \"غارات\" قرب تل تمر", "lang": "ar",
          "url": "https://example.org/monitor-test-alert",
          "articles": [{"source": "monitor test-alert", "url": "https://example.org/monitor-test-alert"}],
          "signals": [{"type": "shelling", "modality": "occurred", "change": None, "agent": "turkey",
                       "target": "sdf", "place": "tal_tamr", "agent_name": "Turkey", "target_name": "SDF",
                       "place_name": "Tal Tamr", "score": 1.0,
                       "evidence": "This is a test of the channel: no event happened."}],
          "score": 1.0, "independent": 1, "rules": ["test-alert"], "keys": []}
    return render.message(render.style_of(channel.url), [{"kind": "alert", "payload": json.dumps(ev)}])
