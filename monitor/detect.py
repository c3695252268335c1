"""Text in, escalation signals out: triggers × cues × actors × places, by the codebook.

`analyse` also returns the near misses and the words behind each decision, for
`monitor explain`; `detect` returns the signals alone.
"""
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from .clauses import Clause, Words, split_clauses
from .matcher import Hit
from .roles import assign, latter, speaker
from .rules import CHANGE_TYPES, Rules, Vocabulary
from .text import normalise, unmask


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
    n = normalise(unmask(text, rules.en_words))
    hits = _resolve(rules.matcher.find(n))
    words = Words(n.text, n.lower)
    hits = sorted(hits + latter(hits, words, rules.words), key=lambda h: (h.start, -h.end))
    misses: list[NearMiss] = []
    found: list[Signal] = []
    src = _Source(text, n, words)
    wide = [h for h in hits if h.payload[0] == "exclusion" and h.payload[2] == "sentence"]
    # Text-wide exclusions (a football report, a gas accident) hold only in texts that
    # name no armed party: "mortars fell near the stadium before the match" is shelling.
    armed = any(h.payload[0] == "actor" and h.payload[1] not in ("civilians", "unknown") for h in hits)
    whole = [] if armed else [h for h in hits if h.payload[0] == "exclusion" and h.payload[2] == "text"]
    clauses = split_clauses(n.text, hits, words)
    src.clauses = clauses
    # The exclusions and triggers of each sentence: slices of the hits (sorted by start),
    # cut once per sentence, not filtered from all the hits for each clause.
    triggers = [h for h in hits if h.payload[0] == "trigger"]
    at_t, at_w = [h.start for h in triggers], [h.start for h in wide]
    per_sentence: dict = {}
    for clause in clauses:
        if clause.sentence not in per_sentence:
            s, e = clause.sentence
            per_sentence[clause.sentence] = (whole + wide[bisect_left(at_w, s):bisect_left(at_w, e)],
                                             triggers[bisect_left(at_t, s):bisect_left(at_t, e)])
        clause.cache["sentence_exclusions"], clause.cache["sentence_triggers"] = per_sentence[clause.sentence]
        for trig in clause.of("trigger"):
            sig = _signals(trig, clause, words, rules, src, misses)
            found.extend(sig)
        found.extend(_pronoun_changes(clause, clauses, words, rules, src, misses, found))
    found = _threats_about_others(found, misses, rules)
    found = _blasts_of_strikes(found, src, rules)
    _unclaimed(found, hits, src)
    _claimed(found, hits, words, rules, src)
    _blamed(found, hits, words, rules, src)
    _told_again(found, src)
    _casualties_follow_their_cause(found, src, rules.words)
    found += _denials_of_reports(hits, found, words, rules, src)
    found += _continued_as_normal(hits, found, words, rules, src)
    return Analysis(_collapse(found), misses)


class _Source:
    """Maps normalised spans back to the caller's text."""

    def __init__(self, text, n, words):
        self.text, self.n, self.words_ = text, n, words

    def span(self, s, e):
        return self.n.source_offset(s), self.n.source_end(e)

    def words(self, h: Hit) -> str:
        a, b = self.span(h.wstart, h.wend)
        return self.text[a:b]

    def word_range(self, i: int, j: int) -> str:
        t = self.words_.tokens
        a, b = self.span(t.starts[i], t.ends[j])
        return self.text[a:b]

    def sentence_start(self, at: int) -> int | None:
        """Where (in the caller's text, as a signal's `start`) the sentence holding normalised
        offset `at` begins; None outside every clause."""
        clause = next((c for c in self.clauses if c.start <= at < c.end), None)
        return self.span(*clause.sentence)[0] if clause else None


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Drop what is covered: a shorter hit of the same kind inside a longer one, and
    actors and change words inside an exclusion phrase ("الحشد الشعبي" is no build-up and
    no actor, "بدءاً من" no start)."""
    exclusions = [h for h in hits if h.payload[0] == "exclusion"]
    longest = {"trigger", "actor", "place", "change"}
    reach: dict = {}   # kind -> (end, start) of the furthest-reaching hit so far
    out = []
    for h in hits:     # sorted by (start, -end)
        kind = h.payload[0]
        # (an exclusion that is itself an actor's name, "إدارة العمليات العسكرية", silences
        # the event word inside it, not the actor)
        if kind in ("actor", "change") and any(_covers(p, h) and (kind == "change" or (p.start, p.end) != (h.start, h.end))
                                               for p in exclusions):
            continue
        if kind in longest:
            end, start = reach.get(kind, (-1, -1))
            if end > h.end or (end == h.end and start < h.start):
                continue
            if h.end > end:
                reach[kind] = (h.end, h.start)
        out.append(h)
    return out


def _covers(outer: Hit, inner: Hit) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _misser(misses: list, ttype: str, h: Hit, src: _Source):
    """miss(reason): record a near miss on the words of `h` and give no signal."""
    def miss(reason):
        misses.append(NearMiss(ttype, src.words(h), reason, *src.span(h.wstart, h.wend)))
        return []
    return miss


def _signals(trig: Hit, clause: Clause, words: Words, rules: Rules, src: _Source, misses) -> list[Signal]:
    t = trig.payload[1]
    ttype = t.type
    miss = _misser(misses, ttype, trig, src)

    for ex in clause.of("exclusion"):
        if ex.start < trig.end and trig.start < ex.end and (not ex.payload[3] or ttype in ex.payload[3]):
            return miss(f"excluded: {ex.payload[1]}")
    for ex in clause.cache["sentence_exclusions"]:
        if ex.payload[3] and ttype not in ex.payload[3]:
            continue
        where = "text" if ex.payload[2] == "text" else "sentence"
        return miss(f"excluded by «{src.words(ex)}» in the same {where}: {ex.payload[1]}")
    if t.generic and _refers_back(trig, clause, src.n):
        return miss("a definite 'the attack' after another event of its sentence names that event again")
    if t.requires and not _has_required(t.requires, clause, rules, src.n) \
            and not (ttype == "threat" and _threatens_reply(clause, src.n)):
        return miss(f"needs one of {', '.join(sorted(t.requires))} in the same clause")
    if t.unless and _has_required(t.unless, clause, rules, src.n):
        return miss(f"another sense: one of {', '.join(sorted(t.unless))} is in the same clause")
    if ttype in CHANGE_TYPES:
        changes = _changes_of(trig, clause, words, rules)
        if not changes:
            return miss("no start, resumption, halt or reduction in the clause (a routine mention)")
    else:
        changes = [None]
    if ttype == "shelling" and clause.of("aircraft") and not _ground_fire(trig, clause, words):
        ttype = "airstrike"   # CODEBOOK rule 10: قصف by aircraft is an airstrike
    out = []
    for change_hit in changes:
        out += _signal(ttype, trig, change_hit, clause, words, rules, src, miss)
    return out


def _ground_fire(trig: Hit, clause: Clause, words: Words) -> bool:
    """A ground weapon on the trigger or within two words of it: artillery, not aircraft."""
    return any(g.start < trig.end and trig.start < g.end or words.between(g, trig) <= 2
               for g in clause.of("ground_fire"))


def _pronoun_changes(clause: Clause, clauses: list, words: Words, rules: Rules, src, misses,
                     found: list) -> list[Signal]:
    """"لم يتوقف التنسيق …، لكنه تراجع", "has not stopped, but it has declined": a clause
    opening on "but it" whose change word has no noun of its own changes the noun of the
    clause before, with its own modality (CODEBOOK rule 5's seed sentence)."""
    if not clause.of("change"):
        return []
    opening = [t for t in clause.of("terminator") if words.first(t) == clause.first]
    tok = words.tokens
    if not opening or not (any(t.wend > t.end for t in opening)     # لكنه, لكنها: the pronoun is on it
                           or tok.words[clause.first + 1:clause.first + 2] in (["it"], ["they"])):
        return []
    # the change word right after "but it (has)": its subject is the pronoun
    own = [c for c in _eligible_changes(clause, words, rules) if words.between(opening[0], c) <= 2]
    before = [c for c in clauses if c.sentence == clause.sentence and c.end <= clause.start]
    nouns = [t for t in (before[-1].of("trigger") if before else []) if t.payload[1].type in CHANGE_TYPES]
    if not nouns:
        return []
    trig = nouns[-1]
    out = []
    # with no party in its own clause, the noun's party in the clause before
    party = next((f.agent for f in found if f.why.get("at") == trig.start and f.agent), None)
    for change in own[:1]:
        ttype = trig.payload[1].type
        for sig in _signal(ttype, trig, change, clause, words, rules, src, _misser(misses, ttype, change, src)):
            sig.agent = sig.agent or party
            out.append(sig)
    return out


def _refers_back(trig: Hit, clause: Clause, n) -> bool:
    definite = "ال" in trig.left or n.lower[max(0, trig.start - 4):trig.start] in ("the ", "his ")
    return definite and any(h.start < trig.start and h.payload[1].type in VIOLENT and not h.payload[1].generic
                            for h in clause.cache["sentence_triggers"])


def _warned_off(trig: Hit, clause: Clause, words: Words, rules: Rules) -> bool:
    """"warned Ankara against…", "حذرت أنقرة من…": the warned party comes right after
    (in Arabic after the subject too: "حذرت الولايات المتحدة تركيا من القيام بأي عملية")."""
    after = sorted((h for h in clause.of("actor") if h.start > trig.end), key=lambda h: h.start)
    for k, h in enumerate(after[:2]):
        if words.between(after[k - 1] if k else trig, h) != 0:
            break
        if "dissuade" in words.after(rules.roles, h, clause.last):
            return True
    return False


def _threatens_reply(clause: Clause, n) -> bool:
    """"هددت أنقرة بالرد على …", "threatened to respond to …": the clause is cut where the
    answered event starts ("الرد على", "respond to" are terminators), but "by replying",
    "to respond" is the threatened force itself (CODEBOOK rule 4)."""
    after = n.lower[clause.end:clause.end + 8]
    return after.startswith("بالرد") or (after.startswith("respond") and n.lower[clause.end - 3:clause.end] == "to ")


def _has_required(keys, clause: Clause, rules: Rules, n) -> bool:
    if "required" not in clause.cache:
        clause.cache["required"] = rules.required.keys_in(n, clause.start, clause.end)
    return not clause.cache["required"].isdisjoint(keys)


def _signal(ttype, trig, change_hit, clause, words, rules, src, miss) -> list[Signal]:
    t = trig.payload[1]
    anchors = [trig, change_hit] if change_hit else [trig]
    modality, cue = _modality(ttype, trig, change_hit, clause, words, rules)
    cue_words = src.word_range(*cue) if cue else None
    if modality == "conditional":
        return miss(f"inside a condition ('{cue_words}'): CODEBOOK rule 3")
    if ttype == "threat" and _warned_off(trig, clause, words, rules):
        return miss("a warning to another party against its own action is no threat (CODEBOOK rule 4)")
    parties = assign(ttype, anchors, clause, words, rules.roles)
    if t.agents and not set(parties.agents) & t.agents:
        return miss(f"counts only when the agent is one of {', '.join(sorted(t.agents))}")
    place = _place(trig, clause, words, rules)
    s, e = src.span(*clause.sentence)
    score = _score(parties, place, clause, words, rules)
    why = {"trigger": src.words(trig), "at": trig.start, "change": src.words(change_hit) if change_hit else None,
           "cue": cue_words, "actors": [src.words(h) for h in parties.words], "mutual": parties.mutual,
           "agent_at": dict(zip(parties.agents, parties.agent_at)), "own": parties.own,
           "unlisted": parties.unlisted,
           "target_at": parties.words[-1].start if parties.target and parties.words else None,
           "speaker": speaker([trig], clause, words, rules.roles) if modality == "threatened" else None}
    change = change_hit.payload[1] if change_hit else None
    agents = parties.agents or (None,)
    return [Signal(ttype, modality, change, a, parties.target if parties.target != a else None,
                   place, score, src.text[s:e], s, e, why) for a in agents]


def _changes_of(trig: Hit, clause: Clause, words: Words, rules: Rules) -> list[Hit]:
    """The change words that belong to this patrol or cooperation noun: each change word
    goes to its nearest such noun, so "halted their patrols … and resumed them" gives two
    signals, and two nouns never share one verb."""
    if "owners" not in clause.cache:
        excl = clause.of("exclusion")
        nouns = [h for h in clause.of("trigger") if h.payload[1].type in CHANGE_TYPES
                 and not any(x.start < h.end and h.start < x.end for x in excl)]
        owners = {}
        for c in _eligible_changes(clause, words, rules):
            # The noun a change word governs follows it ("استأنف التحالف دورياته", "resumed
            # its patrols"); one before it is taken only when none follows within reach.
            after = [n for n in nouns if n.start > c.start and words.between(c, n) <= 8]
            owners[c] = min(after or nouns, key=lambda n: (words.between(c, n), n.start < c.start))
        clause.cache["owners"] = owners
    return [c for c, n in clause.cache["owners"].items() if n is trig]


def _eligible_changes(clause: Clause, words: Words, rules: Rules) -> list[Hit]:
    changes = clause.of("change")
    if {c.payload[1] for c in changes} == {"up", "down"}:
        # CODEBOOK rule 2: a resumption presupposes the halt ("بعد تقليصها", "after a halt").
        changes = [c for c in changes if c.payload[1] == "up"
                   or "sequence" not in words.before(rules.roles, c, gap=3, floor=clause.first)]
    return changes


MAX_WINDOW = 12   # words; no cue reaches further (cue windows are capped to this)


def _modality(ttype, trig, change_hit, clause, words, rules):
    """Precedence: denial > condition > threat/future > occurred.
    Returns the modality and the (first, last) word indices of the cue that set it."""
    anchor = change_hit or trig
    a_first, a_last = words.first(anchor), words.last(anchor)
    own = {w for h in (trig, change_hit) if h for w in range(words.first(h), words.last(h) + 1)}
    reach = MAX_WINDOW + rules.cues.longest
    found = {}
    for i, j, cue in words.inside(rules.cues, max(clause.first, a_first - reach), min(clause.last, a_last + reach)):
        if own & set(range(i, j + 1)):
            continue
        if j < a_first:
            side, dist = "before", a_first - j - 1
        elif i > a_last:
            side, dist = "after", i - a_last - 1
        else:
            continue
        if cue.side not in (side, "both") or dist > min(cue.window, MAX_WINDOW):
            continue
        if cue.types and ttype not in cue.types:
            continue
        if _pseudo(words, rules, i, j):
            continue
        if cue.kind not in found or dist < found[cue.kind][0]:
            found[cue.kind] = (dist, (i, j))
    # The outer cue wins: "نفى القيام بأي هجوم" is a denied attack (rule 5), "if the
    # group did not withdraw" a condition (rule 3).
    outer = [k for k in ("denied", "conditional") if k in found]
    if outer:
        kind = min(outer, key=lambda k: found[k][1][0] if found[k][1][0] < a_first else -found[k][1][0])
        return kind, found[kind][1]
    if ttype == "threat":
        return "occurred", None   # CODEBOOK rule 4: the act of threatening happened
    if "threatened" in found and not _asserted_in_warning(found["threatened"][1], a_first, words, rules):
        return "threatened", found["threatened"][1]
    for h in (anchor, trig):
        if h.future:
            return "threatened", (words.first(h), words.first(h))
    return "occurred", None


def _asserted_in_warning(cue: tuple, a_first: int, words: Words, rules: Rules) -> bool:
    """"Abdi warned that Turkey was massing troops": what the warning says is going on
    already (a progressive or perfect verb after the cue) is asserted, not threatened; the
    offensive it is massing for stays threatened (rule 3)."""
    i, j = cue
    if j >= a_first or a_first < 1:
        return False
    aux = words.tokens.words[a_first - 1]
    return aux in rules.words.asserting_aux and j < a_first - 1


def _pseudo(words: Words, rules: Rules, i: int, j: int) -> bool:
    """Is words i..j part of a pseudo-cue ("ما زال" = still, "not only")?"""
    span = rules.pseudo.longest
    return any(pi <= i and j <= pj for pi, pj, _ in words.inside(rules.pseudo, i - span, j + span))


def _place(trig: Hit, clause: Clause, words: Words, rules: Rules) -> str | None:
    places = []
    for p in clause.of("place"):
        if p.payload[2] and not _cued(p, clause, words, rules):
            continue   # a name that is also a common word needs "في/قرب/مدينة/in/near" before it
        places.append(p)
    if not places:
        return None
    # "near Quneitra" beats a bare "Damascus" that may name the government.
    return min(places, key=lambda p: (not _cued(p, clause, words, rules), words.between(p, trig))).payload[1]


def _cued(p: Hit, clause: Clause, words: Words, rules: Rules) -> bool:
    return p.left.endswith("ب") or "locative" in words.before(rules.roles, p, gap=0, floor=clause.first)


def _score(parties, place, clause, words, rules) -> float:
    score = 0.55 + (0.2 if parties.agents else 0) + (0.1 if place else 0)
    if any(c.kind == "hedge" for _, _, c in words.inside(rules.cues, clause.first, clause.last)):
        score -= 0.15
    return max(0.05, min(1.0, score))


def _threats_about_others(found: list[Signal], misses, rules: Rules) -> list[Signal]:
    """CODEBOOK rule 4: warning that *someone else* will attack is not a threat."""
    out = []
    for s in found:
        if s.type == "threat" and s.agent:
            acts = [o for o in found if o.start == s.start and o.modality == "threatened" and o.type != "threat"]
            for o in acts:
                # "Ankara demanded that the YPG withdraw and threatened a new ground operation":
                # a party named before the threat word is not the one the threat is about;
                # the threatened act is the threatener's own.
                # So is one whose only cue is the threat word ("هددت تركيا قسد بشن عملية": the
                # SDF is the party threatened), unlike "warned that Turkey is preparing …".
                at = o.why.get("agent_at", {}).get(o.agent)
                if o.agent and o.agent != s.agent and at is not None and s.why["at"] < o.why["at"] and (
                        at < s.why["at"] or o.why.get("cue") == s.why.get("trigger")):
                    o.agent = s.agent
            if acts and all(o.agent and o.agent != s.agent for o in acts):
                misses.append(NearMiss("threat", s.why.get("trigger", ""),
                                       "a warning about another party's action (CODEBOOK rule 4)", s.start, s.end))
                continue
        out.append(s)
    return out + _declared_force(found, rules)


def _declared_force(found: list[Signal], rules: Rules) -> list[Signal]:
    """CODEBOOK rule 4: "will launch a ground operation" is threat occurred + ground_assault
    threatened. A party's own force put in the future tense ("ستطلق عملية برية", "would
    launch a new operation", "Israel would strike again if …") is the act of threatening,
    unless the sentence holds someone else's warning about it."""
    out = []
    for o in found:
        cue = (o.why.get("cue") or "").lower()
        future = cue in rules.words.future or (cue[:1] == "س" and len(cue) > 3) or cue[:2] in ("وس", "فس")
        if o.modality != "threatened" or o.type not in VIOLENT or not future \
                or o.agent in (None, "unknown", "civilians") or o.why.get("speaker") not in (None, o.agent):
            continue    # "قالت قسد إن تركيا ستطلق عملية" reports another party's plan
        if any(s.type == "threat" and s.start == o.start for s in found + out):
            continue
        out.append(replace(o, type="threat", modality="occurred", change=None,
                           why={**o.why, "trigger": o.why.get("cue"), "declared": True}))
    return out


VIOLENT = ("airstrike", "shelling", "explosion", "clashes", "ground_assault")


def _blasts_of_strikes(found: list[Signal], src: "_Source", rules: Rules) -> list[Signal]:
    """CODEBOOK rule 12: "تعرضت القاعدة لهجوم بطائرة مسيّرة، وسط دوي انفجار عنيف", "a drone
    struck the base and a loud explosion was heard": a bare blast in the sentence of a strike,
    with no device named (no mine, IED or car bomb), is that strike's blast, not an explosion."""
    strikes = {s.start for s in found if s.type in ("airstrike", "shelling") and s.modality == "occurred"}
    if not strikes:
        return found

    def bare(s):     # a blast word that names no device (`vocabulary: bare_blast:`)
        return s.why.get("trigger", "").lower().lstrip("وبل").removeprefix("ال") in rules.words.bare_blast
    devices = {s.start for s in found if s.type == "explosion" and not bare(s)}
    return [s for s in found if not (s.type == "explosion" and s.modality == "occurred" and bare(s)
                                     and s.start in strikes and s.start not in devices)]


def _unclaimed(found: list[Signal], hits: list[Hit], src: "_Source") -> None:
    """"…; no group claimed responsibility" / "ولم تتبنَّ أي جهة": the perpetrator is
    unknown (rule 9), for the blasts of the whole text and the violence of its sentence."""
    _without_antecedent(found, hits)
    unknown = [h.start for h in hits if h.payload[:2] == ("actor", "unknown")]
    if not unknown:
        return
    for s in found:
        if s.agent is None and s.modality == "occurred" and (
                s.type == "explosion" or (s.type in VIOLENT and any(
                    src.n.source_offset(u) in range(s.start, s.end) for u in unknown))):
            s.agent = "unknown"


def _without_antecedent(found: list[Signal], hits: list[Hit]) -> None:
    """"وردّت الفصائل بقصف مدفعي" names the SNA only if the text named it before (an
    actor's `refers_back:` words); otherwise the party is not said (rule 7: null)."""
    back = {h.start: h.payload[1] for h in hits if h.payload[0] == "actor" and len(h.payload) > 2}
    if not back:
        return
    first = {}
    for h in hits:
        if h.payload[0] == "actor" and len(h.payload) == 2:
            first.setdefault(h.payload[1], h.start)
    for s in found:
        at = s.why.get("agent_at", {}).get(s.agent)
        if at in back and not first.get(s.agent, at) < at:
            s.agent = None
        if s.target and s.target not in first:
            s.target = None     # "مواقع التنظيم الإرهابي" in a text that never named ISIS


def _claimed(found: list[Signal], hits: list[Hit], words: Words, rules: Rules, src: "_Source") -> None:
    """"وتبنى تنظيم داعش التفجير", "ISIS claimed the attack": the claimant is the agent of
    what the claim is about that names no other (rule 7)."""
    claimant = claim = None
    roles = words.tokens.occurrences(rules.roles)[0]    # looked up once per text, cached
    claims = [(i, j) for i, j, p in roles if p == "claim"]
    for h in hits if claims else ():
        if h.payload[0] != "actor" or h.payload[1] in ("unknown", "civilians"):
            continue
        first, last = words.first(h), words.last(h)
        claim = next(((i, j) for i, j in claims if first - 2 <= j < first or i == last + 1), None)
        if claim:
            claimant = h.payload[1]
            break
    if claimant:
        # the claimed object follows the claim and a claimant named after it ("تبنى تنظيم داعش التفجير")
        about = _claimed_about((claim[0], max(claim[1], words.last(h))), hits, words, src)
        for s in found:
            if s.agent in (None, "unknown") and s.modality == "occurred" and s.type in VIOLENT + ("casualties",) \
                    and about(s, found):
                s.agent = claimant
    # "اتهمت أنقرة الوحدات الكردية بالوقوف وراءه": an accusation phrase within two words after
    # a party names an agent too, beside the unknown one (rules 1 and 7: code both).
    accused = []
    starts = [i for i, _, p in roles if p == "accuse"]
    for h in hits if starts else ():
        if h.payload[0] == "actor" and h.payload[1] not in ("unknown", "civilians") and h.payload[1] not in accused \
                and any(0 < i - words.last(h) <= 3 for i in starts):
            accused.append(h.payload[1])
    for who in accused:
        for s in list(found):
            if s.agent in (None, "unknown") and s.modality == "occurred" and s.type in VIOLENT \
                    and not any(o.type == s.type and o.agent == who for o in found):
                found.append(_with_agent(s, who, {**s.why, "accused": who}))


def _claimed_about(claim: tuple, hits: list[Hit], words: Words, src: "_Source"):
    """What a claim covers: the events of its own sentence, and the claimed event with its
    dead ("The PKK claimed the Ankara bombing": the bombing, not the Turkish strikes that
    followed it and their dead). A claim naming no event of its own type ("claimed
    responsibility", "تبنى الهجوم") is about the events of the sentences where no other
    party acts."""
    i, j = claim
    sentence = src.sentence_start(words.starts[i])
    # the event word the claim names: its object, within three words ("the Ankara bombing")
    named = [h for h in hits if h.payload[0] == "trigger" and j < words.first(h) <= j + 3
             and not any(c in words.text[words.tokens.ends[j]:h.start] for c in ",،.;؛")]
    named = [h.payload[1] for h in named if h.start == named[0].start]
    # ("تبنى الهجوم": a word that may name any attack again claims no one kind)
    kinds = set() if any(t.generic for t in named) else {t.type for t in named}
    if kinds & {"shelling"}:
        kinds.add("airstrike")       # قصف by aircraft is coded as an airstrike (rule 10)

    def about(s: Signal, found: list[Signal]) -> bool:
        if s.start == sentence:
            return True
        if kinds:
            return s.type in kinds or (s.type == "casualties" and any(
                o.start == s.start and o.type in kinds for o in found))
        # a sentence where another party acts tells that party's event
        return not any(o.start == s.start and o.agent not in (None, "unknown") for o in found)
    return about


def _blamed(found: list[Signal], hits: list[Hit], words: Words, rules: Rules, src: "_Source") -> None:
    """"A drone attack … wounded six service members, the Pentagon said, blaming Iran-backed
    militias": the party right after "blaming" is the agent of the unnamed violence (and its
    dead) of its own sentence (rule 7: an accusation names an agent)."""
    marks = [j for i, j, p in words.tokens.occurrences(rules.roles)[0] if p == "blame"]
    if not marks:
        return
    for h in hits:
        if h.payload[0] != "actor" or h.payload[1] in ("unknown", "civilians") \
                or not any(0 <= words.first(h) - j - 1 <= 1 for j in marks):
            continue
        start = src.sentence_start(h.start)
        if start is None:
            continue
        for s in found:
            if s.start == start and s.agent is None and s.modality == "occurred" \
                    and s.type in VIOLENT + ("casualties",):
                s.agent = h.payload[1]


def _denials_of_reports(hits, found, words: Words, rules: Rules, src: "_Source") -> list[Signal]:
    """"The SDF said Turkish artillery shelled villages; Ankara denied the claim": a denial
    clause with no event of its own denies the events its speaker is said to have done
    (rules 1 and 5: code both)."""
    out = []
    for c in src.clauses:
        if not c.of("actor"):
            continue
        # A denial verb ("نفت", "denied": the wide-reaching cues), not a bare negation:
        # "أن تركيا لن تستأذن أحداً" denies nothing Turkey did.
        denials = [(i, j) for i, j, cue in words.inside(rules.cues, c.first, c.last)
                   if cue.kind == "denied" and cue.window >= 8 and not _pseudo(words, rules, i, j)]
        if denials and c.of("trigger"):
            # "Turkish drones struck a depot near Kobani, which the SDF denied": a relative
            # denial after every event of its clause comments on them
            last = max(words.last(t) for t in c.of("trigger"))
            denials = [(i, j) for i, j in denials if i > last and "which" in words.tokens.words[max(last + 1, i - 3):i]]
        if not denials:
            continue
        i, j = denials[0]
        # The speaker stands right by the denial: "Ankara denied", "نفت قسد ذلك".
        speakers = {h.payload[1] for h in c.of("actor") if i - 3 < words.first(h) and words.last(h) < j + 3}
        if not speakers:
            # "أكد المركز الإعلامي لقسد أن هذه الادعاءات لا أساس لها من الصحة": the party
            # that says so, before the claim it calls baseless
            speakers = {h.payload[1] for h in c.of("actor") if words.last(h) < i} - {"civilians", "unknown"}
        s0, _ = src.span(*c.sentence)
        # "…علّق عملياته المشتركة مع القوات التركية، في حين نفت وزارة الدفاع التركية وجود أي
        # تعليق": the denial names the change itself, whoever made it (rule 5)
        changes = {h.payload[1] for h in c.of("change") if words.first(h) > j}
        for sig in found:
            # (the party said to be hit denies it too: "…, which the SDF denied", "وهو ما نفته قسد")
            if sig.modality == "occurred" and (sig.agent in speakers or sig.target in speakers
                                               or sig.change in changes) \
                    and sig.end <= src.span(c.start, c.end)[1] and sig.start >= _previous_sentence_start(src, s0):
                out.append(_denied(sig, src.word_range(*denials[0])))
    return out


def _continued_as_normal(hits, found, words: Words, rules: Rules, src: "_Source") -> list[Signal]:
    """CODEBOOK rule 5: "continued as normal" set against a reported halt denies the halt.
    The continuation must follow the halt, in its sentence or the next, and be said of the
    same kind of thing ("الدوريات مستمرة كالمعتاد" after "علّقت دورياتها")."""
    said = [(i, j) for i, j, p in words.inside(rules.roles, 0, len(words.tokens) - 1) if p == "continues"]
    if not said:
        return []
    nouns = [h for h in hits if h.payload[0] == "trigger" and h.payload[1].type in CHANGE_TYPES]
    starts = sorted({c.sentence[0] for c in src.clauses})
    out = []
    for sig in found:
        if sig.type not in CHANGE_TYPES or sig.modality != "occurred" or sig.change != "down":
            continue
        at = sig.why.get("at", -1)
        for i, j in said:
            pos = words.starts[i]
            if pos <= at or bisect_right(starts, pos) - bisect_right(starts, at) > 1:
                continue    # before the halt, or past the sentence after it
            # "الدوريات مستمرة", "patrols are continuing": the noun stands right before it
            if any(n.payload[1].type == sig.type and n.start > at and 0 <= i - words.last(n) <= 3 for n in nouns):
                out.append(_denied(sig, src.word_range(i, j)))
                break
    return out


def _denied(sig: Signal, cue: str) -> Signal:
    """The same event, denied, with the words that deny it."""
    return replace(sig, modality="denied", why={**sig.why, "cue": cue})


def _with_agent(sig: Signal, agent: str, why: dict) -> Signal:
    """The same event, done by another party (who is then not its own target)."""
    return replace(sig, agent=agent, target=sig.target if sig.target != agent else None, why=why)


def _previous_sentence_start(src: "_Source", start: int) -> int:
    """Start of the sentence before the one starting at `start` (in the caller's text)."""
    starts = sorted({src.span(*c.sentence)[0] for c in src.clauses})
    prev = [a for a in starts if a < start]
    return prev[-1] if prev else start


def _sentence_before(c: Signal, s: Signal, src: "_Source") -> bool:
    return s.start >= _previous_sentence_start(src, c.start)


def _definite(s: Signal, src: "_Source") -> bool:
    """Is the signal's trigger word written with the article ("the bombardment", "القصف")?"""
    t = src.words_.tokens
    i = bisect_right(t.starts, s.why["at"]) - 1
    if i < 0:
        return False
    head = t.words[i][:s.why["at"] - t.starts[i]]
    return "ال" in head or (i > 0 and t.words[i - 1] == "the")


def _named_again(c: Signal, src: "_Source") -> set:
    """Types of the violent event words of the casualty's sentence written with the article
    ("in the strikes", "منذ بدء الهجوم"), which name an event told before."""
    t = src.words_.tokens
    out = set()
    for cl in src.clauses:
        if src.span(*cl.sentence)[0] != c.start:
            continue
        for h in cl.of("trigger"):
            i = bisect_right(t.starts, h.start) - 1
            if h.payload[1].type in VIOLENT and ("ال" in h.left or (i > 0 and t.words[i - 1] == "the")):
                out.add(h.payload[1].type)
    return out


def _told_again(found: list[Signal], src: "_Source") -> None:
    """"نفى الجيش التركي أن تكون طائراته قد استهدفت مدنيين، مؤكداً أن الغارات طالت أهدافاً
    إرهابية", "The strikes hit oil facilities": a definite event word with no party of its
    own names the event of that type told before, whoever was its agent (even denied)."""
    for s in found:
        if s.type not in VIOLENT or s.agent is not None or s.modality != "occurred" or not _definite(s, src):
            continue
        before = [x for x in found if x.type == s.type and x.agent not in (None, "unknown")
                  and x.why["at"] < s.why["at"]]
        if before:
            told = max(before, key=lambda x: x.why["at"])
            s.agent = told.agent
            if told.why.get("mutual"):
                # "The clashes resulted in …" after "clashes broke out between X and Y": the
                # same two-sided fight, whose dead have no killer (rule 13)
                s.why = {**s.why, "mutual": True}


def _said_just_before(c: Signal, src: "_Source", listed: frozenset, n: int) -> bool:
    """Is one of the `listed` words among the n words before the signal's trigger word?
    ("وأوقعت قتلى في صفوفهم": a verb of inflicting, n=2; "In retaliation for the killing of
    …", "رداً على مقتل …": the dead came before, n=4)"""
    t = src.words_.tokens
    i = bisect_right(t.starts, c.why["at"]) - 1     # the word holding the trigger (after its و)
    return any(w in listed for w in t.words[max(0, i - n):i])


def _casualties_follow_their_cause(found: list[Signal], src: "_Source", vocabulary: Vocabulary) -> None:
    """"A Turkish drone hit a car, killing two" / "قُتل ثلاثة أطفال بقصف للقوات التركية":
    the dead were killed by the agent of the violent event of the same sentence
    (CODEBOOK rule 13), whoever stands nearest the word "killed"."""
    inflict, retaliation = vocabulary.inflict, vocabulary.retaliation
    for c in list(found):
        if c.type != "casualties" or c.modality not in ("occurred", "denied") or c.agent == "unknown":
            continue
        if c.why.get("own"):
            continue    # "… repelled an ISIS attack and their fighters killed three": the speaker's own killing
        # "… bombarded the villages. The bombardment caused material damage only": an unnamed
        # "the bombardment" / "الاستهداف" names the event of the sentence before again.
        same = [s for s in found if s.type in VIOLENT and s.start == c.start and s.modality == "occurred"
                and (s.agent or not _definite(s, src))]
        if c.agent:
            # "The army foiled an attack launched by terrorist organizations, killing …": an
            # attack by a group off the list does not take the dead from the killer named.
            same = [s for s in same if not s.why.get("unlisted")]
        if _in_toll_list(c, found):
            # A toll listing its dead clause by clause ("… بينهم 3 عناصر من قسد قضوا بهجوم لخلايا
            # داعش، ومدني قضى بانفجار لغم، وعنصر من الجيش الوطني قُتل برصاص قناص من قسد"):
            # each clause's dead were killed by its own event, or by the killer it names.
            lo, hi = _comma_segment(c.why["at"], src)
            own_clause = [s for s in same if lo <= s.why["at"] < hi]
            if own_clause:
                same = own_clause
            elif c.agent and lo <= c.why.get("agent_at", {}).get(c.agent, -1) < hi:
                continue
        if same and all(s.why["at"] > c.why["at"] for s in same) and _said_just_before(c, src, retaliation, 4):
            # "In retaliation for the killing of two of its soldiers, the Turkish army shelled
            # …": the reprisal told after the dead did not kill them
            if c.agent in {s.agent for s in same}:
                c.target, c.agent = c.target or c.agent, None
            continue
        causes = [s for s in same if s.agent]
        if not causes and c.agent and c.target not in (None, "civilians", "unknown") \
                and _said_just_before(c, src, inflict, 2):
            # "أحبطت وحدات الجيش محاولة تسلل لمسلحي الهيئة، وأوقعت قتلى في صفوفهم": the
            # party named with the dead ("in their ranks") is the other side's
            c.agent, c.target = c.target, c.agent
            continue
        earlier = [s for s in same if s.why["at"] < c.why["at"]]
        nearest = max(earlier or same, key=lambda s: s.why["at"], default=None)
        if same and not causes:
            # "a mine exploded in a field, wounding a farmer", "… عقب انفجار عبوة …، ما أدى
            # لإصابة جنود": their own cause names no one. Whom it hit, it hit ("A drone
            # targeted the car of an SDF commander, killing him").
            c.agent = None if earlier or not c.agent else c.agent
            c.target = c.target or nearest.target
            continue
        if nearest and not nearest.agent and not any(s.type == nearest.type for s in causes):
            # "Turkish artillery has shelled the villages …, and last month a mine exploded
            # in a field, wounding a farmer": the nearest event before the dead caused them.
            c.agent = None
            c.target = c.target or nearest.target
            continue
        if not causes and not c.agent:
            # "… said 31 people had been killed in the strikes", "قُتلوا منذ بدء الهجوم": a
            # definite event word names an event told earlier in the text; its latest one.
            kinds = _named_again(c, src)
            earlier = [s for s in found if s.type in kinds and s.agent and s.modality == "occurred"
                       and s.end <= c.start]
            causes = [max(earlier, key=lambda s: s.why["at"])] if earlier else []
        if not causes and not c.agent:
            # "Turkish jets struck… A first toll: three civilians killed" — the sentence before.
            causes = [s for s in found if s.type in VIOLENT and s.agent and s.modality == "occurred"
                      and s.end <= c.start and s.start >= src.n.source_offset(0) and
                      _sentence_before(c, s, src)]
        if not causes and not c.agent and c.modality == "denied":
            # "CENTCOM conducted a precision strike … . «…» . There are no indications that
            # civilians were wounded": a denial of harm with no event of its own is about the
            # strike reported before it, however far (rule 5: the agent of the denied act).
            # (the latest event told before it, if it names its party: not a Turkish strike
            # before "Separately, a mine exploded. No injuries were reported.")
            earlier = [s for s in found if s.type in VIOLENT and s.modality == "occurred" and s.end <= c.start]
            latest = max(earlier, key=lambda s: s.why["at"], default=None)
            causes = [latest] if latest and latest.agent not in (None, "unknown") else []
        if causes:
            # An attack with a named side beats the two-sided fighting it set off ("هاجم
            # مسلحون من داعش حاجزاً …، ودارت اشتباكات بين الطرفين …، ما أسفر عن مقتل").
            causes = [s for s in causes if not s.why.get("mutual")] or causes
            cause = min(causes, key=lambda s: abs(s.why["at"] - c.why["at"]))
            attack = _attack_told_before(cause, c, found, src) if cause.why.get("mutual") else None
            if attack:
                # "an attack by ISIS cells on an SDF checkpoint, where clashes broke out … The
                # clashes resulted in the death of three SDF members": "the clashes" tell again
                # the fight that attack set off, and its attacker killed them.
                c.target = next((t for t in (c.target, c.agent) if t and t != attack.agent), None)
                c.agent = attack.agent
                continue
            if cause.why.get("mutual"):
                other = _other_side(c, cause)
                if other:
                    # "clashed with an ISIS cell, killing two ISIS members": the dead named
                    # after "killed" are one side's, so the other side killed them (rule 7)
                    c.agent = other
                    continue
                # "اشتبكت X مع Y، ما أدى إلى مقتل أربعة": a two-sided fight names no killer;
                # the side named as the subject before "killed" is taken for the dead's.
                c.target = c.target or c.agent
                c.agent = None
                continue
            if _said_just_before(c, src, inflict, 2):
                # "هاجم مسلحون من داعش حاجزاً للأسايش، فتصدت لهم القوات وأوقعت قتلى في
                # صفوفهم": the side attacked inflicted the dead on the attackers
                other = cause.target if cause.target not in (None, "civilians", "unknown") else next(
                    (t for t in (c.target, c.agent) if t not in (None, cause.agent, "civilians", "unknown")), None)
                if other:
                    c.agent, c.target = other, cause.agent
                    continue
            own = c.agent
            c.agent = cause.agent
            # "Two SDF fighters lost their lives in a Turkish drone attack": SDF, taken
            # for the subject of "lost", are the dead.
            c.target = next((t for t in (c.target, own, cause.target) if t and t != cause.agent), None)
            # "قصفت القوات التركية والفصائل الموالية لها …": the dead of a joint act have each
            # of its agents for killer (rule 8).
            for o in causes:
                if o.why["at"] == cause.why["at"] and o.agent != c.agent and \
                        not any(x.type == c.type and x.modality == c.modality and x.agent == o.agent for x in found):
                    found.append(_with_agent(c, o.agent, dict(c.why)))


def _other_side(c: Signal, fight: Signal) -> str | None:
    """The side of a two-sided fight that is not the dead's, when the dead are named as the
    other side's after the word of killing ("…، ما أدى لمقتل عنصرين من التنظيم")."""
    sides = {fight.agent, fight.target} - {None, "unknown", "civilians"}
    at = c.why.get("target_at")
    if len(sides) != 2 or c.target not in sides or at is None or at <= c.why["at"]:
        return None
    return (sides - {c.target}).pop()


def _in_toll_list(c: Signal, found: list[Signal]) -> bool:
    """Does the casualty's sentence name dead more than once (a toll listed clause by clause)?"""
    return sum(1 for s in found if s.type == "casualties" and s.start == c.start and s.modality == c.modality) > 2


def _comma_segment(at: int, src: "_Source") -> tuple[int, int]:
    """Normalised bounds of the comma-delimited part of a sentence around offset `at`."""
    text = src.words_.text
    return text.rfind(",", 0, at) + 1, (text.find(",", at) + 1 or len(text) + 1) - 1


def _attack_told_before(fight: Signal, c: Signal, found: list[Signal], src: "_Source") -> Signal | None:
    """The attack with a named side, in the sentence before, whose fighting a definite
    "the clashes" / "المواجهات" of the dead's sentence tells again."""
    if fight.start != c.start or not _definite(fight, src):
        return None
    attacks = [s for s in found if s.type in VIOLENT and s.agent not in (None, "unknown") and s.modality == "occurred"
               and not s.why.get("mutual") and s.start < c.start and _sentence_before(c, s, src)]
    return max(attacks, key=lambda s: s.why["at"]) if attacks else None


def _same_event(unnamed: Signal, named: Signal) -> bool:
    return ((unnamed.type, unnamed.modality, unnamed.change) == (named.type, named.modality, named.change)
            and not (unnamed.target and named.target and unnamed.target != named.target)
            and not (unnamed.place and named.place and unnamed.place != named.place))


def _collapse(found: list[Signal]) -> list[Signal]:
    """CODEBOOK rule 17: one signal per (type, modality, change, agent); the first mention
    gives the evidence, the best one the score and the missing target or place."""
    out: dict = {}
    # A mention that names no agent is taken to be the same event as one that does, unless
    # it names another target or place: "a mine killed a civilian in Hajin" after "ISIS
    # killed two SDF fighters in Kishkiyah" is another event.
    named = [s for s in found if s.agent]
    found = [s for s in found if s.agent or not any(_same_event(s, n) for n in named)]
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
