"""`monitor backtest`: what edited watchlists would change over the stored articles.

Re-detects every stored article of the period with the candidate watchlists and compares,
story by story, the alerts they would raise with the alerts actually in the outbox, and
the signals with the stored ones, so a watchlist can be tuned before it goes live.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import alerts as routing, cluster, db as store
from .detect import detect
from .render import summary
from .process import document


@dataclass
class StoryDiff:
    title: str
    sources: list
    appear: list = field(default_factory=list)      # channels that would newly get an alert
    disappear: list = field(default_factory=list)   # channels whose alert would not be raised
    added: list = field(default_factory=list)       # signal summaries
    removed: list = field(default_factory=list)


def _key(s: dict) -> tuple:
    return (s["type"], s["modality"], s["change"], s["agent"])


def backtest(db, channels, rules, days: int, sources=()) -> tuple[int, list[StoryDiff]]:
    cutoff = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    arts = store.articles_since(db, cutoff)
    by_cluster: dict = {}
    for a in arts:
        by_cluster.setdefault(a["cluster_id"], []).append(a)
    diffs = []
    for cid, members in by_cluster.items():
        old = store.cluster_signals(db, cid)
        new = [{**s.as_dict(), "source": a["source"]} for a in members
               for s in detect(document(a["title"], a["text"]), rules, a["lang"])]
        n_sources = len({cluster.origin(a, sources) for a in members})
        live = set(store.alert_channels(db, cid))
        would = {ch.name for ch in channels if routing.route(new, n_sources, rules.alerts, ch)}
        old_keys = {_key(s): s for s in old}
        new_keys = {_key(s): s for s in new}
        d = StoryDiff(members[0]["title"], sorted({a["source"] for a in members}),
                      sorted(would - live), sorted(live - would),
                      [summary(new_keys[k]) for k in new_keys.keys() - old_keys.keys()],
                      [summary(old_keys[k]) for k in old_keys.keys() - new_keys.keys()])
        if d.appear or d.disappear or d.added or d.removed:
            diffs.append(d)
    return len(arts), diffs


def report(n_articles: int, diffs: list[StoryDiff], days: int) -> str:
    lines = [f"Backtest over {n_articles} stored articles from the last {days} days."]
    for d in diffs:
        head = "+ NEW ALERT" if d.appear else "- NO ALERT " if d.disappear else "~ CHANGED  "
        chans = ", ".join(d.appear or d.disappear)
        lines.append(f"\n{head} {('[' + chans + '] ') if chans else ''}{d.title}  ({', '.join(d.sources)})")
        lines += [f"    + {s}" for s in d.added] + [f"    - {s}" for s in d.removed]
    appear = sum(bool(d.appear) for d in diffs)
    gone = sum(bool(d.disappear) for d in diffs)
    lines.append(f"\n{appear} alert(s) would appear, {gone} would disappear; "
                 f"{sum(bool(d.added or d.removed) for d in diffs)} stories change signals.")
    return "\n".join(lines)
