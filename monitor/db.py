"""All SQL lives here: the schema (migrated forward on open) and the reads and writes.

One SQLite file in WAL mode, so a crawl in a child process can write while the parent
reads. Tables are named and laid out to make sense in Datasette without our code.
"""
import contextlib
import json
import sqlite3
from datetime import datetime, timezone
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


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`."""
    path = Path(path)
    if not path.parent.exists():
        raise UserError(f"the folder of the database {path} does not exist",
                        hint="create it or change `database:` in the config")
    try:
        db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=30))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"cannot use the database {path}: {exc}",
                        hint="check the file is a monitor database and not locked by another program") from None
    return db


@contextlib.contextmanager
def transaction(db):
    """All or nothing. BEGIN IMMEDIATE takes the write lock up front, so two processes
    never both read and then fail to upgrade (SQLITE_BUSY despite the timeout)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


# -- articles -----------------------------------------------------------------
def known_urls(db, urls) -> set:
    urls = list(urls)
    if not urls:
        return set()
    marks = ",".join("?" * len(urls))
    return {r[0] for r in db.execute(f"select url from articles where url in ({marks})", urls)}


def has_url(db, url: str) -> bool:
    return bool(known_urls(db, [url]))


def insert_article(db, article: dict) -> int:
    return db["articles"].insert(article).last_pk


def save_sketch(db, article_id: int, sketch) -> None:
    db["sketches"].insert_all(({"hash": h, "article_id": article_id} for h in sketch), batch_size=500)


def similar_articles(db, sketch, min_shared: int) -> list[tuple[int, int]]:
    """(article_id, shared hashes) for stored articles sharing at least `min_shared`."""
    if not sketch:
        return []
    marks = ",".join("?" * len(sketch))
    return list(db.execute(
        f"select article_id, count(*) c from sketches where hash in ({marks}) "
        f"group by article_id having c >= ? order by c desc limit 5", [*sketch, min_shared]))


def article(db, article_id: int) -> dict:
    return next(db.query("select * from articles where id = ?", [article_id]))


def set_cluster(db, article_id: int, cluster_id: int) -> None:
    db["articles"].update(article_id, {"cluster_id": cluster_id})


def cluster_sources(db, cluster_id: int) -> list[dict]:
    return list(db.query("select id, source, url, title, reprint_of from articles where cluster_id = ? "
                         "order by id", [cluster_id]))


def cluster_signals(db, cluster_id: int) -> list[dict]:
    return list(db.query(
        "select s.*, a.source from signals s join articles a on a.id = s.article_id "
        "where a.cluster_id = ? order by s.id", [cluster_id]))


def search(db, query: str, limit: int = 20) -> list[dict]:
    try:
        return list(db.query(
            "select a.id, a.source, a.published_at, a.title, a.url, "
            "snippet(articles_fts, 1, '[', ']', '…', 12) as snippet "
            "from articles_fts join articles a on a.rowid = articles_fts.rowid "
            "where articles_fts match ? order by rank limit ?", [query, limit]))
    except sqlite3.OperationalError as exc:
        raise UserError(f"invalid search query {query!r}: {exc}",
                        hint='quote phrases with "…" and use AND / OR / NOT') from None


# -- signals ------------------------------------------------------------------
def insert_signals(db, article_id: int, signals: list[dict]) -> None:
    db["signals"].insert_all({**s, "article_id": article_id} for s in signals)


# -- alerts (the outbox) ------------------------------------------------------
def alert_by_key(db, key: str) -> dict | None:
    return next(db.query("select * from alerts where dedupe_key = ?", [key]), None)


def insert_alert(db, row: dict) -> None:
    db["alerts"].insert({**row, "status": "pending", "attempts": 0, "created_at": now(),
                         "next_attempt_at": now()})


def update_alert(db, alert_id: int, fields: dict) -> None:
    db["alerts"].update(alert_id, fields)


def due_alerts(db, at: str | None = None) -> list[dict]:
    return list(db.query("select * from alerts where status = 'pending' and next_attempt_at <= ? "
                         "order by id", [at or now()]))


def alerts(db, status: str | None = None, limit: int = 50) -> list[dict]:
    if status:
        return list(db.query("select * from alerts where status = ? order by id desc limit ?", [status, limit]))
    return list(db.query("select * from alerts order by id desc limit ?", [limit]))


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
