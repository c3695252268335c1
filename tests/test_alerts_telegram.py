"""Telegram alerts end to end: the real `monitor` command crawls a news site on 127.0.0.1 and
posts to a stand-in for the Bot API; the request Telegram would receive is checked."""
import re

import yaml
from alertkit import BotApi, NewsSite, article_html, redirect_telegram
from conftest import monitor

TOKEN = "123456789:AAF-secret_Token_x9"
CHAT = "-1001234567"
TITLE = 'Turkish drones strike <SDF> posts near Tal Tamr & Qamishli: "heavy" damage'
TAGS = re.compile(r'</?(b|i|blockquote)>|<a href="[^"<>]*">|</a>')


def test_alert_is_escaped_telegram_html_to_the_chat_and_secrets_stay_hidden(tmp_path, monkeypatch):
    api = BotApi()
    redirect_telegram(tmp_path, monkeypatch, api.api)
    monkeypatch.setenv("TG_TOKEN", TOKEN)
    site = NewsSite({
        "/news/1": (TITLE, article_html(TITLE, [
            "Turkish drones struck positions of the SDF near Tal Tamr on Thursday morning, according to local "
            "sources who spoke to our correspondent.",
            "The strikes caused heavy material damage to a military post and to several houses in the village, "
            "and ambulances were seen heading to the area."], "2026-11-20T10:00:00+03:00")),
        "/news/2": ("Wheat prices", article_html("Wheat prices rise in Hasakah markets", [
            "Farmers in Hasakah said the price of wheat rose again this week as the harvest season ended, "
            "and traders expect more increases before winter."], "2026-11-20T11:00:00+03:00")),
    })
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": "monitor.db",
        "sources": [{"name": "wire", "spider": "feed", "url": site.base + "/feed", "lang": "en"}],
        "channels": [{"name": "desk-tg", "url": "tgram://${TG_TOKEN}/" + CHAT, "tags": ["alerts"]}],
        "crawl": {"AUTOTHROTTLE_ENABLED": False}}))
    try:
        run = monitor("run", "-c", str(config))
        assert run.returncode == 0, run.stderr
        assert len(api.calls) == 1, api.calls
        path, payload = api.calls[0]
        assert path == f"/bot{TOKEN}/sendMessage"
        assert str(payload["chat_id"]) == CHAT and payload["parse_mode"] == "HTML"
        text = payload["text"]
        assert text.startswith('<b>Turkish drones strike &lt;SDF&gt; posts near Tal Tamr &amp; Qamishli: '
                               '"heavy" damage</b>\n')
        assert "• airstrike · Turkey → Syrian Democratic Forces · Tal Tamr" in text
        assert "<blockquote>Turkish drones strike &lt;SDF&gt;" in text        # the evidence sentence
        assert f'Sources: <a href="{site.base}/news/1">wire</a>' in text
        # Only Telegram's tags are markup; every other < > & is escaped.
        bare = TAGS.sub("", text)
        assert "<" not in bare and ">" not in bare
        assert not re.search(r"&(?!(lt|gt|amp|quot);)", bare)
        assert len(text.encode("utf-16-le")) // 2 <= 4096

        listing = monitor("alerts", "-c", str(config))
        assert "tgram://1...9/" in listing.stdout and "desk-tg" in listing.stdout

        test = monitor("test-alert", "-c", str(config), "--channel", "desk-tg")
        assert test.returncode == 0, test.stderr
        assert len(api.calls) == 2 and "TEST from monitor" in api.calls[1][1]["text"]
        assert "desk-tg: sent" in test.stdout

        api.close()                        # the Bot API is unreachable now
        failed = monitor("test-alert", "-c", str(config))
        assert failed.returncode == 1 and "desk-tg: FAILED" in failed.stdout
        assert "Error: 1 of 1 channel(s) failed" in failed.stderr
        for out in (run, listing, test, failed):
            assert TOKEN not in out.stdout + out.stderr
            assert "secret_Token" not in out.stdout + out.stderr
    finally:
        site.close()
        api.close()


def test_test_alert_names_an_unknown_channel(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("channels:\n  - name: console\n    url: console://\n")
    r = monitor("test-alert", "-c", str(config), "--channel", "nope")
    assert r.returncode == 1 and "no channel named 'nope'" in r.stderr and "known channels: console" in r.stderr
    ok = monitor("test-alert", "-c", str(config))
    assert ok.returncode == 0 and "=== ALERT: TEST from monitor" in ok.stdout and "console: sent" in ok.stdout


def test_check_rejects_a_channel_url_apprise_cannot_use_without_showing_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TG_TOKEN", "not-a-bot-token-5150")
    config = tmp_path / "config.yaml"
    config.write_text("channels:\n  - name: console\n    url: console://\n  - name: tg\n    url: tgram://${TG_TOKEN}/1\n")
    r = monitor("check", "-c", str(config))
    assert r.returncode == 1 and "channel 'tg': apprise cannot use the URL tgram://" in r.stderr and "line 4" in r.stderr
    assert "5150" not in r.stdout + r.stderr
