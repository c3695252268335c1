"""Text in, escalation signals out: triggers × cues × actors × places, by the codebook.

`analyse` also returns the near misses and the words behind each decision, for
`monitor explain`; `detect` returns the signals alone.
"""
from dataclasses import dataclass, field

from .clauses import Clause, Words, split_clauses
from .matcher import Hit
from .roles import assign
from .rules import CHANGE_TYPES, Rules
from .text import normalise


@dataclass
class Signal:
    type: str
    modality: str
    change: str | None
    agent: str | None
    target: str | None
    place: str | None
    score: float
    evidence: str
    start: int
    end: int
    why: dict = field(default_factory=dict, compare=False)   # words behind it, for `explain`

    def as_dict(self) -> dict:
        return {"type": self.type, "modality": self.modality, "change": self.change,
                "agent": self.agent, "target": self.target, "place": self.place,
                "score": round(self.score, 2), "evidence": self.evidence,
                "start": self.start, "end": self.end}


@dataclass
class NearMiss:
    type: str
    words: str
    reason: str
    start: int
    end: int


@dataclass
class Analysis:
    signals: list
    near_misses: list


def detect(text: str, rules: Rules, lang: str | None = None) -> list[Signal]:
    return analyse(text, rules, lang).signals


def analyse(text: str, rules: Rules, lang: str | None = None) -> Analysis:
    n = normalise(text)
    hits = _resolve(rules.matcher.find(n))
    words = Words(n.text)
    misses: list[NearMiss] = []
    found: list[Signal] = []
    src = _Source(text, n)
    for clause in split_clauses(n.text, hits):
        for trig in clause.of("trigger"):
            sig = _signals(trig, clause, words, rules, src, misses)
            found.extend(sig)
    found = _threats_about_others(found, misses)
    return Analysis(_collapse(found), misses)


class _Source:
    """Maps normalised spans back to the caller's text."""

    def __init__(self, text, n):
        self.text, self.n = text, n

    def span(self, s, e):
        return self.n.source_offset(s), self.n.source_end(e)

    def words(self, h: Hit) -> str:
        a, b = self.span(h.wstart, h.wend)
        return self.text[a:b]


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Drop what is covered: a shorter hit of the same kind inside a longer one; triggers
    and actors inside an exclusion phrase (kept for near misses); cues inside pseudo-cues."""
    masks = {"exclusion": [h for h in hits if h.payload[0] == "exclusion"],
             "pseudo": [h for h in hits if h.payload[0] == "pseudo"]}
    out = []
    for h in hits:
        kind = h.payload[0]
        if kind == "cue" and any(_covers(p, h) for p in masks["pseudo"]):
            continue
        if kind == "actor" and any(_covers(p, h) for p in masks["exclusion"]):
            continue
        same = [o for o in hits if o is not h and o.payload[0] == kind and _covers(o, h)
                and (o.end - o.start) > (h.end - h.start)]
        if same and kind in ("trigger", "actor", "place", "change"):
            continue
        out.append(h)
    return out


def _covers(outer: Hit, inner: Hit) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _signals(trig: Hit, clause: Clause, words: Words, rules: Rules, src: _Source, misses) -> list[Signal]:
    t = trig.payload[1]
    ttype = t.type

    def miss(reason):
        misses.append(NearMiss(ttype, src.words(trig), reason, *src.span(trig.wstart, trig.wend)))
        return []

    for ex in clause.of("exclusion"):
        if ex.start < trig.end and trig.start < ex.end:
            return miss(f"excluded: {ex.payload[1]}")
    if t.requires and not any(h.payload[1] in t.requires for h in clause.of("word")):
        return miss(f"needs one of {', '.join(sorted(t.requires))} in the same clause")
    anchors, change, change_hit = [trig], None, None
    if ttype in CHANGE_TYPES:
        change_hit = _nearest_change(trig, clause, words)
        if change_hit is None:
            return miss("no start, resumption, halt or reduction in the clause (a routine mention)")
        change = change_hit.payload[1]
        anchors = [trig, change_hit]
    if ttype == "shelling" and clause.of("aircraft"):
        ttype = "airstrike"   # CODEBOOK rule 10: قصف by aircraft is an airstrike
    modality, cue = _modality(ttype, trig, change_hit, clause, words)
    if modality == "conditional":
        return miss(f"inside a condition ('{src.words(cue)}'): CODEBOOK rule 3")
    parties = assign(ttype, anchors, clause, words)
    if t.agents and not set(parties.agents) & t.agents:
        return miss(f"counts only when the agent is one of {', '.join(sorted(t.agents))}")
    place = _place(trig, clause, words)
    s, e = src.span(*clause.sentence)
    score = _score(parties, place, clause, words, trig)
    why = {"trigger": src.words(trig), "change": src.words(change_hit) if change_hit else None,
           "cue": src.words(cue) if cue else None,
           "actors": [src.words(h) for h in parties.words]}
    agents = parties.agents or (None,)
    return [Signal(ttype, modality, change, a, parties.target if parties.target != a else None,
                   place, score, src.text[s:e], s, e, why) for a in agents]


def _nearest_change(trig: Hit, clause: Clause, words: Words) -> Hit | None:
    changes = clause.of("change")
    if {c.payload[1] for c in changes} == {"up", "down"}:
        # CODEBOOK rule 2: a resumption presupposes the halt ("بعد تقليصها", "after a halt").
        seq = [h for h in clause.hits if h.payload[:2] == ("role", "sequence")]
        changes = [c for c in changes if c.payload[1] == "up"
                   or not any(h.end <= c.wstart and words.between(h, c) <= 1 for h in seq)]
    if not changes:
        return None
    return min(changes, key=lambda c: (words.between(c, trig), c.start > trig.start))


def _modality(ttype, trig, change_hit, clause, words):
    """Precedence: condition > denial > threat/future > occurred (research §3)."""
    anchor = change_hit or trig
    found = {}
    for c in clause.of("cue"):
        cue = c.payload[1]
        if c.start < anchor.end and anchor.start < c.end or (c.start < trig.end and trig.start < c.end):
            continue
        before = c.end <= anchor.start
        if cue.side == "before" and not before or cue.side == "after" and before:
            continue
        if words.between(c, anchor) <= cue.window:
            found.setdefault(cue.kind, c)
    if "conditional" in found:
        return "conditional", found["conditional"]
    if "denied" in found:
        return "denied", found["denied"]
    if ttype == "threat":
        return "occurred", None   # CODEBOOK rule 4: the act of threatening happened
    if "threatened" in found:
        return "threatened", found["threatened"]
    if anchor.future or trig.future:
        return "threatened", anchor if anchor.future else trig
    return "occurred", None


def _place(trig: Hit, clause: Clause, words: Words) -> str | None:
    locs = [h for h in clause.hits if h.payload[:2] == ("role", "locative")]
    places = []
    for p in clause.of("place"):
        if p.payload[2] and not (p.left.endswith("ب") or any(
                h.end <= p.wstart and words.between(h, p) == 0 for h in locs)):
            continue   # a name that is also a common word needs "في/قرب/مدينة/in/near" before it
        places.append(p)
    if not places:
        return None
    return min(places, key=lambda p: words.between(p, trig)).payload[1]


def _score(parties, place, clause, words, trig) -> float:
    score = 0.55 + (0.2 if parties.agents else 0) + (0.1 if place else 0)
    if any(c.payload[1].kind == "hedge" for c in clause.of("cue")):
        score -= 0.15
    return max(0.05, min(1.0, score))


def _threats_about_others(found: list[Signal], misses) -> list[Signal]:
    """CODEBOOK rule 4: warning that *someone else* will attack is not a threat."""
    out = []
    for s in found:
        if s.type == "threat" and s.agent:
            acts = [o for o in found if o.start == s.start and o.modality == "threatened" and o.type != "threat"]
            if acts and all(o.agent and o.agent != s.agent for o in acts):
                misses.append(NearMiss("threat", s.why.get("trigger", ""),
                                       "a warning about another party's action (CODEBOOK rule 4)", s.start, s.end))
                continue
        out.append(s)
    return out


def _collapse(found: list[Signal]) -> list[Signal]:
    """CODEBOOK rule 17: one signal per (type, modality, change, agent); the first mention
    gives the evidence, the best one the score and the missing target or place."""
    out: dict = {}
    for s in found:
        key = (s.type, s.modality, s.change, s.agent)
        if key not in out:
            out[key] = s
            continue
        kept = out[key]
        kept.score = max(kept.score, s.score)
        kept.target = kept.target or s.target
        kept.place = kept.place or s.place
    return list(out.values())
