"""One fetched page → extracted article → signals → outbox, in one transaction."""
import hashlib
from collections import Counter
from dataclasses import dataclass

from . import alerts, cluster, db as store, schedule
from .detect import detect
from .extract import extract
from .rules import Rules
from .urls import canonical


@dataclass(frozen=True)
class Context:
    rules: Rules
    channels: tuple
    sources: tuple = ()     # the config's sources: which outlet a reprint line names

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
        cid = story_of(db, ctx, {**art, "id": aid, "url": url, "source": page["source"]}, sketch, signals) or aid
        store.set_cluster(db, aid, cid)
        store.save_sketch(db, aid, sketch)
        store.insert_signals(db, aid, signals)
        if (signals or cid != aid) and ctx.routed and not page.get("quiet"):    # quiet: backfilled old news
            refresh_alerts(db, ctx, cid)
    return "new"


def story_of(db, ctx: Context, art: dict, sketch, signals) -> int | None:
    """The cluster an article joins: the same text (less of it for a reprint whose line names
    the other outlet), else the same signal on the same actors within the event window."""
    near = store.similar_articles(db, sketch, cluster.REPRINT_MIN_SHARED)
    if near:
        others = {a["id"]: a for a in store.articles_by_id(db, [i for i, _ in near])}
        for other_id, shared in near:            # most shared first
            other = others[other_id]
            if shared >= cluster.MIN_SHARED or _reprint_pair(art, other, ctx.sources):
                return other["cluster_id"]
    when = schedule.parse_time(art.get("published_at")) or schedule.parse_time(store.now())
    votes: Counter = Counter()
    for sig in signals:
        key = cluster.event_key(sig)
        if key is None:
            continue
        hit = {m["cluster_id"] for m in store.event_matches(db, key, art["id"], when, cluster.EVENT_WINDOW)
               if cluster.close_in_time(when, schedule.parse_time(m["published_at"] or m["fetched_at"]))}
        votes.update(hit)
    return votes.most_common(1)[0][0] if votes else None


def _reprint_pair(a: dict, b: dict, sources) -> bool:
    """Does either article's reprint line name the other's outlet?"""
    return any(x.get("reprint_of") and cluster.outlet_named(x["reprint_of"], sources) == cluster.outlet_key(y["url"])
               for x, y in ((a, b), (b, a)))


def refresh_alerts(db, ctx: Context, cluster_id: int) -> None:
    """Create or update the outbox rows of one story (called inside the transaction)."""
    arts = store.cluster_sources(db, cluster_id)
    sigs = store.cluster_signals(db, cluster_id)
    independent = len({cluster.origin(a, ctx.sources) for a in arts})
    for ch in ctx.channels:
        routed = alerts.route(sigs, independent, ctx.rules.alerts, ch)
        if routed is None:
            continue
        ev = alerts.event(arts, routed[1], independent, routed[0], ctx.rules)
        for step in alerts.changes(store.story_alerts(db, cluster_id, ch.name), ch, cluster_id, ev):
            if step[0] == "insert":
                store.insert_alert(db, step[1])
            else:
                store.update_alert(db, step[1], step[2])
