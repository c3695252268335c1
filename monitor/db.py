"""All SQL lives here: the schema (migrated forward on open) and the reads and writes.

One SQLite file in WAL mode, so a crawl in a child process can write while the parent
reads. Tables are named and laid out to make sense in Datasette without our code.
"""
import contextlib
import json
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .errors import UserError

migrations = Migrations("monitor")


@migrations()
def m001_initial(db):
    db["sources"].create({"name": str, "spider": str, "url": str, "lang": str, "added_at": str}, pk="name")
    db["articles"].create({
        "id": int, "url": str, "source": str, "lang": str, "title": str, "text": str,
        "published_at": str, "fetched_at": str, "hash": str, "cluster_id": int, "reprint_of": str,
    }, pk="id")
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["hash"])
    db["articles"].create_index(["cluster_id"])
    db["articles"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")
    # Bottom-k shingle sketches of each article, to find reprints and near-duplicates.
    db["sketches"].create({"hash": int, "article_id": int})
    db["sketches"].create_index(["hash"])
    db["signals"].create({
        "id": int, "article_id": int, "type": str, "modality": str, "change": str, "agent": str,
        "target": str, "place": str, "score": float, "evidence": str, "start": int, "end": int,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")])
    db["signals"].create_index(["article_id"])
    db["alerts"].create({
        "id": int, "dedupe_key": str, "cluster_id": int, "channel": str, "rules": str,
        "title": str, "body": str, "sources": str, "score": float, "status": str,
        "attempts": int, "next_attempt_at": str, "last_error": str, "created_at": str,
        "sent_at": str,
    }, pk="id")
    db["alerts"].create_index(["dedupe_key"], unique=True)
    db["alerts"].create_index(["status", "next_attempt_at"])
    db["runs"].create({
        "id": int, "source": str, "started_at": str, "ended_at": str, "pages": int,
        "new_articles": int, "errors": int, "status": str, "error": str, "http": str,
    }, pk="id")
    db["runs"].create_index(["source", "id"])


@migrations()
def m002_inbox(db):
    # Fetched pages wait here until a worker has extracted and stored them: crawling and
    # processing run in different processes, and a page fetched before a crash is not lost.
    db["inbox"].create({
        "id": int, "url": str, "source": str, "lang": str, "html": str, "feed_title": str,
        "feed_date": str, "fetched_at": str, "claimed_at": str, "attempts": int, "error": str,
    }, pk="id", defaults={"attempts": 0})
    db["inbox"].create_index(["url"], unique=True)


@migrations()
def m003_alerts_events(db):
    # What an alert is about, as JSON (articles, signals, names, score, independent
    # sources): each channel renders it in its own format when it is delivered, and a
    # digest groups several. `kind` is "alert", or "update" for a later corroboration.
    db["alerts"].add_column("kind", str, not_null_default="alert")
    db["alerts"].add_column("payload", str)
    db["alerts"].create_index(["cluster_id", "channel"])
    # The same signal on the same actors and place in another article: one event.
    db["signals"].create_index(["type", "agent", "target"])


@migrations()
def m003_daemon_health_indexes(db):
    # Source health is computed after every run: silence from the runs that brought new
    # articles, and each source's article count. These keep both cheap when a source runs
    # every few seconds for months.
    db.execute("create index if not exists runs_arrivals on runs (source, id) where new_articles > 0")
    db["articles"].create_index(["source"], if_not_exists=True)


@migrations()
def m003_sources_fetch_state(db):
    # What the crawler remembers between runs, so a run with nothing new costs one
    # request per feed (issue 6):
    # - url_aliases: other spellings of a stored page (the link before a redirect, SOHR's
    #   ?p=<id> shortlink), so an old Al-Modon /<section>/<uuid> link is not fetched again.
    db["url_aliases"].create({"alias": str, "url": str, "added_at": str}, pk="alias")
    db["url_aliases"].create_index(["url"])
    # - feed_cache: ETag / Last-Modified of each feed, sitemap or listing, for conditional
    #   GET; `links` keeps a sitemap index's children for when the index answers 304.
    db["feed_cache"].create({"url": str, "etag": str, "last_modified": str, "links": str,
                             "checked_at": str}, pk="url")
    # - robots_txt: each host's robots.txt, reused for a day (RFC 9309 §2.4).
    db["robots_txt"].create({"host": str, "body": str, "fetched_at": str}, pk="host")
    # - failed_urls: article links that failed for good (404, 410, too large, redirect
    #   loop); given up after MAX_URL_ATTEMPTS runs instead of fetched every run.
    db["failed_urls"].create({"url": str, "source": str, "reason": str, "attempts": int,
                              "first_at": str, "last_at": str}, pk="url")
    # - inbox.quiet: a page found by `monitor run --backfill` in a site's archives: stored and
    #   detected, but old news does not alert (a month of archives must not flood a desk).
    db["inbox"].add_column("quiet", int, not_null_default=0)


@migrations()
def m004_articles_fts_update_of_text(db):
    # sqlite-utils' trigger re-indexed an article's whole text on any update; storing an
    # article sets its cluster right after inserting it, which indexed every article twice
    # (a third of the statements a stored page cost). Only a new title or text changes
    # what full-text search must find.
    db.execute("drop trigger if exists articles_au")
    db.execute(
        'create trigger articles_au after update of title, text on articles begin '
        'insert into articles_fts (articles_fts, rowid, title, text) values (\'delete\', old.rowid, old.title, old.text); '
        'insert into articles_fts (rowid, title, text) values (new.rowid, new.title, new.text); end')


@migrations()
def m005_inbox_pending_index(db):
    # A run polls how many of its source's pages are still pending 20 times a second;
    # without an index that scanned the inbox, pages and all, on every poll.
    db["inbox"].create_index(["source", "claimed_at", "attempts"], if_not_exists=True)


@migrations()
def m006_sketches_covering_index(db):
    # Finding an article's reprints reads every stored row sharing one of its 64 hashes
    # (hundreds: boilerplate and wire phrases recur); with article_id in the index it
    # never reads the table itself. 0.34 -> 0.17 ms a stored page (bench/pipeline.py).
    db["sketches"].create_index(["hash", "article_id"], if_not_exists=True)
    db.execute("drop index if exists idx_sketches_hash")


@migrations()
def m007_inbox_pages_apart(db):
    # A worker's claim (and a failed page's error) rewrote the inbox row, the 50 KB page
    # included: a third of the database's writes per stored page (bench/pipeline.py).
    # The page now sits in a table of its own that is written once and deleted once.
    # (transform() keeps the inbox's indexes: sqlite-utils 3.38 and later)
    db["inbox_pages"].create({"id": int, "html": str}, pk="id")
    db.execute("insert into inbox_pages (id, html) select id, html from inbox")
    db["inbox"].transform(drop={"html"})
    db.execute("create trigger if not exists inbox_pages_gone after delete on inbox begin "
               "delete from inbox_pages where id = old.id; end")


MAX_PAGE_ATTEMPTS = 3      # a page that fails this often stays in the inbox with its error


def _iter(db, sql: str, args=()):
    """Rows as dicts. sqlite-utils' query() wraps every SELECT in a savepoint (three
    statements for one), a cost the per-article hot path paid a dozen times per page."""
    cur = db.conn.execute(sql, args)
    cols = [d[0] for d in cur.description]
    return (dict(zip(cols, row)) for row in cur)


def _rows(db, sql: str, args=()) -> list[dict]:
    return list(_iter(db, sql, args))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


LOCK_TIMEOUT = 30.0     # seconds a writer waits for another (the connection's busy timeout too)


def open_db(path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`."""
    path = Path(path)
    if not path.parent.exists():
        raise UserError(f"the folder of the database {path} does not exist",
                        hint="create it or change `database:` in the config")
    try:
        db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=LOCK_TIMEOUT))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint the WAL every ~40 MB instead of SQLite's ~4 MB: fetched pages pass
        # through the inbox (50 KB each), and checkpointing ten times as often cost a third
        # of every commit (bench/pipeline.py). The file is cut back to 64 MB after that.
        db.execute("PRAGMA wal_autocheckpoint=10000")
        db.execute("PRAGMA journal_size_limit=67108864")
        db.execute("PRAGMA foreign_keys=ON")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"cannot use the database {path}: {exc}",
                        hint="check the file is a monitor database and not locked by another program") from None
    return db


def _begin_immediate(db) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in steps of 0.1-1 ms. SQLite's own busy
    handler sleeps 1, 2, 5, 10, 15, 20 ms... between tries: a worker waiting for a lock
    held 2 ms slept 3, one held 4 ms slept 8, and the workers lost a tenth of their time
    that way (bench/pipeline.py). The standard library has no hook for a busy handler."""
    conn = db.conn
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        deadline, nap = time.monotonic() + LOCK_TIMEOUT, 0.0001
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(nap)
            nap = min(nap * 2, 0.001)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(LOCK_TIMEOUT * 1000)}")


@contextlib.contextmanager
def transaction(db):
    """All or nothing. BEGIN IMMEDIATE takes the write lock up front, so two processes
    never both read and then fail to upgrade (SQLITE_BUSY despite the timeout)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin_immediate(db)
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


# -- articles -----------------------------------------------------------------
def has_article(db, url: str) -> bool:
    return db.execute("select 1 from articles where url = ?", [url]).fetchone() is not None


# -- the inbox of fetched pages -------------------------------------------------
def enqueue_many(db, pages: list[dict]) -> list[bool]:
    """Queue fetched pages in one transaction, with their other spellings (`aliases`) and
    backfill mark (`quiet`); True for each page not already queued. One write lock per
    batch, not per page: the crawl and the workers share the database's one writer."""
    queued = []
    with transaction(db):
        for page in pages:
            add_aliases(db, page["url"], page.get("aliases", ()), commit=False)
            cur = db.execute(
                "insert or ignore into inbox (url, source, lang, feed_title, feed_date, fetched_at, quiet) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                [page["url"], page["source"], page.get("lang"), page.get("feed_title"),
                 page.get("feed_date"), now(), int(bool(page.get("quiet")))])
            if cur.rowcount == 1:
                db.execute("insert into inbox_pages (id, html) values (?, ?)", [cur.lastrowid, page["html"]])
            queued.append(cur.rowcount == 1)
    return queued


def has_work(db) -> bool:
    """Is a page waiting? A read: idle workers poll with it, not with claim's write."""
    return db.execute("select 1 from inbox where claimed_at is null and attempts < ? limit 1",
                      [MAX_PAGE_ATTEMPTS]).fetchone() is not None


def claim(db) -> dict | None:
    """Take the oldest unclaimed page for this worker (atomic across processes)."""
    with transaction(db):
        cur = db.execute(
            "update inbox set claimed_at = ?, attempts = attempts + 1 where id = (select id from inbox "
            "where claimed_at is null and attempts < ? order by id limit 1) returning *",
            [now(), MAX_PAGE_ATTEMPTS])
        row = cur.fetchone()
        if not row:
            return None
        page = dict(zip([d[0] for d in cur.description], row))
        html = db.execute("select html from inbox_pages where id = ?", [page["id"]]).fetchone()
    return {**page, "html": html[0] if html else ""}


def unclaim(db, inbox_id: int, error: str | None) -> None:
    db.execute("update inbox set claimed_at = null, error = ? where id = ?", [error, inbox_id])
    db.conn.commit()


def release_claims(db) -> None:
    """Claims left by a run that was killed: their pages are processed again."""
    db.execute("update inbox set claimed_at = null where claimed_at is not null")
    db.conn.commit()


def drop_from_inbox(db, inbox_id: int) -> None:
    db.execute("delete from inbox where id = ?", [inbox_id])


def _insert(db, table: str, row: dict) -> int:
    """Plain INSERT: the per-article hot path, where sqlite-utils' schema checks cost more
    than the write itself (bench/pipeline.py)."""
    cols = ",".join(f"[{c}]" for c in row)
    return db.execute(f"insert into [{table}] ({cols}) values ({','.join('?' * len(row))})",
                      list(row.values())).lastrowid


def insert_article(db, article: dict) -> int:
    return _insert(db, "articles", article)


def save_sketch(db, article_id: int, sketch) -> None:
    db.conn.executemany("insert into sketches (hash, article_id) values (?, ?)", [(h, article_id) for h in sketch])


def similar_articles(db, sketch, min_shared: int) -> list[tuple[int, int]]:
    """(article_id, shared hashes) for stored articles sharing at least `min_shared`."""
    if not sketch:
        return []
    marks = ",".join("?" * len(sketch))
    return list(db.execute(
        f"select article_id, count(*) c from sketches where hash in ({marks}) "
        f"group by article_id having c >= ? order by c desc limit 5", [*sketch, min_shared]))


def article(db, article_id: int) -> dict:
    return next(_iter(db, "select * from articles where id = ?", [article_id]))


def set_cluster(db, article_id: int, cluster_id: int) -> None:
    db.execute("update articles set cluster_id = ? where id = ?", [cluster_id, article_id])


def cluster_sources(db, cluster_id: int) -> list[dict]:
    return _rows(db, "select id, source, url, title, lang, published_at, fetched_at, reprint_of "
                     "from articles where cluster_id = ? order by id", [cluster_id])


def cluster_signals(db, cluster_id: int) -> list[dict]:
    return _rows(db,
        "select s.*, a.source from signals s join articles a on a.id = s.article_id "
        "where a.cluster_id = ? order by s.id", [cluster_id])


def search(db, query: str, limit: int = 20) -> list[dict]:
    try:
        return _rows(db,
            "select a.id, a.source, a.published_at, a.title, a.url, "
            "snippet(articles_fts, 1, '[', ']', '…', 12) as snippet "
            "from articles_fts join articles a on a.rowid = articles_fts.rowid "
            "where articles_fts match ? order by rank limit ?", [query, limit])
    except sqlite3.OperationalError as exc:
        raise UserError(f"invalid search query {query!r}: {exc}",
                        hint='quote phrases with "…" and use AND / OR / NOT') from None


def articles_since(db, cutoff: str) -> list[dict]:
    """Articles published (or, when undated, fetched) since `cutoff` (ISO)."""
    return _rows(db, "select id, cluster_id, source, lang, title, text, url, reprint_of from articles "
                     "where coalesce(published_at, fetched_at) >= ? or fetched_at >= ? order by id",
                     [cutoff, cutoff])


def alert_channels(db, cluster_id: int) -> list[str]:
    return [r[0] for r in db.execute("select channel from alerts where cluster_id = ?", [cluster_id])]


# -- signals ------------------------------------------------------------------
def insert_signals(db, article_id: int, signals: list[dict]) -> None:
    if not signals:
        return
    cols = list(signals[0]) + ["article_id"]
    db.conn.executemany(f"insert into signals ({','.join(f'[{c}]' for c in cols)}) values "
                        f"({','.join('?' * len(cols))})", [[*s.values(), article_id] for s in signals])


# -- alerts (the outbox) ------------------------------------------------------
def alert(db, alert_id: int) -> dict | None:
    return next(_iter(db, "select * from alerts where id = ?", [alert_id]), None)


def alert_by_key(db, key: str) -> dict | None:
    return next(_iter(db, "select * from alerts where dedupe_key = ?", [key]), None)


def insert_alert(db, row: dict) -> None:
    _insert(db, "alerts", {**row, "status": "pending", "attempts": 0, "created_at": now(),
                           "next_attempt_at": now()})


def update_alert(db, alert_id: int, fields: dict) -> None:
    sets = ", ".join(f"[{c}] = ?" for c in fields)
    db.execute(f"update alerts set {sets} where id = ?", [*fields.values(), alert_id])


def due_alerts(db, at: str | None = None) -> list[dict]:
    return _rows(db, "select * from alerts where status = 'pending' and next_attempt_at <= ? "
                     "order by id", [at or now()])


def alerts(db, status: str | None = None, limit: int = 50, channel: str | None = None) -> list[dict]:
    where, args = [], []
    if status:
        where.append("status = ?")
        args.append(status)
    if channel:
        where.append("channel = ?")
        args.append(channel)
    sql = "select * from alerts" + (" where " + " and ".join(where) if where else "")
    return _rows(db, sql + " order by id desc limit ?", [*args, limit])


def alert_counts(db) -> dict:
    """{(channel, status): count} over the whole outbox."""
    return {(c, s): n for c, s, n in db.execute(
        "select channel, status, count(*) from alerts group by channel, status")}


def story_alerts(db, cluster_id: int, channel: str) -> list[dict]:
    """Every outbox row (alert and updates) of one story for one channel."""
    return _rows(db, "select * from alerts where cluster_id = ? and channel = ? order by id",
                     [cluster_id, channel])


def retry_alerts(db, channel: str | None = None) -> int:
    """Failed and backing-off alerts become due now, with a fresh count of attempts."""
    sql = ("update alerts set status = 'pending', attempts = 0, next_attempt_at = ? "
           "where status = 'failed' or (status = 'pending' and attempts > 0)")
    args = [now()]
    if channel:
        sql = sql.replace(" where ", " where channel = ? and (") + ")"
        args.append(channel)
    return db.execute(sql, args).rowcount


def event_matches(db, key: dict, article_id: int, around: datetime, within: timedelta,
                  limit: int = 200) -> list[dict]:
    """Other articles carrying the same signal (type, modality, change, agent, target,
    place) dated about `within` of `around` (or undated for SQLite), newest first, with
    their cluster and dates. The caller checks the window exactly: SQLite only drops the
    rows far outside it (a day's margin for any reading of an odd date string), so that a
    story from months ago is not crowded out of `limit` by a year of daily reports of the
    same kind, and those reports are not read into Python only to be thrown away."""
    return _rows(db,
        "select a.id, a.cluster_id, a.published_at, a.fetched_at from signals s "
        "join articles a on a.id = s.article_id where s.type = ? and s.agent is ? and s.target is ? "
        "and s.modality = ? and s.change is ? and s.place is ? and a.id != ? "
        "and coalesce(abs(julianday(coalesce(a.published_at, a.fetched_at)) - julianday(?)) <= ?, 1) "
        "order by s.id desc limit ?",
        [key["type"], key["agent"], key["target"], key["modality"], key["change"], key["place"],
         article_id, around.isoformat(), within / timedelta(days=1) + 1, limit])


def articles_by_id(db, ids) -> list[dict]:
    ids = list(ids)
    marks = ",".join("?" * len(ids))
    return _rows(db, f"select id, source, url, reprint_of, cluster_id from articles where id in ({marks})", ids)


def path_of(db) -> str:
    """The database file ('' for an in-memory database)."""
    return db.execute("PRAGMA database_list").fetchone()[2] or ""


# -- runs and sources ---------------------------------------------------------
def upsert_source(db, source) -> None:
    db["sources"].upsert({"name": source.name, "spider": source.spider, "url": source.url,
                          "lang": source.lang, "added_at": now()}, pk="name")


def start_run(db, source: str) -> int:
    return db["runs"].insert({"source": source, "started_at": now(), "status": "running"}).last_pk


def end_run(db, run_id: int, result: dict) -> None:
    http = result.get("http")
    db["runs"].update(run_id, {
        "ended_at": now(), "pages": result.get("pages", 0), "new_articles": result.get("new_articles", 0),
        "errors": result.get("errors", 0), "status": result.get("status", "ok"),
        "error": result.get("error"), "http": json.dumps(http) if http else None})


def article_count(db, source: str) -> int:
    return db.execute("select count(*) from articles where source = ?", [source]).fetchone()[0]


# -- the daemon and `monitor run` ---------------------------------------------
def pending_pages(db, source: str) -> int:
    """Pages of a source still to be processed (queued, or being processed)."""
    return db.execute("select count(*) from inbox where source = ? and (claimed_at is not null or attempts < ?)",
                      [source, MAX_PAGE_ATTEMPTS]).fetchone()[0]


def failed_pages(db, source: str, since: str) -> int:
    """Pages of a source fetched since `since` that failed every attempt."""
    return db.execute("select count(*) from inbox where source = ? and attempts >= ? and claimed_at is null "
                      "and fetched_at >= ?", [source, MAX_PAGE_ATTEMPTS, since]).fetchone()[0]


def last_article_id(db) -> int:
    return db.execute("select coalesce(max(id), 0) from articles").fetchone()[0]


def articles_after(db, source: str, article_id: int) -> int:
    return db.execute("select count(*) from articles where source = ? and id > ?", [source, article_id]).fetchone()[0]


def stop_runs(db, error: str) -> int:
    """Runs left `running` by a monitor that was killed: they did not finish."""
    cur = db.execute("update runs set status = 'stopped', error = ? where status = 'running'", [error])
    db.conn.commit()
    return cur.rowcount


def recent_runs(db, source: str, limit: int = 50) -> list[dict]:
    """A source's finished runs, newest first (stopped runs are not judged)."""
    return _rows(db, "select * from runs where source = ? and status not in ('running', 'stopped') "
                     "order by id desc limit ?", [source, limit])


def arrivals(db, source: str, since: str, limit: int = 5000) -> list[dict]:
    """The runs since `since` that brought new articles, newest first."""
    return _rows(db, "select id, ended_at, new_articles from runs where source = ? and new_articles > 0 "
                     "and ended_at >= ? order by id desc limit ?", [source, since, limit])


def failure_streak(db, source: str, before: int | None = None) -> tuple[int, int | None]:
    """(failed runs in a row, id of the first of them) ending just before run `before`
    (or with the latest run)."""
    before = before if before is not None else 1 << 62
    last_ok = db.execute("select coalesce(max(id), 0) from runs where source = ? and id < ? and status = 'ok'",
                         [source, before]).fetchone()[0]
    n, first = db.execute("select count(*), min(id) from runs where source = ? and id > ? and id < ? "
                          "and status in ('failing', 'blocked')", [source, last_ok, before]).fetchone()
    return n, first


def last_run(db, source: str) -> dict | None:
    return next(iter(recent_runs(db, source, limit=1)), None)


def insert_alert_once(db, row: dict) -> bool:
    """Queue an alert unless one with its dedupe key exists; True if queued."""
    row = {"status": "pending", "attempts": 0, "created_at": now(), "next_attempt_at": now(), **row}
    cols = ",".join(f"[{c}]" for c in row)
    cur = db.execute(f"insert or ignore into alerts ({cols}) values ({','.join('?' * len(row))})", list(row.values()))
    db.conn.commit()
    return cur.rowcount == 1


# -- what the crawler remembers between runs (m003) --------------------------------
MAX_URL_ATTEMPTS = 3       # a link that failed for good this many runs is no longer fetched


def skip_urls(db, urls) -> set:
    """The URLs among `urls` not worth a request: stored or queued (under this spelling
    or as an alias of a stored or queued page), or given up after repeated failures."""
    urls = list(dict.fromkeys(urls))
    if not urls:
        return set()
    marks = ",".join("?" * len(urls))
    rows = db.execute(
        f"select url from articles where url in ({marks}) union "
        f"select url from inbox where url in ({marks}) union "
        f"select alias from url_aliases where alias in ({marks}) and "
        f"(url in (select url from articles) or url in (select url from inbox)) union "
        f"select url from failed_urls where url in ({marks}) and attempts >= ?",
        urls * 4 + [MAX_URL_ATTEMPTS])
    return {r[0] for r in rows}


def add_aliases(db, url: str, aliases, commit: bool = True) -> None:
    """Record other spellings of the page stored (or queued) under `url`; a page fetched
    again under any of them has not failed for good after all."""
    rows = [(a, url, now()) for a in dict.fromkeys(aliases) if a and a != url]
    if rows:
        db.conn.executemany("insert or replace into url_aliases (alias, url, added_at) values (?, ?, ?)", rows)
    spellings = [url, *(a for a, _, _ in rows)]
    db.execute(f"delete from failed_urls where url in ({','.join('?' * len(spellings))})", spellings)
    if commit:
        db.conn.commit()


def record_failure(db, url: str, source: str, reason: str) -> int:
    """Count one more run in which `url` failed for good; returns the attempts so far."""
    db.execute(
        "insert into failed_urls (url, source, reason, attempts, first_at, last_at) values (?, ?, ?, 1, ?, ?) "
        "on conflict(url) do update set attempts = attempts + 1, reason = excluded.reason, last_at = excluded.last_at",
        [url, source, reason, now(), now()])
    db.conn.commit()
    return db.execute("select attempts from failed_urls where url = ?", [url]).fetchone()[0]


def feed_cache(db, url: str) -> dict | None:
    """The validators (etag, last_modified), child links and time of the last full read
    (checked_at) of a feed."""
    row = db.execute("select etag, last_modified, links, checked_at from feed_cache where url = ?", [url]).fetchone()
    if row is None:
        return None
    return {"etag": row[0], "last_modified": row[1], "links": json.loads(row[2]) if row[2] else [],
            "checked_at": row[3]}


def save_feed_cache(db, url: str, etag: str | None, last_modified: str | None, links=None) -> None:
    db.execute("insert or replace into feed_cache (url, etag, last_modified, links, checked_at) values (?, ?, ?, ?, ?)",
               [url, etag, last_modified, json.dumps(list(links)) if links else None, now()])
    db.conn.commit()


def cached_robots(db, host: str, max_age: int) -> str | None:
    """A host's robots.txt if fetched less than `max_age` seconds ago."""
    row = db.execute("select body, fetched_at from robots_txt where host = ?", [host]).fetchone()
    if row is None:
        return None
    age = (datetime.now(timezone.utc) - datetime.fromisoformat(row[1])).total_seconds()
    return row[0] if 0 <= age < max_age else None


def save_robots(db, host: str, body: str) -> None:
    db.execute("insert or replace into robots_txt (host, body, fetched_at) values (?, ?, ?)", [host, body, now()])
    db.conn.commit()
