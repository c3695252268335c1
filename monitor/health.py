"""A source's health from its recorded runs (DESIGN.md §8 `status --json`)."""
from . import db as store


def source_status(db, name: str) -> dict:
    runs = list(db.query("select * from runs where source = ? and status != 'running' order by id desc limit 50",
                         [name]))
    failures = 0
    for r in runs:
        if r["status"] == "ok":
            break
        failures += 1
    last_ok = next((r for r in runs if r["status"] == "ok"), None)
    last_bad = next((r for r in runs if r["status"] != "ok"), None)
    status = "never" if not runs else runs[0]["status"]
    return {
        "name": name, "status": status,
        "last_success": last_ok["ended_at"] if last_ok else None,
        "last_error": last_bad["error"] if last_bad else None,
        "consecutive_failures": failures,
        "articles": store.article_count(db, name),
        "last_new": runs[0]["new_articles"] if runs else 0,
    }
