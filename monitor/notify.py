"""Deliver pending alerts through apprise. The only module that talks to apprise.

A delivery that fails stays pending with exponential back-off and its last error; it is
retried on later runs. Secrets never leave this module: errors are reported with
apprise's privacy rendering of the URL.
"""
import sys
from datetime import datetime, timedelta, timezone

import apprise
from apprise.decorators import notify

from . import db as store

MAX_ATTEMPTS = 12          # ~ 2.8 days of back-off before an alert is marked failed
_BACKOFF_CAP = 6 * 3600


@notify(on="console")
def _console(body, title, notify_type, *args, **kwargs):
    """console:// prints alerts: for the demo, and for cron, which mails what it prints."""
    print(f"\n=== ALERT: {title}\n{body}", file=sys.stdout, flush=True)
    return True


def redact(url: str) -> str:
    """The channel URL as apprise shows it with secrets masked."""
    ap = apprise.Apprise()
    if not ap.add(url):
        return url.split("://", 1)[0] + "://…"
    return ap[0].url(privacy=True)


def send(url: str, title: str, body: str) -> str | None:
    """Send one message; None on success, else an error free of secrets."""
    ap = apprise.Apprise()
    if not ap.add(url):
        return f"invalid channel URL {redact(url)}: check its scheme and fields"
    with apprise.LogCapture(level=apprise.logging.WARNING) as log:
        ok = ap.notify(body=body, title=title)
    if ok:
        return None
    detail = " ".join(log.getvalue().split())[-300:] or "delivery failed"
    return f"{ap[0].url(privacy=True)}: {detail}"


def _later(attempts: int) -> str:
    delay = min(60 * 2 ** (attempts - 1), _BACKOFF_CAP)
    return (datetime.now(timezone.utc) + timedelta(seconds=delay)).isoformat(timespec="seconds")


def deliver(db, channels) -> dict:
    """Send every due pending alert once; returns counts of sent and failed."""
    by_name = {c.name: c for c in channels}
    stats = {"sent": 0, "failed": 0, "waiting": 0}
    for alert in store.due_alerts(db):
        ch = by_name.get(alert["channel"])
        if ch is None:
            stats["waiting"] += 1   # channel removed from config: keep it, do not drop it
            continue
        error = send(ch.url, alert["title"], alert["body"])
        attempts = alert["attempts"] + 1
        if error is None:
            store.update_alert(db, alert["id"], {"status": "sent", "sent_at": store.now(), "attempts": attempts,
                                                 "last_error": None})
            stats["sent"] += 1
        else:
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            store.update_alert(db, alert["id"], {"status": status, "attempts": attempts, "last_error": error,
                                                 "next_attempt_at": _later(attempts)})
            stats["failed"] += 1
    return stats
