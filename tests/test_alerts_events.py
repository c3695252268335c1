"""One event, one alert: pages go through the real pipeline function (extract, detect, store,
cluster, outbox in one SQLite transaction) and alerts are delivered to a real SMTP server.
Digests, quiet hours, bursts and corroboration updates are checked at chosen clock times."""
import fcntl
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alertkit import Smtp, article_html, parts, rows

from monitor import cluster, db as store, notify, schedule
from monitor.config import Channel, Source
from monitor.extract import extract
from monitor.process import Context, process_page
from monitor.rules import load_rules

MIRROR = Path(__file__).resolve().parent.parent / "seeds" / "mirror"
SOURCES = (Source("sohr-ar", "sohr", "http://sohr.test/", "ar"), Source("sohr-en", "sohr", "http://sohr.test/en/", "en"),
           Source("almodon", "almodon", "http://modon.test/", "ar"),
           Source("wire", "feed", "http://wire.test/feed", "en", options={"names": ["Wire Agency"]}))

EN = ("http://sohr.test/en/1/", "sohr-en", "en", 'Turkish drones strike <SDF> posts near Tal Tamr & Qamishli: "heavy" damage',
      ["Turkish drones struck positions of the SDF near Tal Tamr on Thursday morning, according to local sources who "
       "spoke to our correspondent.", "The strikes caused heavy material damage to a military post and to several "
       "houses in the village, and ambulances were seen heading to the area."], "2026-11-20T10:00:00+03:00")
AR = ("http://modon.test/politics/2026/11/20/a", "almodon", "ar", "مسيرات تركية تستهدف مواقع لقسد قرب تل تمر",
      ["استهدفت طائرات مسيرة تركية صباح الخميس مواقع لقوات سوريا الديمقراطية (قسد) قرب بلدة تل تمر شمال الحسكة، "
       "بحسب مصادر محلية.", "وأفادت المصادر بأن الضربات ألحقت أضراراً مادية بنقطة عسكرية ومنازل في القرية."],
      "2026-11-20T18:30:00+03:00")
WIRE = ("http://wire.test/3", "wire", "en", "Turkish drone strikes hit SDF near Tal Tamr",
        ["Turkish drones struck SDF positions near Tal Tamr on Thursday, residents said.",
         "Two SDF fighters were killed in the strikes, a local official said."], "2026-11-21T08:00:00+03:00")
QAMISHLI = ("http://modon.test/politics/2026/11/21/q", "almodon", "ar", "مسيرة تركية تستهدف سيارة لقسد في القامشلي",
            ["استهدفت طائرة مسيرة تركية سيارة لقوات سوريا الديمقراطية (قسد) في مدينة القامشلي مساء الجمعة، "
             "بحسب مصادر محلية."], "2026-11-21T20:00:00+03:00")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture()
def smtp():
    server = Smtp().start()
    yield server
    server.stop()


def page(url, source, lang, title, paragraphs, published):
    return {"url": url, "source": source, "lang": lang, "html": article_html(title, paragraphs, published, lang)}


def mail(smtp, name, to=None, **options):
    return Channel(name, smtp.url(to=f"{to or name}@example.org"), ("alerts",), **options)


def setup(tmp_path, rules, channels):
    return store.open_db(tmp_path / "monitor.db"), Context(rules, tuple(channels), SOURCES)


def inbox(smtp, name):
    return [m for to, m in smtp.messages if to == [f"{name}@example.org"]]


def test_same_signal_on_same_actors_in_two_languages_is_one_alert(tmp_path, rules, smtp):
    db, ctx = setup(tmp_path, rules, [mail(smtp, "desk")])
    for p in (EN, AR):
        assert process_page(db, ctx, page(*p)) == "new"
    later = ("http://sohr.test/en/9/", "sohr-en", "en", "Turkish drones strike SDF again near Tal Tamr",
             ["Turkish drones struck SDF positions near Tal Tamr again on Sunday, destroying a vehicle, residents "
              "told our correspondent."], "2026-11-23T10:00:00+03:00")      # three days on: a new event
    process_page(db, ctx, page(*later))
    clusters = rows(tmp_path / "monitor.db", "select cluster_id, group_concat(source) from articles group by cluster_id")
    assert sorted(c[1] for c in clusters) == ["sohr-en", "sohr-en,almodon"]
    alerts = rows(tmp_path / "monitor.db", "select sources, score, payload from alerts order by id")
    assert [a[0] for a in alerts] == ["sohr-en,almodon", "sohr-en"]
    ev = json.loads(alerts[0][2])
    assert ev["independent"] == 2 and alerts[0][1] == pytest.approx(0.95)     # 0.85 + corroboration
    assert json.loads(alerts[1][2])["independent"] == 1 and alerts[1][1] == pytest.approx(0.85)

    assert notify.deliver(db, ctx.channels)["sent"] == 2
    first = parts(inbox(smtp, "desk")[0])
    for text in first.values():
        assert "sohr-en" in text and "almodon" in text and "2 independent sources" in text
    assert "Turkish drones strike &lt;SDF&gt;" in first["text/html"]


def test_an_old_event_reported_late_joins_its_story_past_a_year_of_later_reports(tmp_path, rules):
    """Backfill reads a months-old report after a year of daily ones of the same kind
    (Turkish strikes on the SDF, say): it must still find the story of its own day."""
    db, ctx = setup(tmp_path, rules, [])
    process_page(db, ctx, page(*EN))
    first = store.article(db, 1)
    keys = [{k: s[k] for k in s if k not in ("id", "article_id", "source")}
            for s in store.cluster_signals(db, first["cluster_id"]) if s["agent"] == "turkey"]
    assert keys, "the English report names Turkey's strike"
    for i in range(1, 251):      # one report every other day after it, each its own story
        date = (datetime(2026, 11, 22, 9, tzinfo=timezone.utc) + timedelta(days=2 * i)).isoformat()
        aid = store.insert_article(db, {"url": f"http://sohr.test/en/{1000 + i}/", "source": "sohr-en", "lang": "en",
                                        "title": f"Report {i}", "text": f"Report {i}", "published_at": date,
                                        "fetched_at": date, "hash": str(i)})
        store.set_cluster(db, aid, aid)
        store.insert_signals(db, aid, keys)
    db.conn.commit()
    process_page(db, ctx, page(*AR))        # the Arabic report of the first strike, read late
    story = rows(tmp_path / "monitor.db", "select cluster_id from articles where url = ?", AR[0])[0][0]
    assert story == first["cluster_id"]


def test_reprint_line_joins_a_shortened_copy_to_its_original(tmp_path, rules):
    original = next((MIRROR / "www.almodon.com/politics/2022/11/25").glob("*.html"))
    full = extract(original.read_text(encoding="utf-8"), "http://modon.test/x")
    paras = full["text"].split("\n")

    def reprint(k, line):   # dated far from the original, so only the text and the line can join them
        return article_html("المرصد السوري: " + full["title"], paras[:k] + [line], "2024-03-01T16:35:00+03:00", "ar")
    # A copy cut short enough that text overlap alone would not join it.
    k = next(k for k in range(1, len(paras)) if cluster.REPRINT_MIN_SHARED <= len(
        set(cluster.sketch(full["text"])) & set(cluster.sketch(extract(reprint(k, "المصدر: المدن"), "http://x")["text"])))
        < cluster.MIN_SHARED)
    for line, joined in (("المصدر: المدن", True), ("المصدر: رويترز", False)):   # Reuters: not this story
        folder = tmp_path / line[-3:]
        folder.mkdir()
        db, ctx = setup(folder, rules, [])
        process_page(db, ctx, {"url": "http://modon.test/politics/2022/11/25/x", "source": "almodon", "lang": "ar",
                               "html": original.read_text(encoding="utf-8")})
        process_page(db, ctx, {"url": "http://sohr.test/1/", "source": "sohr-ar", "lang": "ar", "html": reprint(k, line)})
        arts = rows(folder / "monitor.db", "select url, reprint_of, cluster_id from articles order by id")
        assert (arts[0][2] == arts[1][2]) is joined, line
        origins = [cluster.origin({"url": a[0], "reprint_of": a[1]}, SOURCES) for a in arts]
        assert origins == ["modon.test", "modon.test" if joined else "named:رويترز"]


def test_corroboration_raises_the_score_and_sends_one_update_where_asked(tmp_path, rules, smtp):
    db, ctx = setup(tmp_path, rules, [mail(smtp, "eager", updates=True), mail(smtp, "calm")])
    process_page(db, ctx, page(*EN))
    notify.deliver(db, ctx.channels)
    process_page(db, ctx, page(*AR))             # another outlet, same event
    assert notify.deliver(db, ctx.channels)["sent"] == 1
    assert [m["Subject"] for m in inbox(smtp, "calm")] == [inbox(smtp, "eager")[0]["Subject"]]
    update = inbox(smtp, "eager")[1]
    assert update["Subject"].startswith("[monitor] Update: now 2 independent sources — Turkish drones strike <SDF>")
    assert "score 0.85 → 0.95" in parts(update)["text/plain"]
    assert notify.deliver(db, ctx.channels)["sent"] == 0     # once only

    # A third outlet also reports casualties: a new kind of signal is a new alert for everyone,
    # and the rise to three sources travels with it (no separate update).
    process_page(db, ctx, page(*WIRE))
    assert notify.deliver(db, ctx.channels)["sent"] == 2
    for name in ("eager", "calm"):
        follow = inbox(smtp, name)[-1]
        assert "casualties" in follow["Subject"] and "— Follow-up: Turkish drones" in follow["Subject"]
        assert "3 independent sources" in parts(follow)["text/plain"]
    assert len(inbox(smtp, "eager")) == 3 and len(inbox(smtp, "calm")) == 2


def test_digest_goes_at_its_time_and_a_burst_becomes_one_digest(tmp_path, rules, smtp):
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    at = (start + timedelta(hours=3)).strftime("%H:%M")
    db, ctx = setup(tmp_path, rules, [mail(smtp, "digest", digest=(schedule.parse_digest(at))),
                                      mail(smtp, "burst", burst=1),
                                      mail(smtp, "urgent", digest=schedule.parse_digest(at), urgent_score=0.9)])
    for p in (EN, AR, QAMISHLI):
        process_page(db, ctx, page(*p))
    early = notify.deliver(db, ctx.channels, now=start + timedelta(hours=1))
    assert inbox(smtp, "digest") == [] and early["waiting"] == 3
    # Urgent (0.95: two outlets) goes at once, alone; the rest of that channel waits.
    [u] = inbox(smtp, "urgent")
    assert "Tal Tamr" in u["Subject"] and "Digest" not in u["Subject"]
    # Two alerts due at once on a channel with burst: 1 → one digest, grouped by place.
    [b] = inbox(smtp, "burst")
    assert b["Subject"] == "[monitor] Digest: 2 alerts in 2 places"
    text = parts(b)["text/plain"]
    assert text.index("Tal Tamr") < text.index("Qamishli") and "airstrike" in text

    due = notify.deliver(db, ctx.channels, now=start + timedelta(hours=4))
    [d] = inbox(smtp, "digest")
    assert due["sent"] == 3 and due["messages"] == 2 and d["Subject"] == b["Subject"]
    assert "Qamishli" in inbox(smtp, "urgent")[1]["Subject"]       # a digest of one is that alert
    html = parts(d)["text/html"]
    assert html.index("Tal Tamr") < html.index("Qamishli") and "/politics/2026/11/21/q" in html
    assert notify.deliver(db, ctx.channels, now=start + timedelta(days=2))["sent"] == 0


def test_quiet_hours_hold_alerts_except_urgent_ones_until_morning(tmp_path, rules, smtp):
    quiet = mail(smtp, "quiet", quiet_hours=schedule.parse_quiet_hours("22:00-07:00"), timezone="Asia/Damascus",
                 urgent_score=0.9)
    db, ctx = setup(tmp_path, rules, [quiet])
    for p in (EN, AR, QAMISHLI):
        process_page(db, ctx, page(*p))
    night = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=20, minute=30, second=0, microsecond=0)
    assert schedule.quiet_until(quiet, night) == night.replace(hour=4, minute=0) + timedelta(days=1)   # 23:30 → 07:00 Damascus
    notify.deliver(db, ctx.channels, now=night)
    held = sorted(rows(tmp_path / "monitor.db", "select status, score, attempts from alerts"))
    assert held == [("pending", 0.85, 0), ("sent", 0.95, 1)]      # the corroborated one is urgent
    notify.deliver(db, ctx.channels, now=night + timedelta(hours=9))          # 08:30 in Damascus
    assert len(inbox(smtp, "quiet")) == 2
    assert rows(tmp_path / "monitor.db", "select distinct status from alerts") == [("sent",)]


def test_only_one_process_delivers_at_a_time(tmp_path, rules, smtp):
    db, ctx = setup(tmp_path, rules, [mail(smtp, "desk")])
    process_page(db, ctx, page(*EN))
    with open(str(tmp_path / "monitor.db") + ".deliver.lock", "w") as other:   # another monitor delivering
        fcntl.flock(other, fcntl.LOCK_EX)
        busy = notify.deliver(db, ctx.channels)
        assert busy["busy"] and busy["sent"] == 0 and smtp.messages == []
    assert notify.deliver(db, ctx.channels)["sent"] == 1 and len(smtp.messages) == 1


def test_alerts_command_shows_retries_and_explains(tmp_path, rules, monkeypatch):
    from conftest import monitor
    monkeypatch.setenv("TG_TOKEN", "123456789:AAF-hidden_token")
    (tmp_path / "config.yaml").write_text(
        "channels:\n  - name: tg\n    url: tgram://${TG_TOKEN}/-100200\n    quiet_hours: '00:00-23:59'\n")
    db, ctx = setup(tmp_path, rules, [Channel("tg", "tgram://x/1"), Channel("gone", "console://")])
    for p in (EN, QAMISHLI):
        process_page(db, ctx, page(*p))
    [first, second, *_] = [r[0] for r in rows(tmp_path / "monitor.db", "select id from alerts where channel = 'tg'")]
    store.update_alert(db, first, {"status": "failed", "attempts": 20, "last_error": "tgram://1...n/: refused"})
    listing = monitor("alerts", "-c", str(tmp_path / "config.yaml"))
    out = listing.stdout
    assert listing.returncode == 0 and "hidden_token" not in out and "tgram://1...n/-100200/" in out
    assert "Outbox: 3 pending, 1 failed, 0 sent" in out and "last error: tgram://1...n/: refused" in out
    assert "waiting: quiet hours until" in out and "waiting: channel 'gone' is no longer in the config" in out
    shown = monitor("alerts", "-c", str(tmp_path / "config.yaml"), "--show", str(second))
    assert "Sources: almodon" in shown.stdout and "Link: http://modon.test/politics/2026/11/21/q" in shown.stdout
    retry = monitor("alerts", "-c", str(tmp_path / "config.yaml"), "--retry", "--channel", "tg")
    assert "1 alert(s) due now" in retry.stdout
    assert rows(tmp_path / "monitor.db", "select status, attempts from alerts where id = ?", first) == [("pending", 0)]
