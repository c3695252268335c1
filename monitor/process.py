"""One fetched page → extracted article → signals → outbox, in one transaction."""
import hashlib
from dataclasses import dataclass

from . import alerts, cluster, db as store
from .detect import detect
from .extract import extract
from .rules import Rules
from .urls import canonical


@dataclass(frozen=True)
class Context:
    rules: Rules
    channels: tuple

    @property
    def routed(self) -> bool:
        """Does any alert rule reach any channel? If not, there is no outbox to fill."""
        tags = {t for c in self.channels for t in c.tags}
        return any(tags & set(r.tags) for r in self.rules.alerts)


def document(title: str, text: str) -> str:
    """What detection reads: the headline often carries the news, so it comes first."""
    return f"{title}\n\n{text}" if title else text


def process_page(db, ctx: Context, page: dict, inbox_id: int | None = None) -> str:
    """Store a page's article and its consequences, and take the page out of the inbox,
    all in one transaction. Returns new | known | empty."""
    url = canonical(page["url"])
    art = None if store.has_article(db, url) else extract(page["html"], url)
    if art is None:
        with store.transaction(db):
            if inbox_id is not None:
                store.drop_from_inbox(db, inbox_id)
        return "known" if store.has_article(db, url) else "empty"
    art["published_at"] = art["published_at"] or page.get("feed_date")
    art["title"] = art["title"] or page.get("feed_title") or ""
    art["lang"] = page.get("lang") or art["lang"]
    signals = [s.as_dict() for s in detect(document(art["title"], art["text"]), ctx.rules, art["lang"])]
    sketch = cluster.sketch(art["text"])
    with store.transaction(db):
        if inbox_id is not None:
            store.drop_from_inbox(db, inbox_id)
        if store.has_article(db, url):      # another process stored it meanwhile
            return "known"
        aid = store.insert_article(db, {**art, "url": url, "source": page["source"],
                                        "fetched_at": store.now(), "hash": hashlib.sha1(art["text"].encode()).hexdigest()})
        similar = store.similar_articles(db, sketch, cluster.MIN_SHARED)
        cid = store.article(db, similar[0][0])["cluster_id"] if similar else aid
        store.set_cluster(db, aid, cid)
        store.save_sketch(db, aid, sketch)
        store.insert_signals(db, aid, signals)
        if signals and ctx.routed and not page.get("quiet"):    # quiet: backfilled old news
            refresh_alerts(db, ctx, cid)
    return "new"


def refresh_alerts(db, ctx: Context, cluster_id: int) -> None:
    """Create or update the outbox rows of one story (called inside the transaction)."""
    arts = store.cluster_sources(db, cluster_id)
    sigs = store.cluster_signals(db, cluster_id)
    n_sources = len({a["source"] for a in arts})
    for channel, (rule_names, picked) in alerts.plan(sigs, n_sources, ctx.rules.alerts, ctx.channels).items():
        title, body = alerts.render_text(arts, picked)
        key = alerts.dedupe_key(cluster_id, channel)
        row = {"title": title, "body": body, "rules": ",".join(rule_names),
               "sources": ",".join(dict.fromkeys(a["source"] for a in arts)),
               "score": max(s["score"] for s in picked)}
        existing = store.alert_by_key(db, key)
        if existing is None:
            store.insert_alert(db, {**row, "dedupe_key": key, "cluster_id": cluster_id, "channel": channel})
        elif existing["status"] == "pending":
            store.update_alert(db, existing["id"], row)
