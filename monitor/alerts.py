"""Which stored signals go to which channel, and what the outbox must hold. Pure functions.

One event is one alert per channel: the key is the cluster (the same story on every site
that carried it, see cluster.py), so a reprint adds a source to the alert instead of a new
alert. Once an alert is sent, the story can still produce:
- a follow-up alert, if it gains a kind of signal the sent alert did not have (a missed
  event is worse than one more message);
- one short update per rise in independent sources, for channels with `updates: true`.
The payload stored with each row is what render.py turns into a message.
"""
import json
import re

from . import render
from .rules import AlertRule

_ORDER = {"occurred": 0, "threatened": 1, "denied": 2}
_OBFUSCATED = re.compile(r"(?<=[A-Za-z])\*+(?=[A-Za-z])")   # SOHR English writes "kil*led"
CORROBORATION_BONUS = 0.1     # per independent source beyond the first
MAX_SIGNALS = 20              # lines in one alert; channels with less room show fewer


def corroborated(score: float, independent: int) -> float:
    """A signal reported by several independent outlets is more likely true."""
    return round(min(1.0, score + CORROBORATION_BONUS * max(0, independent - 1)), 4)


def rule_matches(rule: AlertRule, sig: dict, n_sources: int) -> bool:
    return ((not rule.types or sig["type"] in rule.types)
            and (not rule.modalities or sig["modality"] in rule.modalities)
            and (not rule.actors or sig["agent"] in rule.actors or sig["target"] in rule.actors)
            and (not rule.places or sig["place"] in rule.places)
            and corroborated(sig["score"], n_sources) >= rule.min_score and n_sources >= rule.min_sources)


def route(signals: list[dict], n_sources: int, rules, channel) -> tuple[list, list] | None:
    """(rule names, signals) of a story that reach `channel`, or None."""
    names, picked = [], []
    for rule in rules:
        if not set(rule.tags) & set(channel.tags):
            continue
        hits = [s for s in signals if rule_matches(rule, s, n_sources)
                and corroborated(s["score"], n_sources) >= channel.min_score]
        if hits:
            names.append(rule.name)
            picked.extend(s for s in hits if s not in picked)
    return (names, picked) if picked else None


def dedupe_key(cluster_id: int, channel: str) -> str:
    return f"cluster:{cluster_id}:{channel}"


def line_key(s: dict) -> list:
    """One alert line per (type, modality, change, agent)."""
    return [s["type"], s["modality"], s.get("change"), s.get("agent")]


def kind_key(s: dict) -> list:
    """A kind of signal (type, modality, change): a story that gains a kind its sent alert
    did not have gets a follow-up. Not by agent: outlets name the parties differently."""
    return [s["type"], s["modality"], s.get("change")]


def distinct(signals: list[dict]) -> list[dict]:
    """One line per line_key across the story's articles: first the best signal of each kind
    (type, modality, change), so that a short message still shows every kind; then the rest.
    Occurred before threatened before denied, best score first."""
    seen, first, rest, kinds = set(), [], [], set()
    for s in sorted(signals, key=lambda s: (_ORDER.get(s["modality"], 9), -s["score"])):
        key = tuple(line_key(s))
        if key in seen:
            continue
        seen.add(key)
        kind = (s["type"], s["modality"], s.get("change"))
        (rest if kind in kinds else first).append(s)
        kinds.add(kind)
    return first + rest


def event(articles: list[dict], signals: list[dict], independent: int, rule_names, rules) -> dict:
    """The payload of one outbox row: everything a channel needs to render the alert."""
    lines = distinct(signals)[:MAX_SIGNALS]
    lead = next((a for a in articles if not a.get("reprint_of")), articles[0])
    others: dict = {}
    for a in articles:                    # one link per source: its first article
        if a["source"] != lead["source"]:
            others.setdefault(a["source"], a)
    shown = [lead, *others.values()]
    places = getattr(rules, "places", {}) or {}
    actors = getattr(rules, "actors", {}) or {}
    return {
        "title": _OBFUSCATED.sub("", lead.get("title") or "") or "(untitled)",
        "lang": lead.get("lang") or "ar",
        "url": lead["url"],
        "articles": [{k: a.get(k) for k in ("source", "url", "title", "lang", "published_at", "reprint_of")}
                     for a in shown],
        "signals": [{**{k: s.get(k) for k in ("type", "modality", "change", "agent", "target", "place",
                                              "evidence", "source")},
                     "score": corroborated(s["score"], independent),
                     "agent_name": actors.get(s.get("agent")), "target_name": actors.get(s.get("target")),
                     "place_name": (places.get(s.get("place")) or (None,))[0],
                     "governorate": (places.get(s.get("place")) or (None, None))[1]} for s in lines],
        "keys": [list(k) for k in dict.fromkeys(tuple(kind_key(s)) for s in signals)],
        "score": max(corroborated(s["score"], independent) for s in signals),
        "independent": independent,
        "rules": list(rule_names),
    }


def outbox_row(ev: dict, kind: str = "alert") -> dict:
    """The columns of an outbox row for `ev` (render.text gives the stored title and body)."""
    title, body = render.text(ev, kind)
    return {"title": title, "body": body, "rules": ",".join(ev["rules"]), "kind": kind,
            "sources": ",".join(dict.fromkeys(a["source"] for a in ev["articles"])),
            "score": ev["score"], "payload": json.dumps(ev, ensure_ascii=False)}


def changes(rows: list[dict], channel, cluster_id: int, ev: dict) -> list[tuple]:
    """What the outbox needs for one story and one channel, given its rows so far:
    ("insert", row) and ("update", id, fields) steps."""
    base = dedupe_key(cluster_id, channel.name)
    payloads = {r["id"]: json.loads(r["payload"]) if r.get("payload") else None for r in rows}
    alerts = [r for r in rows if r.get("kind", "alert") == "alert"]
    done = [r for r in alerts if r["status"] != "pending"]
    if any(payloads[r["id"]] is None for r in done):
        return []      # sent before payloads were stored: nothing to compare with, stay silent
    covered = {tuple(k) for r in done for k in payloads[r["id"]]["keys"]}
    new = [s for s in ev["signals"] if tuple(kind_key(s)) not in covered]
    out = []
    pending = next((r for r in alerts if r["status"] == "pending"), None)
    if new:
        fresh = {**ev, "signals": new, "score": max(s["score"] for s in new), "follow_up": True} if done else ev
        if pending:
            out.append(("update", pending["id"], outbox_row(fresh)))
        else:
            key = base if not alerts else f"{base}:{len(alerts) + 1}"
            out.append(("insert", {**outbox_row(fresh), "dedupe_key": key, "cluster_id": cluster_id,
                                   "channel": channel.name}))
    if channel.updates and done and not new:
        seen = [payloads[r["id"]] for r in rows if payloads[r["id"]]
                and not (r.get("kind") == "update" and r["status"] == "pending")]
        before = max(seen, key=lambda p: p["independent"])
        if ev["independent"] > before["independent"]:
            upd = {**ev, "previous": {"independent": before["independent"], "score": before["score"],
                                      "sources": [a["source"] for a in before["articles"]]}}
            waiting = next((r for r in rows if r.get("kind") == "update" and r["status"] == "pending"), None)
            if waiting:
                out.append(("update", waiting["id"], outbox_row(upd, "update")))
            else:
                out.append(("insert", {**outbox_row(upd, "update"), "dedupe_key": f"{base}:update:{ev['independent']}",
                                       "cluster_id": cluster_id, "channel": channel.name}))
    return out
