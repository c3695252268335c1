"""Alerts benchmark: alerts rendered, and rendered + delivered + recorded, per second, to a
local SMTP server (aiosmtpd on 127.0.0.1).

Baseline, measured in the same run against the same server: the same number of messages
of the same size sent with smtplib alone, one connection per message (what apprise does
per alert) and one connection for all; and apprise alone sending the same messages. The
difference from apprise is what monitor adds per alert: rendering, reading the outbox and
one SQLite commit per alert (the commit that keeps the duplicate window small).

    python bench/alerts.py [--alerts 300]
"""
import argparse
import json
import smtplib
import socket
import sys
import tempfile
import time
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import apprise
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from monitor import alerts, db as store, notify, render  # noqa: E402
from monitor.config import Channel  # noqa: E402


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def events(n: int) -> list[dict]:
    """n alerts made from the mirror's stories: real titles, leads and URLs."""
    manifest = json.loads((ROOT / "seeds" / "mirror" / "manifest.json").read_text(encoding="utf-8"))
    places = ["tal_tamr", "qamishli", "manbij", "kobani", None]
    out = []
    for i in range(n):
        m = manifest[i % len(manifest)]
        sig = {"type": ("airstrike", "shelling", "clashes")[i % 3], "modality": "occurred", "change": None,
               "agent": "turkey", "target": "sdf", "place": places[i % len(places)], "score": 0.85,
               "evidence": m["lead"], "source": m["site"]}
        arts = [{"source": m["site"], "url": m["url"] + f"?n={i}", "title": m["title"], "lang": "ar"},
                {"source": "almodon", "url": f"https://www.almodon.com/x/{i}", "title": m["title"], "lang": "ar"}]
        out.append(alerts.event(arts, [sig, {**sig, "type": "casualties"}], 1 + i % 2, ["escalation"], None))
    return out


def rate(n, seconds) -> float:
    return n / seconds if seconds else float("inf")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alerts", type=int, default=300)
    n = ap.parse_args().alerts
    port = free_port()
    sink = Sink()
    server = Controller(sink, hostname="127.0.0.1", port=port)
    server.start()
    try:
        evs = events(n)
        rows = [{"kind": "alert", "payload": json.dumps(e, ensure_ascii=False)} for e in evs]

        t = time.perf_counter()
        for r in rows:
            render.message("email", [r])
        t_email = time.perf_counter() - t
        t = time.perf_counter()
        for r in rows:
            render.message("telegram", [r])
        t_tg = time.perf_counter() - t

        # Baseline: the same subjects and HTML bodies, sent with smtplib alone.
        mails = []
        for r in rows:
            subject, html, _ = render.message("email", [r])
            msg = MIMEMultipart("alternative")
            msg.attach(MIMEText(html, "html", "utf-8"))
            msg["Subject"], msg["From"], msg["To"] = subject, "monitor@example.org", "desk@example.org"
            mails.append(msg.as_string())
        t = time.perf_counter()
        for m in mails:
            with smtplib.SMTP("127.0.0.1", port) as s:
                s.sendmail("monitor@example.org", ["desk@example.org"], m)
        t_raw = time.perf_counter() - t
        t = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as s:
            for m in mails:
                s.sendmail("monitor@example.org", ["desk@example.org"], m)
        t_raw_one = time.perf_counter() - t

        # Second baseline: apprise alone, the same messages, one Apprise object per alert as
        # notify.send does. apprise builds an SSL context (loading the system's CA store) for
        # every SMTP connection, even without TLS: that dominates the cost per alert.
        url = f"mailto://127.0.0.1:{port}?to=desk@example.org&from=monitor@example.org"
        bodies = [render.message("email", [r])[:2] for r in rows]
        t = time.perf_counter()
        for subject, html in bodies:
            ap = apprise.Apprise()
            ap.add(url)
            assert ap.notify(body=html, title=subject, body_format=apprise.NotifyFormat.HTML)
        t_apprise = time.perf_counter() - t

        channel = Channel("bench", f"mailto://127.0.0.1:{port}?to=desk@example.org&from=monitor@example.org")
        with tempfile.TemporaryDirectory() as tmp:
            db = store.open_db(Path(tmp) / "bench.db")
            with store.transaction(db):
                for i, e in enumerate(evs):
                    store.insert_alert(db, {**alerts.outbox_row(e), "dedupe_key": f"bench:{i}", "cluster_id": i,
                                            "channel": "bench"})
            before = sink.count
            t = time.perf_counter()
            stats = notify.deliver(db, [channel])
            t_monitor = time.perf_counter() - t
            assert stats["sent"] == n and sink.count - before == n, (stats, sink.count - before)

            db.execute("update alerts set status = 'pending', attempts = 0")
            t = time.perf_counter()
            stats = notify.deliver(db, [Channel("bench", channel.url, burst=1)])    # all as one digest
            t_digest = time.perf_counter() - t
            assert stats["sent"] == n and stats["messages"] == 1
            db.close()
    finally:
        server.stop()

    print(f"alerts: {n}, to aiosmtpd on 127.0.0.1 (Python {sys.version.split()[0]})")
    print(f"render email (subject + HTML)         {rate(n, t_email):9.0f} alerts/s")
    print(f"render Telegram HTML                  {rate(n, t_tg):9.0f} alerts/s")
    print(f"baseline smtplib, connection per mail {rate(n, t_raw):9.0f} mails/s")
    print(f"baseline smtplib, one connection      {rate(n, t_raw_one):9.0f} mails/s")
    print(f"baseline apprise alone                {rate(n, t_apprise):9.0f} mails/s")
    print(f"monitor deliver (render+apprise+commit){rate(n, t_monitor):8.0f} alerts/s   "
          f"= {t_monitor / t_apprise:.2f}x the time of apprise alone, "
          f"{t_monitor / t_raw:.1f}x smtplib with a connection per mail")
    print(f"monitor deliver, all in one digest     {rate(n, t_digest):8.0f} alerts/s   ({t_digest * 1000:.0f} ms for {n})")


if __name__ == "__main__":
    main()
