"""`monitor explain` and `monitor backtest`, through the real command line."""
import shutil

import yaml

from conftest import MIRROR, monitor
from monitor import db as store
from monitor.config import load_config
from monitor.process import Context, process_page
from monitor.rules import default_paths, load_rules


def test_explain_names_trigger_actors_cue_and_near_misses(tmp_path):
    text = "نفت قسد قصف مواقع للجيش قرب دير حافر. وسجل اللاعب ضربة جزاء في الدقيقة الأخيرة."
    r = monitor("explain", "-", input=text, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "shelling denied" in r.stdout and "agent=sdf" in r.stdout
    assert "trigger: «قصف»" in r.stdout and "modality set by: «نفت»" in r.stdout
    assert "near miss" in r.stdout and "penalty" in r.stdout


def test_explain_missing_file_is_a_user_error(tmp_path):
    r = monitor("explain", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.startswith("Error: no such file")


def test_backtest_shows_alerts_an_edit_would_remove(tmp_path, manifest):
    config_path = tmp_path / "config.yaml"
    config_path.write_text("channels:\n  - {name: desk, url: 'console://', tags: [alerts]}\n")
    config = load_config(config_path)
    db = store.open_db(config.database)
    ctx = Context(load_rules(), config.channels)
    for page in manifest:
        process_page(db, ctx, {"url": page["url"], "html": (MIRROR / page["file"]).read_text(encoding="utf-8"),
                               "source": page["site"]})
    live = db.execute("select count(*) from alerts").fetchone()[0]
    assert live > 0
    edited = tmp_path / "edited"
    edited.mkdir()
    for p in default_paths():
        shutil.copy(p, edited / p.name)
    doc = yaml.safe_load((edited / "alerts.yaml").read_text(encoding="utf-8"))
    for rule in doc["alerts"]:
        rule["min_sources"] = 2          # only stories carried by two sites
    (edited / "alerts.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    same = monitor("backtest", "-c", str(config_path), "--since", "10000")
    assert same.returncode == 0, same.stderr
    assert "0 alert(s) would appear, 0 would disappear" in same.stdout

    r = monitor("backtest", "-c", str(config_path), "--since", "10000", "--watchlists", str(edited))
    assert r.returncode == 0, r.stderr
    gone = r.stdout.count("- NO ALERT")
    assert gone == live - 1          # only the seed story, on SOHR and Al-Modon, keeps its alert
    assert f"{gone} would disappear" in r.stdout
    assert db.execute("select count(*) from alerts").fetchone()[0] == live   # nothing written
