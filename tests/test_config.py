import pytest

from monitor.config import load_config, parse_duration
from monitor.errors import UserError, UserErrors
from monitor.notify import redact


def test_shipped_config_loads():
    from conftest import ROOT
    c = load_config(ROOT / "config.yaml")
    assert [s.name for s in c.sources if s.enabled] == ["sohr-ar", "sohr-en", "almodon"]
    # Ready examples of the generic spiders, switched off until tried live (issue 6).
    assert {s.name: s.spider for s in c.sources if not s.enabled} == {
        "enab-baladi": "feed", "north-press": "sitemap", "syria-direct": "listing"}
    assert c.database == ROOT / "monitor.db"


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("15m", 900), ("1h30m", 5400), ("2d", 172800)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_errors_name_the_line(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("database: x.db\nsources:\n  - name: Bad Name\n    spider: rss\n    url: http://x/\n"
                 "    every: soon\nchanels: []\n")
    with pytest.raises(UserErrors) as exc:
        load_config(p)
    text = str(exc.value)
    assert "invalid source name 'Bad Name'" in text and "line 3" in text
    assert "unknown spider 'rss'" in text
    assert "invalid `every:` 'soon'" in text
    assert "unknown key 'chanels'" in text and "line 7" in text


def test_secrets_come_from_the_environment_and_are_never_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_PASS", "hunter2secret")
    p = tmp_path / "config.yaml"
    p.write_text("channels:\n  - name: mail\n    url: mailto://desk:${SMTP_PASS}@smtp.example.org:587?to=a@example.org\n")
    c = load_config(p)
    assert "hunter2secret" in c.channels[0].url
    assert "hunter2secret" not in redact(c.channels[0].url)


def test_missing_environment_variable_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("TG_TOKEN", raising=False)
    p = tmp_path / "config.yaml"
    p.write_text("channels:\n  - name: tg\n    url: tgram://${TG_TOKEN}/123\n")
    with pytest.raises(UserError, match=r"TG_TOKEN is not set.*line 2"):
        load_config(p)
