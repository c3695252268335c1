"""The pure parts of alerting: rendering and its limits, channel options, schedules, and
what the outbox must do as a story grows."""
import json
import re
from datetime import datetime, timezone

import pytest

from monitor import alerts, render, schedule
from monitor.config import Channel, load_config
from monitor.errors import UserErrors
from monitor.notify import redact

TAGS = re.compile(r'</?(b|i|blockquote)>|<a href="[^"<>]*">|</a>')


def signal(type_="airstrike", place="tal_tamr", score=0.85, evidence="Turkish drones struck <SDF> & more", **kw):
    return {"type": type_, "modality": "occurred", "change": None, "agent": "turkey", "target": "sdf",
            "place": place, "score": score, "evidence": evidence, "source": "sohr-en", **kw}


def event(title='Drones hit <SDF> & "others"', n_articles=1, signals=None, independent=1, lang="en"):
    arts = [{"source": f"site-{i}", "url": f"https://site{i}.example/a?x=1&y='2'", "title": title, "lang": lang}
            for i in range(n_articles)]
    return alerts.event(arts, signals or [signal()], independent, ["escalation"], None)


def test_telegram_html_escapes_text_and_keeps_only_telegram_tags():
    body = render.telegram(event())
    assert body.startswith('<b>Drones hit &lt;SDF&gt; &amp; "others"</b>\n')
    assert "<blockquote>Turkish drones struck &lt;SDF&gt; &amp; more</blockquote>" in body
    assert '<a href="https://site0.example/a?x=1&amp;y=%272%27">site-0</a>' in body
    bare = TAGS.sub("", body)
    assert "<" not in bare and ">" not in bare and not re.search(r"&(?!(lt|gt|amp|quot);)", bare)


@pytest.mark.parametrize("title, evidence, n", [("عنوان " * 400, "دليل طويل جدا " * 900, 40),
                                                 ("<&>" * 2000, "<&>" * 5000, 60), ("🚀" * 3000, "x", 1)])
def test_telegram_messages_fit_the_limit_in_utf16_units(title, evidence, n):
    sigs = [signal(type_=t, evidence=evidence) for t in ("airstrike", "shelling", "clashes", "explosion", "threat")]
    body = render.telegram(event(title, n, sigs))
    assert len(body.encode("utf-16-le")) // 2 <= render.TELEGRAM_LIMIT
    assert body.startswith("<b>") and "Sources: <a href=" in body
    assert TAGS.sub("", body).count("<") == 0


def test_telegram_digest_stops_at_the_limit_and_says_how_many_more():
    items = [("alert", event(f"Story {i} " + "x" * 200)) for i in range(100)]
    title, body = render.digest(items, "telegram")
    assert title == "" and len(body.encode("utf-16-le")) // 2 <= render.TELEGRAM_LIMIT
    shown = body.count("• <a href=")
    assert 5 < shown < 100 and f"… and {100 - shown} more" in body


def test_email_has_a_clear_subject_and_reads_right_to_left_in_arabic():
    subject, html = render.email(event("غارات تركية على تل تمر", lang="ar"))
    assert subject == "[monitor] airstrike · turkey → sdf · tal_tamr — غارات تركية على تل تمر"
    assert '<html lang="ar" dir="rtl">' in html and "direction:rtl" in html
    assert "https://site0.example/a?x=1&amp;y=&#x27;2&#x27;" in html            # the link, also as text
    _, html = render.email(event("Strikes near Tal Tamr"))
    assert '<html lang="en" dir="ltr">' in html


def test_digest_groups_by_place_strongest_first_and_unnamed_places_last():
    items = [("alert", event("A", signals=[signal(place=None, score=0.99)])),
             ("alert", event("B", signals=[signal(place="qamishli", score=0.6)])),
             ("alert", event("C", signals=[signal(type_="shelling", place="tal_tamr", score=0.9)])),
             ("alert", event("D", signals=[signal(place="tal_tamr", score=0.7)]))]
    title, body = render.digest(items, "text")
    assert title == "Digest: 4 alerts in 3 places"
    order = [line.strip() for line in body.splitlines() if line.startswith(("==", "  a", "  s"))]
    assert order == ["== tal_tamr", "airstrike:", "shelling:", "== qamishli", "airstrike:", "== Place not named",
                     "airstrike:"]


def channel(**kw):
    return Channel("c", "console://", **kw)


def test_quiet_hours_wrap_midnight_in_the_channel_timezone():
    ch = channel(quiet_hours=schedule.parse_quiet_hours("22:00-07:00"), timezone="Asia/Damascus")
    at = datetime(2026, 1, 10, 19, 30, tzinfo=timezone.utc)                    # 22:30 in Damascus
    assert schedule.quiet_until(ch, at) == datetime(2026, 1, 11, 4, 0, tzinfo=timezone.utc)
    assert schedule.quiet_until(ch, datetime(2026, 1, 11, 3, 59, tzinfo=timezone.utc)) is not None
    assert schedule.quiet_until(ch, datetime(2026, 1, 11, 4, 0, tzinfo=timezone.utc)) is None
    day = channel(quiet_hours=schedule.parse_quiet_hours("12:00-13:00"))
    assert schedule.quiet_until(day, datetime(2026, 1, 11, 12, 30, tzinfo=timezone.utc)).hour == 13
    assert schedule.quiet_until(day, datetime(2026, 1, 11, 13, 30, tzinfo=timezone.utc)) is None


def test_digest_times_and_cron_lines():
    ch = channel(digest=schedule.parse_digest(["07:00", "0 19 * * 1-5"]))
    assert ch.digest == ("0 7 * * *", "0 19 * * 1-5")
    created = datetime(2026, 1, 9, 8, 0, tzinfo=timezone.utc)                   # a Friday
    assert schedule.next_digest(ch, created) == datetime(2026, 1, 9, 19, 0, tzinfo=timezone.utc)
    assert not schedule.digest_due(ch, created, datetime(2026, 1, 9, 18, 59, tzinfo=timezone.utc))
    assert schedule.digest_due(ch, created, datetime(2026, 1, 9, 19, 0, tzinfo=timezone.utc))
    for bad in ("25:00", "every day", ["07:00", "* *"]):
        with pytest.raises(ValueError):
            schedule.parse_digest(bad)
    with pytest.raises(ValueError):
        schedule.parse_quiet_hours("22:00")


def test_channel_options_load_and_each_mistake_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setenv("TG_TOKEN", "123456:SECRET-token")
    p = tmp_path / "config.yaml"
    p.write_text("channels:\n"
                 "  - name: tg\n    url: tgram://${TG_TOKEN}/-100200\n    digest: ['07:00', '19:00']\n"
                 "    quiet_hours: 22:00-06:30\n    timezone: Asia/Damascus\n    updates: true\n    burst: 4\n"
                 "    min_score: 0.6\n    urgent_score: 0.9\n")
    ch = load_config(p).channels[0]
    assert (ch.digest, ch.quiet_hours, ch.timezone, ch.updates, ch.burst, ch.min_score, ch.urgent_score) == (
        ("0 7 * * *", "0 19 * * *"), (1320, 390), "Asia/Damascus", True, 4, 0.6, 0.9)
    assert "SECRET" not in repr(ch) and ch.secrets == ("123456:SECRET-token",)
    assert "SECRET" not in redact(ch.url, ch.secrets) and redact(ch.url, ch.secrets).startswith("tgram://")
    p.write_text("channels:\n  - name: a\n    url: console://\n    digest: soon\n    quiet_hours: night\n"
                 "    timezone: Mars/Base\n    updates: maybe\n    colour: red\n    min_score: 2\n"
                 "  - name: a\n    url: console://\n")
    with pytest.raises(UserErrors) as exc:
        load_config(p)
    text = str(exc.value)
    for problem in ("invalid `digest:`", "invalid `quiet_hours:`", "unknown timezone 'Mars/Base'",
                    "`updates:` must be true or false", "unknown key 'colour'", "`min_score:` must be a number",
                    "channel 'a' defined twice"):
        assert problem in text
    for problem, line in (("digest", 4), ("quiet_hours", 5), ("timezone", 6), ("updates", 7), ("colour", 8),
                          ("min_score", 9), ("defined twice", 10)):
        assert re.search(f"{problem}.*line {line} ", text), (problem, text)


def test_redact_keeps_the_url_readable_and_drops_apprise_defaults():
    shown = redact("mailtos://desk:pw-9876@smtp.example.org:587?to=desk@example.org", ("pw-9876",))
    assert shown == "mailtos://desk:****@smtp.example.org/desk%40example.org"
    assert redact("nonsense://pw-9876") == "nonsense://…"


def sent(rows):
    return [{**r, "status": "sent"} for r in rows]


def apply(rows, steps):
    out = [dict(r) for r in rows]
    for step in steps:
        if step[0] == "insert":
            out.append({**step[1], "id": len(out) + 1, "status": "pending"})
        else:
            next(r for r in out if r["id"] == step[1]).update(step[2])
    return out


def test_a_story_grows_into_one_alert_then_updates_and_follow_ups():
    eager, calm = channel(updates=True), channel()
    one = event(independent=1)
    rows = apply([], alerts.changes([], eager, 7, one))
    assert [(r["dedupe_key"], r["kind"]) for r in rows] == [("cluster:7:c", "alert")]
    assert apply(rows, alerts.changes(rows, eager, 7, event(n_articles=2, independent=2)))[0]["sources"] == \
        "site-0,site-1"                                   # still pending: the alert itself grows
    rows = sent(rows)
    assert alerts.changes(rows, eager, 7, one) == []      # nothing new: nothing to send
    assert alerts.changes(rows, calm, 7, event(independent=2)) == []
    two = alerts.changes(rows, eager, 7, event(n_articles=2, independent=2))
    assert [(s[0], s[1]["kind"], s[1]["dedupe_key"]) for s in two] == [("insert", "update", "cluster:7:c:update:2")]
    rows = apply(rows, two)
    three = alerts.changes(rows, eager, 7, event(n_articles=3, independent=3))
    assert [s[0] for s in three] == ["update"]            # the waiting update is refreshed, not doubled
    rows = sent(apply(rows, three))
    assert json.loads(rows[-1]["payload"])["previous"]["independent"] == 1
    follow = alerts.changes(rows, calm, 7, event(signals=[signal(), signal(type_="casualties")]))
    assert [(s[1]["kind"], s[1]["dedupe_key"]) for s in follow] == [("alert", "cluster:7:c:2")]
    assert [s["type"] for s in json.loads(follow[0][1]["payload"])["signals"]] == ["casualties"]
