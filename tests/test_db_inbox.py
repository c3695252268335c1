"""The inbox of fetched pages: queued once, claimed by one worker, gone when processed, and
kept across the schema change that moved the pages out of the claimed rows."""
import sqlite3

import sqlite_utils

from monitor import db as store


def test_pages_waiting_in_an_older_database_survive_the_migration(tmp_path):
    path = tmp_path / "monitor.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    store.migrations.apply(old, stop_before="m007_inbox_pages_apart")
    old.execute("insert into inbox (url, source, html, fetched_at) values (?, ?, ?, ?)",
                ["http://sohr.test/1/", "sohr-ar", "<html><p>نص الخبر</p></html>", "2026-11-26T10:00:00+00:00"])
    old.conn.commit()
    old.conn.close()

    db = store.open_db(path)
    page = store.claim(db)
    assert (page["url"], page["html"]) == ("http://sohr.test/1/", "<html><p>نص الخبر</p></html>")
    assert "html" not in [c.name for c in db["inbox"].columns]
    # the unique URL (a page queued once) and the pending-pages index survive the rebuild
    assert {(tuple(i.columns), i.unique) for i in db["inbox"].indexes} == {
        (("url",), 1), (("source", "claimed_at", "attempts"), 0)}
    with store.transaction(db):
        store.drop_from_inbox(db, page["id"])
    assert db.execute("select count(*) from inbox_pages").fetchone()[0] == 0
    assert store.claim(db) is None


def test_a_page_is_queued_once_and_claimed_by_one_worker(tmp_path):
    db = store.open_db(tmp_path / "monitor.db")
    page = {"url": "http://sohr.test/2/", "source": "sohr-ar", "html": "<html>a</html>"}
    assert store.enqueue_many(db, [page, {**page, "html": "<html>again</html>"}]) == [True, False]
    other = store.open_db(tmp_path / "monitor.db")     # a second worker
    first, second = store.claim(db), store.claim(other)
    assert first["html"] == "<html>a</html>" and second is None
    store.unclaim(db, first["id"], "TimeoutError: slow page")
    again = store.claim(other)
    assert (again["id"], again["html"], again["attempts"], again["error"]) == (first["id"], "<html>a</html>", 2,
                                                                               "TimeoutError: slow page")
