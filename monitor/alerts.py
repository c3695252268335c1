"""Which stored signals go to which channel, and how an alert reads. Pure functions.

One event is one alert per channel: the key is the cluster (the same story on every
site that carried it), so a reprint adds a source to the alert instead of a new alert.
"""
from .rules import AlertRule

_ORDER = {"occurred": 0, "threatened": 1, "denied": 2}


def rule_matches(rule: AlertRule, sig: dict, n_sources: int) -> bool:
    return ((not rule.types or sig["type"] in rule.types)
            and (not rule.modalities or sig["modality"] in rule.modalities)
            and (not rule.actors or sig["agent"] in rule.actors or sig["target"] in rule.actors)
            and (not rule.places or sig["place"] in rule.places)
            and sig["score"] >= rule.min_score and n_sources >= rule.min_sources)


def plan(signals: list[dict], n_sources: int, rules, channels) -> dict:
    """{channel name: (rule names, signals)} for the channels this cluster must reach."""
    out = {}
    for ch in channels:
        names, picked = [], []
        for rule in rules:
            if not set(rule.tags) & set(ch.tags):
                continue
            hits = [s for s in signals if rule_matches(rule, s, n_sources) and s["score"] >= ch.min_score]
            if hits:
                names.append(rule.name)
                picked.extend(s for s in hits if s not in picked)
        if picked:
            out[ch.name] = (names, picked)
    return out


def dedupe_key(cluster_id: int, channel: str) -> str:
    return f"cluster:{cluster_id}:{channel}"


def distinct(signals: list[dict]) -> list[dict]:
    """One line per (type, modality, change, agent) across the cluster's articles."""
    seen, out = set(), []
    for s in sorted(signals, key=lambda s: (_ORDER.get(s["modality"], 9), -s["score"])):
        key = (s["type"], s["modality"], s["change"], s["agent"])
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def summary(s: dict) -> str:
    """"airstrike occurred · turkey → sdf · malikiyah": the one-line form of a signal."""
    kind = f"{s['type']} {s['modality']}" + (f" {s['change']}" if s.get("change") else "")
    who = f"{s['agent'] or '?'} → {s['target']}" if s.get("target") else (s["agent"] or "agent not named")
    return f"{kind} · {who}" + (f" · {s['place']}" if s.get("place") else "")


def render_text(articles: list[dict], signals: list[dict]) -> tuple[str, str]:
    """Plain-text title and body (console, email text part)."""
    lead = articles[0]
    sources = ", ".join(dict.fromkeys(a["source"] for a in articles))
    lines = [f"Sources: {sources}"]
    for s in distinct(signals):
        lines.append(f"- {summary(s)} (score {s['score']:.2f})")
        lines.append(f"  “{s['evidence'][:300]}”")
    lines += [f"Link: {a['url']}" for a in articles]
    return lead["title"] or "(untitled)", "\n".join(lines)
