"""The whole path over real HTTP: the real spiders crawl the mirror on 127.0.0.1 into a real
SQLite file, detect, and alert to the console — twice, to prove nothing happens twice."""
from conftest import monitor, rows, write_config

FEEDS = ("/feed/", "/en/feed/", "/rss", "/robots.txt")


def test_two_runs_fetch_each_page_once_and_alert_once(tmp_path, mirror, manifest):
    config = write_config(tmp_path, mirror)
    first = monitor("run", "-c", str(config))
    assert first.returncode == 0, first.stderr
    db = tmp_path / "monitor.db"
    pages = [p for _, p in mirror.requests if not p.endswith(FEEDS)]
    assert len(pages) == len(set(pages)) == len(manifest)
    assert rows(db, "select count(*) from articles")[0][0] == len(manifest)
    sent = rows(db, "select count(*) from alerts where status = 'sent'")[0][0]
    assert sent > 0 and first.stdout.count("=== ALERT:") == sent

    mirror.requests.clear()
    second = monitor("run", "-c", str(config))
    assert second.returncode == 0, second.stderr
    assert all(p.endswith(FEEDS) for _, p in mirror.requests), mirror.requests
    assert "=== ALERT:" not in second.stdout
    assert rows(db, "select count(*) from alerts where status = 'sent'")[0][0] == sent
    assert rows(db, "select count(*) from articles")[0][0] == len(manifest)


def test_seed_story_is_one_alert_naming_both_sites(tmp_path, mirror):
    config = write_config(tmp_path, mirror)
    out = monitor("run", "-c", str(config))
    assert out.returncode == 0, out.stderr
    db = tmp_path / "monitor.db"
    clusters = rows(db, "select cluster_id, group_concat(source) from articles where text like ? group by cluster_id",
                    "%استأنف التحالف الدولي بقيادة واشنطن%")
    assert len(clusters) == 1 and sorted(clusters[0][1].split(",")) == ["almodon", "sohr-ar"]
    # Joining a story updates the article: full-text search still finds both copies, once each.
    found = monitor("search", "-c", str(config), '"استأنف التحالف الدولي"')
    assert found.returncode == 0
    assert sorted(w for w in found.stdout.split() if w in ("almodon", "sohr-ar")) == ["almodon", "sohr-ar"], found.stdout
    assert rows(db, "select count(*) from articles_fts")[0][0] == rows(db, "select count(*) from articles")[0][0]
    alerts = rows(db, "select sources, body from alerts where cluster_id = ?", clusters[0][0])
    assert len(alerts) == 1
    sources, body = alerts[0]
    assert sorted(sources.split(",")) == ["almodon", "sohr-ar"]
    for line in ("patrol_change occurred up · coalition", "airstrike occurred · turkey",
                 "ground_assault threatened · turkey", "cooperation_change occurred down · sdf"):
        assert line in body, body


def test_status_json_reports_every_source(tmp_path, mirror):
    import json
    config = write_config(tmp_path, mirror)
    assert monitor("run", "-c", str(config), "--source", "sohr-en").returncode == 0
    out = monitor("status", "-c", str(config), "--json")
    st = {d["name"]: d for d in map(json.loads, out.stdout.splitlines())}
    assert st["sohr-en"]["status"] == "ok" and st["sohr-en"]["articles"] > 0 and st["sohr-en"]["last_new"] > 0
    assert st["sohr-ar"]["status"] == "never" and st["sohr-ar"]["articles"] == 0
    for key in ("name", "status", "last_success", "last_error", "consecutive_failures", "articles", "last_new"):
        assert key in st["sohr-en"]
