"""Writers share SQLite's one write lock: a transaction waits for another's lock (in fine
steps, not SQLite's coarse busy handler) and gives up with an error after LOCK_TIMEOUT."""
import sqlite3
import threading

import pytest

from monitor import db as store


def _holder(path):
    """A second connection holding the write lock, as another worker or a crawl would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("insert into failed_urls (url, source, reason, attempts) values ('http://a/', 's', 'r', 1)")
    return conn


def test_a_writer_waits_for_the_lock_and_then_commits(tmp_path):
    path = tmp_path / "m.db"
    store.open_db(path).close()
    holder = _holder(path)
    done = threading.Event()

    def write():
        db = store.open_db(path)        # a connection belongs to its thread
        with store.transaction(db):
            db.execute("insert into failed_urls (url, source, reason, attempts) values ('http://b/', 's', 'r', 1)")
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == int(store.LOCK_TIMEOUT * 1000)
        done.set()

    t = threading.Thread(target=write)
    t.start()
    assert not done.is_set()          # it cannot have written while the lock is held
    holder.execute("COMMIT")
    t.join(10)
    assert done.is_set()
    assert {r[0] for r in holder.execute("select url from failed_urls")} == {"http://a/", "http://b/"}


def test_a_writer_gives_up_after_the_lock_timeout(tmp_path, monkeypatch):
    path = tmp_path / "m.db"
    db = store.open_db(path)
    holder = _holder(path)
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        with store.transaction(db):
            db.execute("insert into failed_urls (url, source, reason, attempts) values ('http://b/', 's', 'r', 1)")
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 200     # the connection's own timeout is back
    holder.execute("ROLLBACK")
    with store.transaction(db):        # and the connection works once the lock is free
        db.execute("insert into failed_urls (url, source, reason, attempts) values ('http://c/', 's', 'r', 1)")
    assert [r[0] for r in db.execute("select url from failed_urls")] == ["http://c/"]
