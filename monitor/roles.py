"""Who acts and who is acted upon: agent and target of a trigger, from the text only.

CODEBOOK rules 7-9. Arabic puts the subject after the verb ("قصفت القوات التركية") and
the possessor or nisba adjective after the noun ("الضربات التركية", "غارات التحالف");
English puts it before ("Turkish strikes", "Turkish forces shelled"). Markers written in
the watchlists (`roles:`) say when a party is the target ("على مواقع قسد", "against"),
the agent ("من قبل", "by", "fired from areas held by") or a partner ("برفقة", "alongside");
owner phrases ("التابعة ل", "belonging to") hand on the owned noun's part; a speaker is the
agent of its own forces only ("قالت الوزارة إن طائراتها …"); a verb with no subject of its
own continues the one before it (Arabic pro-drop, English "and …").
"""
from bisect import bisect_left
from dataclasses import dataclass

from .clauses import Clause, Words
from .matcher import Hit
from .rules import RoleMarkers, Vocabulary
from .text import is_arabic

# Types whose second party is acted upon; patrols and cooperation name partners instead.
TARGETED = {"airstrike", "shelling", "ground_assault", "clashes", "explosion", "casualties", "threat"}
RECIPROCAL = {"clashes", "cooperation_change"}
_VIOLENT = {"airstrike", "shelling", "clashes", "ground_assault", "explosion"}


@dataclass(frozen=True)
class Mention:
    hit: Hit
    actor: str
    role: str        # agent | target | neutral | first (of a pair) | partner | support | accuser


@dataclass(frozen=True)
class Parties:
    agents: tuple    # one signal per agent (joint actions); () when none is named
    target: str | None
    words: tuple     # the actor words used, for `explain`
    mutual: bool = False   # a two-sided fight ("clashes"): its dead have no killer (rule 13)
    agent_at: tuple = ()   # where each agent is named (normalised offsets)
    own: bool = False      # the agent is a speaker acting through its own forces ("their fighters killed")
    unlisted: bool = False  # the act's own subject is a group off the list ("an attack launched by militants")


def mentions(clause: Clause, words: Words, markers: RoleMarkers) -> list[Mention]:
    if "mentions" not in clause.cache:
        clause.cache["mentions"] = _mentions(clause, words, markers)
    return clause.cache["mentions"]


def _mentions(clause: Clause, words: Words, markers: RoleMarkers) -> list[Mention]:
    triggers = clause.of("trigger")
    actors = [h for h in clause.of("actor") if not _dateline(h, words)]
    out = []
    for h in actors:
        # A marker does not reach over another party, a place name or a comma: in "an
        # agreement with Damascus, and Syrian army units deployed" "with" is Damascus's alone.
        floor = max([words.last(o) + 1 for o in actors + clause.of("place") if o.end <= h.start]
                    + [clause.first, _after_comma(words, clause, h)])
        kinds = words.before(markers, h, gap=2, floor=floor)
        if _relative_subject(h, words, markers, floor):
            kinds = kinds | {"agent"}     # "كمين نصبه مسلحون من خلايا داعش"
        if any(t.wend <= h.wstart and words.between(t, h) == 0 for t in triggers):
            # Right after a trigger an actor is its possessor or nisba ("الغارة الإسرائيلية"),
            # whatever marker stands before the trigger ("بالرد على الغارة الإسرائيلية").
            kinds -= {"target"}
        accusation = _accusation(h, words, markers, clause)
        if accusation == "accused":
            kinds = kinds | {"agent"}
        # "from areas held by X" holds "areas held by X": the origin marker wins.
        role = "agent" if kinds & {"agent", "origin"} else "first" if "between" in kinds \
            else "target" if "target" in kinds else "neutral"
        nxt = words.last(h) + 1
        if role == "neutral" and "target_after" in words.after(markers, h, clause.last) \
                and not any(words.first(t) <= nxt <= words.last(t) for t in triggers):
            role = "target"       # "SDF positions", "a regime checkpoint" (not "a US military convoy")
        if role == "neutral" and kinds & {"partner", "coordinated"}:
            role = "partner"      # "… مع التحالف", "… with the coalition", "together with the SDF"
        if role == "neutral" and "support" in kinds:
            role = "support"      # "بدعم من الطيران الروسي": takes part in the act
        if "owner" in kinds and accusation != "accused":
            role = _owned_role(h, role, clause, words, markers)
            if role is None:
                continue      # only the patron of a party named before it
        if h.payload[1] == "civilians":
            role = "target"
        elif accusation == "accused":
            role = "agent"        # "فصائل تابعة لوزارة الدفاع السورية بافتعال …": whoever owns them
        elif accusation == "accuser":
            role = "accuser"      # "اتهمت قسد …": who accuses is no party to the charge
        out.append(Mention(h, h.payload[1], role))
    return _drop_nested(out, words.text)


def _relative_subject(h: Hit, words: Words, markers: RoleMarkers, floor: int) -> bool:
    """"قصف صاروخي شنه تنظيم …", "كمين نصبه مسلحون يُعتقد أنهم من خلايا داعش": the party
    within six words after a relative verb is its subject, unless a target or place word
    stands between ("شنه مسلحون على قرى خاضعة لسيطرة قسد": قسد was hit)."""
    w = words.first(h)
    rel = [j for i, j, p in words.inside(markers, max(floor, w - 7), w - 1) if p == "relative"]
    if not rel:
        return False
    j = max(rel)
    return not any(p in ("target", "target_after", "locative", "subjected")
                   for _, _, p in words.inside(markers, j + 1, w - 1)) \
        and not any(wd in ("على", "ضد", "في", "on", "against", "in", "at") for wd in words.tokens.words[j + 1:w])


def _accusation(h: Hit, words: Words, markers: RoleMarkers, clause: Clause) -> str | None:
    """"اتهمت قسد فصائل الجيش الوطني بقتل …", "اتهمت واشنطن ميليشيات موالية لإيران بالوقوف
    خلفه": the party right after an accusation verb accuses; the one it names (within five
    words), right before the ب-phrase of the charge, is accused: the charge's agent (rule 7)."""
    verbs = [b for _, b in _markers(clause, words, markers, "accusation")]
    if not verbs:
        return None
    i, j = words.first(h), words.last(h)
    if j + 1 < len(words.tokens) and words.tokens.words[j + 1].startswith("ب") \
            and any(b < i and i - b <= 5 for b in verbs):
        return "accused"
    if any(i == b + 1 for b in verbs):
        return "accuser"
    return None


_HEAD_ROLES = {"agent": "agent", "origin": "agent", "target": "target", "target_after": "target", "between": "first"}


def _owned_role(h: Hit, role: str, clause: Clause, words: Words, markers: RoleMarkers) -> str | None:
    """Y in "N التابعة ل Y", "N belonging to Y", "N loyal to Y" plays the part of N: the
    agent when N is the event itself ("مسيّرة تابعة لقسد", "a drone belonging to …") or
    is marked as one ("برصاص عناصر حاجز تابع للأمن العام"), the target when N is a place
    or thing hit ("قاعدتي … التابعتين للتحالف"), nothing when N is itself a party (then Y
    is only its patron: "فرقة الحمزة المدعومة من الهيئة")."""
    w = words.first(h)
    owner = [i for i, j, p in words.inside(markers, max(clause.first, w - 4), w - 1) if p == "owner" and j >= w - 2]
    if not owner:
        return role
    i = min(owner)
    lo = max(clause.first, i - 4)
    # (a party's own unit "مجلس منبج العسكري التابع لقسد" is the same party: no patron)
    before = [words.last(o) for o in clause.of("actor") if lo <= words.last(o) < i and o is not h
              and o.payload[1] != h.payload[1]]
    lo = max(before, default=lo - 1) + 1
    events = {k for t in clause.of("trigger") for k in range(words.first(t), words.last(t) + 1)}
    heads = sorted((a, _HEAD_ROLES[p]) for a, b, p in words.inside(markers, max(clause.first, lo - 2), i - 1)
                   if p in _HEAD_ROLES and b >= lo - 1 and not events & set(range(a, b + 1))
                   # English puts the owned noun right before "affiliated with": "said on
                   # Saturday that groups affiliated with X" — "on" heads a date, not them
                   and (is_arabic(words.tokens.words[i]) or b >= i - 3))
    # The owned noun is a party when one ends right before the marker (one adjective may
    # stand between), with no place or thing named after it ("مسيّرة مجهولة الهوية شاحنات
    # تابعة للميليشيات": the trucks are owned).
    if before and max(before) >= i - 2 and not any(a > max(before) for a, _ in heads):
        return None
    if heads and heads[0][1] == "target" and any(words.last(t) == i - 1 for t in clause.of("aircraft")):
        return "agent"  # "أسقطت الفصائل طائرة مسيرة تابعة لقسد": the downed drone's owner flew it
    if heads:
        return heads[0][1]
    # The owned noun is the event or its aircraft itself ("مسيّرة تابعة لقسد", "a drone
    # belonging to …"), not the object of an event verb ("targeted depots belonging to …").
    if any(i - 2 <= words.last(t) < i for t in clause.of("trigger") + clause.of("aircraft")):
        return "agent"
    return role


def _dateline(h: Hit, words: Words) -> bool:
    """"ANKARA (Reuters) -", "ANKARA, Turkey (AP) —", "أنقرة/ الأناضول": the place a story
    was filed from, at the top of the text, is no party to it."""
    if h.start > 40:
        return False
    after = words.text[h.end:h.end + 3]
    nxt = after.lstrip(" ")[:1]
    if nxt in ("-", "–", "—") and not after.startswith(" "):
        return False      # "ISIS-planted", "Turkish-backed"
    name = words.text[h.start:h.end]
    if is_arabic(name):
        return not words.text[:h.wstart].strip() and nxt in ("/", "-", "–", "—")
    head = words.text[:h.wstart]
    if any(c.islower() for c in head):
        return False      # a dateline opens the text, in capitals
    if nxt == "(":        # "(Reuters)", "(AP)": one word, the agency (not "ISIS (Islamic State)")
        inside = words.text[h.end:h.end + 20].split("(", 1)[1].split(")", 1)[0]
        if " " in inside.strip():
            return False
    return (name.isupper() and len(name) > 3 and nxt in ("(", ",", "-", "–", "—", "/")) \
        or (nxt == "(" and "," in head)   # "ANKARA, Turkey (AP)"


def _after_comma(words: Words, clause: Clause, h: Hit) -> int:
    """Index of the first word after the last comma before hit h in its clause."""
    cut = max(words.text.rfind(",", clause.start, h.wstart), words.text.rfind("،", clause.start, h.wstart))
    return bisect_left(words.starts, cut) if cut >= 0 else clause.first


def _drop_nested(ms: list[Mention], text: str) -> list[Mention]:
    """Keep the longest of overlapping mentions ("القوات التركية" over "التركية"), and drop
    a party's abbreviation in brackets right after its name ("the Syrian National Army
    (SNA)"): it is the same mention, and would stand between a partner and the verb."""
    out = []
    for m in sorted(ms, key=lambda m: (m.hit.start, -(m.hit.end - m.hit.start))):
        if out and m.hit.start < out[-1].hit.end:
            continue
        if out and m.actor == out[-1].actor and text[out[-1].hit.end:m.hit.start].strip() == "(":
            continue
        out.append(m)
    return out


def latter(hits: list[Hit], words: Words, vocabulary: Vocabulary) -> list[Hit]:
    """"استقدمت الأخيرة تعزيزات", "the latter launched a campaign": the party named last
    before "the latter" (الأخيرة / الأخير, `vocabulary: latter:`) is the one meant. One
    actor hit per anaphor, carrying that party, so the clause's roles treat it as a name."""
    if not any(w in words.text for w in vocabulary.latter_probes):
        return []     # the common case: a substring search or two, no loop over the words
    arabic, after = vocabulary.latter_arabic, vocabulary.latter_after
    actors = [h for h in hits if h.payload[0] == "actor" and h.payload[1] not in ("civilians", "unknown")]
    if not actors:
        return []
    t = words.tokens
    out = []
    for k, w in enumerate(t.words):
        left = w[0] if w[0] in "وف" and w[1:] in arabic else ""
        if w[len(left):] in arabic:
            prev = t.words[k - 1] if k else ""
            gap = words.text[t.ends[k - 1]:t.starts[k]] if k else "."
            # An adjective agrees in definiteness: after an indefinite word ("استقدمت الأخيرة",
            # "استهداف الأخير نقاط الجيش", "اعتقال الأخيرة لشاب") it is a noun, the party.
            definite = prev.startswith(("ال", "بال", "لل", "وال", "فال", "كال")) \
                or prev.endswith(("ه", "ها", "هم", "هما", "نا")) or not is_arabic(prev)
            if not (left and any(c in gap for c in ".،,؛:\n") or prev in after or not definite):
                continue
        elif not (w in vocabulary.latter_english and k and t.words[k - 1] == "the"):
            continue
        before = [h for h in actors if h.end <= t.starts[k]]
        if before:
            ante = max(before, key=lambda h: h.end)
            out.append(Hit(t.starts[k] + len(left), t.ends[k], t.starts[k], t.ends[k], left, ante.payload))
    return out


def _nisba(m: Mention, words: Words) -> bool:
    """A one-word Arabic nisba adjective naming a party ("الروسية", "التركي")."""
    i = words.first(m.hit)
    w = words.tokens.words[i]
    return i == words.last(m.hit) and w.startswith("ال") and w.endswith(("ية", "يه", "ي"))


def joined(a: Mention, b: Mention, words: Words, markers: RoleMarkers) -> bool:
    """b is a partner of a: "X و Y", "X and Y", "X برفقة Y", "X alongside Y"."""
    if b.hit.start < a.hit.end or b.role == "target":
        return False
    gap = words.between(a.hit, b.hit)
    if gap == 0 and (b.hit.left.startswith("و") or words.text[a.hit.end:b.hit.start].strip() in ("-", "–", "/")):
        return True     # "القوات التركية والفصائل", "Russian-Turkish patrols", "PKK/YPG"
    if gap == 0 and not words.text[a.hit.end:b.hit.start].strip() and _nisba(a, words) and _nisba(b, words):
        return True     # "الدوريات الروسية التركية المشتركة": two nisbas of one joint noun
    if 0 < gap <= 2 and words.tokens.words[words.last(a.hit) + 1].startswith("و"):
        return True     # "الجيش التركي وفصائل «الجيش الوطني»", "قسد ومقاتلو مجلس منبج"
    lo, hi = words.last(a.hit) + 1, words.first(b.hit) - 1
    return gap <= 3 and any(p == "joint" for _, _, p in words.inside(markers, lo, hi))


def assign(ttype: str, anchors: list[Hit], clause: Clause, words: Words, markers: RoleMarkers,
           remember: bool = True) -> Parties:
    parties = _assign(ttype, anchors, clause, words, markers, remember)
    if remember and ttype not in ("explosion", "casualties"):
        # what the next subjectless verb of the text may continue (agent or none)
        _subjects(words).append((clause.sentence, anchors[0].start if len(anchors) == 1 else min(a.start for a in anchors),
                                 parties.agents[0] if parties.agents else None))
    return parties


def _assign(ttype: str, anchors: list[Hit], clause: Clause, words: Words, markers: RoleMarkers,
            remember: bool) -> Parties:
    # A name inside the trigger's words is the trigger itself; one reaching out of them
    # ("انسحاب القوات" + "القوات الأمريكية", "US military" + "military convoy") names its party.
    ms = [m for m in mentions(clause, words, markers)
          if not any(a.start <= m.hit.start and m.hit.end <= a.end for a in anchors)]
    if ttype in ("patrol_change", "cooperation_change"):
        ms = [m for m in ms if not _in_cause_phrase(m, anchors, clause, words, markers)]
    first = min(anchors, key=lambda a: a.start)
    if first.payload[0] == "change" and words.tokens.words[words.first(first)] == "no" and len(anchors) > 1:
        # "no joint US-SDF patrols since …" (rule 6): the parties stand between the negated
        # change and the patrols, as subjects of the patrols, not objects of "no"
        first = min((a for a in anchors if a is not first), key=lambda a: a.start)
    opening = [m for m in ms if m.role == "neutral" and m.hit.start < first.start
               and words.first(m.hit) - clause.first <= 2 and m.actor not in ("civilians", "unknown")]
    if opening:
        words.openers.setdefault(clause.sentence, opening[0])
    if ttype in _VIOLENT and ttype not in RECIPROCAL:
        # (a fight after "بعد معارك مع قسد" is the subject's own: its other side is named)
        ms = _outside_earlier_event(ms, first, clause, words, markers)
    arabic = is_arabic(anchors[0].payload[1].term)
    fw = words.first(first)
    # "انتشر الجيش لفض الاشتباكات بين الطرفين", "deployed to break up the clashes": the
    # party sent to end a fight is not a side of it, whatever subject came before
    breakup = ttype == "clashes" and fw > 0 and words.tokens.words[fw - 1] in markers.words.break_up
    if remember and not breakup and ttype not in ("explosion", "casualties") and not [m for m in ms if m.actor != "civilians"] \
            and _dropped_subject(first, clause, words, arabic, markers):
        prev = _previous_subject(clause, words, first.start)
        if prev:
            parties = _assign(ttype, anchors, clause, words, markers, False) if ms else None
            # (a two-sided fight stays one: "وأسفرت الاشتباكات عن مقتل …" has no killer)
            return Parties((prev,), parties.target if parties else None, parties.words if parties else (),
                           ttype == "clashes" and _mutual(first, words, markers))
    if breakup and not [m for m in ms if m.hit.start > first.start and m.actor not in ("civilians", "unknown")]:
        return Parties((), None, ())
    if ttype in RECIPROCAL and _between_both_sides(first, words, markers):
        # "هاجم مسلحون من داعش حاجزاً …، ودارت اشتباكات بين الطرفين": the sides were named
        # with the attack before; its attacker (or no one) is the first party.
        prev = _previous_subject(clause, words, first.start, same_sentence=True)
        if not prev:    # no earlier event was coded: the clause's opening subject, if a party
            opening = [m for m in ms if m.role == "neutral" and m.hit.end <= first.start
                       and words.first(m.hit) - clause.first <= 2 and m.actor not in ("civilians", "unknown")]
            prev = opening[0].actor if opening else None
        return Parties((prev,) if prev else (), None, ())
    fw = words.first(first)
    rel = [a for a, b, p in words.inside(markers, max(clause.first, fw - 1), fw - 1) if p == "relative"]
    if rel and any(words.last(t) == rel[0] - 1 for t in clause.of("trigger")):
        # "بغارة نفذتها طائرة مسيّرة": the aircraft is the subject of the relative verb, the
        # event before it told again; the parties before the verb are not its own.
        ms = [m for m in ms if m.hit.start > first.start]
    if ttype in RECIPROCAL and ms and all(m.role == "partner" and m.hit.start > first.start
                                          for m in ms if m.actor not in ("civilians", "unknown")):
        # "سيطرت على حماة بعد معارك مع قوات النظام", "after battles with the SDF": the one
        # party named is the other side; the subject of the event before fought it.
        prev = _previous_subject(clause, words, first.start, same_sentence=True)
        if prev:
            return Parties((prev,), None, ())
    if not ms:
        # "وقال المركز الإعلامي للقوات إن مقاتليها قتلوا أربعة": the speaker's own killing,
        # its party named in the sentence before
        own = _speaker_of_own(ms, anchors, clause, words, markers) if ttype == "casualties" else None
        return Parties((own.actor,), None, (), False, (own.hit.start,), True) if own else Parties((), None, ())
    if ttype == "threat" and any(m.hit.start < first.start for m in ms):
        # "حذرت قسد من أن أي هجوم تركي … سيقابل برد حازم": the party of a hypothetical
        # attack ("أي هجوم تركي", "any Turkish attack") is not the one who threatens (rule 3)
        hyp = [m for m in ms if m.hit.start < first.start and any(
            w in ("اي", "لاي", "باي", "any") for w in words.tokens.words[max(clause.first, words.first(m.hit) - 2):words.first(m.hit)])]
        if hyp and len(hyp) < len(ms):
            ms = [m for m in ms if m not in hyp]
    if ttype == "threat" and arabic:
        # "توجيه أي تهديد لقوات سوريا الديمقراطية": the party threatened, not the threatener.
        ms = [Mention(m.hit, m.actor, "target") if m.hit.start > first.start and m.hit.left.endswith("ل")
              and words.between(first, m.hit) == 0 else m for m in ms]
    told = [j for _, j in _markers(clause, words, markers, "inform") if j < words.first(first)] \
        if ttype in ("patrol_change", "cooperation_change") else ()
    if told and arabic:
        # "أبلغت روسيا الجانب التركي بتعليق الدوريات": the informer made the change, the
        # addressee between it and the change only heard of it
        teller = [m for m in ms if words.first(m.hit) == told[-1] + 1 and m.actor not in ("civilians", "unknown")]
        if teller:
            ms = [Mention(m.hit, m.actor, "agent") if m is teller[0] else m for m in ms
                  if not teller[0].hit.end <= m.hit.start < first.start]
    elif told:
        # "Russia informed Turkey that it was suspending …": the addressee right after the verb
        ms = [m for m in ms if not 0 < words.first(m.hit) - told[-1] <= 2]
    own = _speaker_of_own(ms, anchors, clause, words, markers)
    agent = own or _pick_agent(ttype, ms, anchors, first, words, arabic, markers, clause)
    if agent and _own_men_subjected(agent, first, clause, words, markers):
        # "وقالت إدارة الأمن العام إن عناصرها تعرضوا لكمين": the speaker's men were hit
        ms = [Mention(m.hit, m.actor, "target") if m is agent else m for m in ms]
        agent = None
    if agent and agent.role == "neutral" and agent.hit.start > first.start and \
            any(m.role == "target" and m.actor == agent.actor and m.hit.start < agent.hit.start for m in ms):
        # "شن مقاتلون من العشائر هجوماً على نقاط لقسد، … مقاتلي قسد": a party already named as
        # the event's target is not its agent again by a bare later mention (rule 7).
        agent = None
    if agent and ttype in RECIPROCAL:
        # "استأنفت قسد ووزارة الدفاع التنسيق": a reciprocal relation goes to the first-named.
        earlier = [m for m in ms if m.hit.start < agent.hit.start and m.actor not in ("civilians", "unknown")
                   and joined(m, agent, words, markers)]
        agent = min(earlier, key=lambda m: m.hit.start) if earlier else agent
        if not earlier and _second_of_pair(agent, clause, words):
            agent = None   # "Arab tribal fighters and SDF forces clashed": the first party is off the list
    if not agent and ttype in _VIOLENT:
        # "The raid … was carried out with the SDF": the partner named takes part (rule 8)
        # even when the other side of the operation is not named in the clause.
        agent = next((m for m in ms if m.role == "partner" and m.actor not in ("civilians", "unknown")
                      and _coordinated(m, clause, words, markers)), None)
    # "resumed joint patrols", "الدوريات المشتركة": more joint patrols, which every partner runs
    joint = ttype == "patrol_change" and any(a.payload[0] == "change" and a.payload[1] == "up" for a in anchors) \
        and any(w in markers.words.joint for a in anchors for w in words.tokens.stem[words.first(a):words.last(a) + 3])
    if not agent and joint:
        # "joint patrols with the SDF would increase": the partner named takes part (rule 8)
        # even when the other participant is not named in the clause
        agent = next((m for m in ms if m.role == "partner" and m.actor not in ("civilians", "unknown")), None)
    agents = [agent] if agent else []
    if agent and ttype not in RECIPROCAL:
        # "a joint patrol → one per participant" (rule 8): "resumed joint patrols with Turkish
        # troops"; but a halt or a pull-out is one party's decision ("stopped its part in the
        # joint patrols with Moscow"), which only it gets.
        for m in sorted(ms, key=lambda m: abs(m.hit.start - agent.hit.start)):
            if m.actor in ("civilians", "unknown") or m.actor in {x.actor for x in agents}:
                continue
            if m.role == "support" or (joint and m.role == "partner") or (
                    m.role == "partner" and ttype in _VIOLENT and _coordinated(m, clause, words, markers)) or \
                    any(joined(x, m, words, markers) or joined(m, x, words, markers) for x in agents):
                agents.append(m)
    target = _pick_target(ttype, ms, agents, first, words)
    used = tuple(m.hit for m in agents + ([target] if target else []))
    unlisted = not agents and ttype not in ("casualties", "explosion") and \
        _unlisted_subject(first, anchors, ms, clause, words, markers)
    return Parties(tuple(m.actor for m in agents), target.actor if target else None, used,
                   ttype == "clashes" and _mutual(first, words, markers) and not _infighting(ms, agents),
                   tuple(m.hit.start for m in agents), (own is not None and agent is own) or (
                       ttype == "casualties" and first.start in clause.cache.get("subject_killer", ())), unlisted)


def _infighting(ms: list[Mention], agents: list[Mention]) -> bool:
    """"اشتباكات بين فصيلي الحمزات والسلطان مراد", "clashes between two SNA factions": both
    sides are one party, so the fight is that party's violence and its dead are its own
    doing (rule 13), unlike a fight between two parties, which names no killer."""
    parties = [m for m in ms if m.actor not in ("civilians", "unknown") and m.role != "target"]
    return len(agents) == 1 and len(parties) >= 2 and {m.actor for m in parties} == {agents[0].actor}


def _coordinated(m: Mention, clause: Clause, words: Words, markers: RoleMarkers) -> bool:
    """Is the partner named right after "بالتنسيق مع" / "in coordination with" / "carried out with"?"""
    i = words.first(m.hit)
    return any(p == "coordinated" and 0 <= i - b - 1 <= 2 for _, b, p in words.inside(markers, max(clause.first, i - 6), i - 1))


def _outside_earlier_event(ms: list, first: Hit, clause: Clause, words: Words, markers: RoleMarkers) -> list:
    """"استقدمت الميليشيات الإيرانية تعزيزات … بعد ساعات من غارات جوية استهدفت مواقعها",
    "The militias reinforced … after airstrikes hit their positions": a bare event noun after
    "بعد / after" is another party's event; the subject before the marker is not its agent.
    (Not "بعد أن قصفت", "بعد قصفها", "after shelling the village": the subject's own act.)"""
    fw = words.first(first)
    seq = [i for i, j, p in words.inside(markers, max(clause.first, fw - 4), fw - 1) if p == "sequence" and fw - j - 1 <= 3]
    if not seq:
        return ms
    w = words.tokens.words[fw]
    between = words.tokens.words[seq[-1] + 1:fw]
    if any(x in ("ان", "that", "they", "it") for x in between) or w.endswith(("ه", "ها", "هم", "هما")) \
            or (w.endswith("ing") and not w.endswith("ings")) or not any(t.start == first.start for t in clause.of("trigger")):
        return ms
    cut = words.starts[seq[-1]]
    return [m for m in ms if m.hit.start >= cut]


def _markers(clause: Clause, words: Words, markers: RoleMarkers, kind: str) -> list[tuple[int, int]]:
    """(first, last) word of each role marker of one kind in the clause, looked up once per clause."""
    key = ("markers", kind)
    if key not in clause.cache:
        clause.cache[key] = [(i, j) for i, j, p in words.inside(markers, clause.first, clause.last) if p == kind]
    return clause.cache[key]


def _in_cause_phrase(m: Mention, anchors, clause: Clause, words: Words, markers: RoleMarkers) -> bool:
    """A party named in "after the Turkish strikes" / "بعد الضربات التركية" is the party of
    that other event, the cause of a change in patrols or cooperation, not its agent."""
    for _, j in _markers(clause, words, markers, "sequence"):
        for t in clause.of("trigger"):
            if t.payload[1].type not in _VIOLENT or any(_overlap(t, a) for a in anchors):
                continue
            lo, hi = words.first(t), words.last(t)
            if not 0 <= lo - j - 1 <= 3:
                continue     # the event must follow the marker closely
            i = words.first(m.hit)
            if j < i <= hi + 1 and (i <= hi or words.between(t, m.hit) == 0):
                return True
    return False


def speaker(anchors: list[Hit], clause: Clause, words: Words, markers: RoleMarkers) -> str | None:
    """The party said to speak before the event ("قالت قسد إن تركيا ستطلق …", "The SDF said
    Turkey would …"): whose report a threatened act is (CODEBOOK rule 4)."""
    first = min(anchors, key=lambda a: a.start)
    arabic = is_arabic(anchors[0].payload[1].term)
    said = [m for m in mentions(clause, words, markers)
            if m.hit.end <= first.start and _speaks(m, clause, words, markers, arabic)]
    return max(said, key=lambda m: m.hit.start).actor if said else None


def _second_of_pair(m: Mention, clause: Clause, words: Words) -> bool:
    """Is the party the second of "N and X" / "N وX", N not a party of the list?"""
    i = words.first(m.hit)
    if i - 1 <= clause.first:
        return False
    actors = clause.of("actor")
    if is_arabic(words.tokens.words[i]):
        prev, ok = i - 1, m.hit.left.startswith("و")
    else:
        prev, ok = i - 2, words.tokens.words[i - 1] == "and"
    return ok and prev >= clause.first and not any(words.first(a) <= prev <= words.last(a) for a in actors) \
        and not any(words.first(t) <= prev <= words.last(t) for t in clause.of("trigger"))


def _mutual(trig: Hit, words: Words, markers: RoleMarkers) -> bool:
    """Is the trigger a word of two-sided fighting (اشتباكات, clashed), not of an attack?"""
    i, j = words.first(trig), words.last(trig)
    return any(p == "mutual" for a, b, p in words.inside(markers, i, j + 1) if a <= j)


def _own_men_subjected(agent: Mention, first: Hit, clause: Clause, words: Words, markers: RoleMarkers) -> bool:
    """The party's own men ("عناصرها") are the subject of "تعرض ل" between it and the event."""
    f = words.first(first)
    subj = [b for _, b in _markers(clause, words, markers, "subjected") if words.last(agent.hit) < b < f]
    if not subj:
        return False
    own = [j for _, j in _markers(clause, words, markers, "own") if words.last(agent.hit) < j < max(subj)]
    return bool(own)


def _speaker_of_own(ms, anchors, clause: Clause, words: Words, markers: RoleMarkers) -> Mention | None:
    """"قالت وزارة الدفاع التركية إن طائراتها قصفت …", "The SDF said its fighters killed …":
    the speaker's own forces next to the event make the speaker its agent. Only when no
    party is marked as the agent, and no other party stands between them."""
    own = _markers(clause, words, markers, "own")
    first = min(anchors, key=lambda a: a.start)
    a_first = words.first(first)
    itself = markers.words.itself      # "إنها", "it", "their"
    if not own and not any(w in itself for w in words.tokens.words[max(clause.first, a_first - 3):a_first]):
        return None     # the common case: no word of the speaker's own forces in the clause
    if any(m.role == "agent" for m in ms):
        return None
    a_last = max(words.last(a) for a in anchors)
    # "3 من عناصرها", "عناصرها بهجوم …": its own men as the dead, not as the actors
    own = [(i, j) for i, j in own
           if (0 <= a_first - j - 1 <= 3 or 0 <= i - a_last - 1 <= 1)
           and not (i > 0 and words.tokens.words[i - 1] in ("من", "of"))
           and not (j < a_first and "ب" in first.left)]
    # "قالت تركيا إنها قصفت …", "The SDF said it had shelled …": the speaker as subject
    # (not "أعلنت قسد أنها أسقطت مسيرة تركية": who downs the drone is its target)
    own += [(k, k) for k in range(max(clause.first, a_first - 3), a_first) if words.tokens.words[k] in itself
            and not any(k < b < a_first for _, b in _markers(clause, words, markers, "target"))]
    arabic = is_arabic(words.tokens.words[a_first])
    if not arabic:
        # "struck its fighters" is the object; "its fighters were wounded" are the dead
        own = [(i, j) for i, j in own if j < a_first and _subject_gap(words.tokens.words[j + 1:a_first])]
    elif getattr(first.payload[1], "type", None) == "casualties":
        # "وإن مقاتليها قتلوا اثنين" kills; "مقاتليها أصيبوا بجروح" / "قُتلوا في الهجوم" die
        nxt = words.tokens.words[a_last + 1] if a_last + 1 < len(words.tokens) else ""
        kill = any(p == "kill_verb" and a == a_first for a, _, p in words.inside(markers, a_first, a_last))
        own = [(i, j) for i, j in own if kill and j < a_first and not nxt.startswith(("ب", "في", "جراء", "خلال"))]
    if not own:
        return None
    i, j = min(own, key=lambda o: abs(o[0] - a_first))
    lo = min(i, a_first)
    if any(j < b < a_first for _, b in _markers(clause, words, markers, "subjected")):
        return None     # "إن عناصرها تعرضوا لكمين": its men were hit, not hitting
    if any(lo <= words.first(m.hit) <= max(j, a_last) for m in ms):
        return None
    speakers = [m for m in ms if words.last(m.hit) < lo and m.actor not in ("civilians", "unknown")
                and _speaks(m, clause, words, markers, arabic)]
    # "قال مصدر في الإدارة الذاتية إن أنقرة تحشد قواتها", "the SDF said Turkey was massing
    # its troops": a party named after the speaker, before the event, is the subject of
    # what is said, and "its forces" are that party's (rule 7).
    speakers = [sp for sp in speakers if not arabic or not any(
        words.last(sp.hit) < words.first(m.hit) and words.last(m.hit) < lo
        and words.tokens.words[words.first(m.hit) - 1] in ("ان", "بان") and m.actor != sp.actor
        and m.actor not in ("civilians", "unknown") for m in ms)]
    if not speakers and arabic:
        # "تصدت قسد لهجوم … . وقال المركز الإعلامي للقوات إن مقاتليها قتلوا …": a speaker
        # off the list opening the clause speaks for the party opening the sentence before.
        said = [b for a, b, p in words.inside(markers, clause.first, min(clause.first + 1, a_first - 1)) if p == "speech"]
        report = [k for k in range(said[0] + 1, lo) if words.tokens.words[k] in ("ان", "بان")] if said else []
        if report and not any(words.first(m.hit) < lo for m in ms):
            return _opener_before(clause, words)
    if not speakers and not arabic:
        # '"Our forces killed three of the attackers," the SDF said': the speaker named after
        # the quote, the nearest after it
        speakers = [m for m in ms if words.first(m.hit) > max(j, a_last) and m.actor not in ("civilians", "unknown")
                    and words.punct_between(first, m.hit) and "speech" in words.after(markers, m.hit, clause.last)]
        return min(speakers, key=lambda m: m.hit.start) if speakers else None
    return max(speakers, key=lambda m: m.hit.start) if speakers else None


def _speaks(m: Mention, clause: Clause, words: Words, markers: RoleMarkers, arabic: bool) -> bool:
    """Is the party a speaker: "قالت قسد", "بحسب وزارة الدفاع", "The SDF said", "according
    to the ministry" (in English a speech verb before a name opens what is said)."""
    if "speech" in words.after(markers, m.hit, clause.last):
        return True
    i = words.first(m.hit)
    if arabic:
        # "وقالت قوى الأمن الداخلي (الأسايش)": the speaker's name may take three words, but
        # not past "إن/أن", which opens what is said.
        said = [j for _, j, p in words.inside(markers, max(clause.first, i - 4), i - 1) if p == "speech"]
        return bool(said) and not any(w in ("ان", "بان") for w in words.tokens.words[max(said) + 1:i])
    if "speech" not in words.before(markers, m.hit, gap=1, floor=clause.first):
        return False
    return words.tokens.words[max(0, i - 3):i][-2:] == ["according", "to"] \
        or words.tokens.words[max(0, i - 3):i][-3:-1] == ["according", "to"]


def _subject_gap(between: list) -> bool:
    """Do only auxiliaries stand between an English subject and its verb ("their fighters
    had killed", not "struck its fighters near X, killing" or "its fighters were wounded")?"""
    return all(w in ("had", "have", "has", "also", "then", "reportedly", "later") for w in between)


def _reports(m: Mention, trig: Hit, words: Words, clause: Clause) -> bool:
    """Is the event in what the speaker reports ("قالت الأسايش إن المسيّرة استهدفت",
    "SOHR said a drone struck", "… said that …"), not an act it announces ("أعلنت قسد
    استئناف التنسيق", "The SDF announced the resumption of patrols")?"""
    # Only when the reported clause opens on the event itself: its own subject, not a
    # pronoun or a noun of the speaker's ("إن بلاده ستطلق", "said the army would deploy").
    lo = words.last(m.hit) + 1
    between = words.tokens.words[lo:words.first(trig)]
    k = max((n for n, w in enumerate(between) if w in ("ان", "بان", "that", "said", "says", "added")), default=None)
    if k is None:
        return False
    events = {x for h in clause.of("trigger") + clause.of("aircraft") for x in range(words.first(h), words.last(h) + 1)}
    return all(w in ("a", "an", "the") or lo + n in events for n, w in enumerate(between) if n > k)


def _of_itself(m: Mention, words: Words, markers: RoleMarkers) -> bool:
    """Does what the speaker says start with itself ("said it …", "قالت إنها …")?"""
    j = words.last(m.hit)
    return any(w in markers.words.itself for w in words.tokens.words[j + 1:j + 6])


def _pick_agent(ttype, ms, anchors, first, words, arabic: bool, markers, clause) -> Mention | None:
    """English names the agent before the event ("Turkish drones struck …"); an actor after
    an English verb is its object unless "by" marks it. Arabic puts the subject after the
    verb and the possessor or nisba after the noun, so either side will do there."""
    known = {}

    def dist(m):
        if id(m) not in known:
            known[id(m)] = min(words.between(m.hit, a) for a in anchors)
        return known[id(m)]
    candidates = [m for m in ms if m.actor != "civilians"]
    if not arabic and words.tokens.words[words.first(first)] in ("came", "come", "comes", "coming"):
        # "The factions came under attack by SDF fighters": the subject was hit
        candidates = [m for m in candidates if m.hit.start > first.start]
    subjected = [j for _, j in _markers(clause, words, markers, "subjected") if j < words.first(first)]
    if subjected:
        # "تعرض رتل للقوات التركية لهجوم": the party between "subjected to" and the event is hit
        candidates = [m for m in candidates if not max(subjected) < words.first(m.hit) < words.first(first)]
    # A marked agent ("برصاص عناصر الأمن العام", "by Turkish drones") belongs to the event
    # nearest it: not to one with another event in between.
    marked = [m for m in candidates if m.role == "agent"]
    if marked:
        events = [t for t in clause.of("trigger") if not any(_overlap(t, a) for a in anchors)]
        marked = [m for m in marked if not any(
            min(m.hit.start, first.start) < t.start < max(m.hit.start, first.start) and words.between(t, first) > 0
            for t in events)]
    by = [m for m in candidates if m.role == "agent"]
    if by and not arabic and ttype == "casualties":
        subject = _not_of_object(by, candidates, first, clause, words, markers)
        if subject:
            # (the event of the object does not then take the dead: see detect.py)
            clause.cache.setdefault("subject_killer", set()).add(first.start)
            return subject
    if marked:
        return min(marked, key=dist)
    if ttype not in ("casualties", "explosion") and _unlisted_subject(first, anchors, ms, clause, words, markers):
        return None     # the act's own subject is a group off the list (rule 7)
    if ttype == "casualties":
        return _killer(candidates, first, words, arabic, markers, clause)
    if ttype == "explosion":
        # A blast names no perpetrator by itself; only one standing right by it
        # ("ISIS car bomb") or marked ("زرعها مجهولون", "planted by") is its agent.
        # "قُتل عنصران من قوات النظام بانفجار عبوة": before a blast written with ب ("by a
        # blast") stand its victims.
        close = [m for m in candidates if m.role == "neutral" and dist(m) <= 1 and m.actor != "unknown"
                 and (arabic or m.hit.end <= first.start)
                 and not (m.hit.end <= first.start and first.left.endswith("ب")) and not _by_event(m, first, words)]
        unknown = [m for m in candidates if m.actor == "unknown"]
        # "ISIS militants set off an IED", "فجّر عناصر التنظيم عبوة": the party of a detonation
        # verb right before the blast set it off (CODEBOOK rules 7, 12).
        fa = words.first(first)
        verbs = [(i, j) for i, j, p in words.inside(markers, max(clause.first, fa - 3), fa - 1) if p == "detonate"]
        if verbs and not unknown and not close:
            i, j = verbs[-1]
            by_verb = [m for m in candidates if m.role == "neutral" and m.actor != "unknown"
                       and (0 <= i - words.last(m.hit) - 1 <= 1 or 0 <= words.first(m.hit) - j - 1 <= 1)]
            if by_verb:
                return min(by_verb, key=lambda m: abs(words.first(m.hit) - i))
        return (unknown or close or [None])[0]
    if ttype in RECIPROCAL:
        first_named = [m for m in candidates if m.role == "first"]
        if first_named:
            return min(first_named, key=lambda m: m.hit.start)
        last = max(words.last(a) for a in anchors)
        for i, j, p in words.inside(markers, last + 1, last + 3):
            after = words.tokens.words[j + 1] if j + 1 < len(words.tokens) else ""
            # ("between the …": an article; the words after it may still name the two sides)
            if p == "between" and i <= last + 2 and after not in markers.words.both_sides and after != "the":
                return None   # "اشتباكات بين مسلحين من العشائر وقسد": the first-named party is off the list
    neutral = [m for m in candidates if m.role in ("neutral", "first")] or \
        [m for m in candidates if m.role == "partner"]
    if not neutral:
        return None
    if not arabic:
        # English: the subject; after the event only the first party of a reciprocal
        # relation with no subject ("Clashes erupted near X with Y").
        before = [m for m in neutral if m.hit.start < first.start]
        if before or ttype not in RECIPROCAL or not _mutual(first, words, markers):
            # after a one-sided verb ("… ambushed a General Security patrol") the party is its object
            neutral = before
    def partitive(m):
        # "وحلّت مكانها وحدات من الجيش السوري", "انسحب مقاتلون من قسد": the subject is "some of X"
        i = words.first(m.hit)
        return arabic and m.hit.start > first.start and dist(m) <= 2 and i > 0 and words.tokens.words[i - 1] == "من"
    close = [m for m in neutral if (dist(m) <= 1 or partitive(m))
             and not any(words.punct_between(m.hit, a) for a in anchors)]
    if arabic and "ب" in first.left and ttype in TARGETED and first.payload[0] == "trigger":
        # "مقتل قيادي في قسد باستهداف مسيّرة تركية": before "by (means of) a strike" stand
        # those it hit.
        # ("قامت القوات التركية بقصف …" keeps its subject; "عنصران من قسد بقصف …", "some
        # of" a party, names its dead)
        close = [m for m in close if m.hit.start > first.start]
        # ("مقتل قيادي في تنظيم داعش بغارة …": a member "in" a party is one of the dead too)
        neutral = [m for m in neutral if m.hit.start > first.start] or \
            [m for m in neutral if not {"من", "في"} & set(words.tokens.words[max(0, words.first(m.hit) - 2):
                                                                          words.first(m.hit)])]
    if not arabic:
        # "Two SDF fighters were killed in a drone strike": a passive subject is no agent.
        neutral = [m for m in neutral if m.hit.start > first.start or not _passive(words.text[m.hit.end:first.end], markers)]
    if close:
        # On a tie Arabic prefers the actor after (VSO, nisba), English the one before.
        return min(close, key=lambda m: (dist(m), (m.hit.start < first.start) == arabic))
    # A speaker is not the agent of what it reports ("SOHR said …", "وقالت الأسايش إن
    # المسيّرة استهدفت …"), unless it speaks of itself ("said it struck", "قالت إنها").
    neutral = [m for m in neutral if not (m.hit.end <= first.start and _reports(m, first, words, clause)
                                          and _speaks(m, clause, words, markers, arabic) and not _of_itself(m, words, markers))]
    before = [m for m in neutral if m.hit.end <= first.start]
    if before:
        # A verb with no subject of its own shares the clause's opening one: Arabic drops it
        # after a comma ("طالبت أنقرة بانسحاب الوحدات الكردية …، وهددت بتنفيذ عملية"),
        # English after "and" or in ", warning …" ("Ankara demanded that the YPG withdraw
        # and threatened …"). The nearest name is then an object or a possessor.
        nearest = max(before, key=lambda m: m.hit.start)
        opening = [m for m in before if words.first(m.hit) - clause.first <= 2]
        if arabic and not opening and _participle(first, words):
            # "وقال المتحدث باسم قسد إن …، محذراً من أن …": a circumstantial participle after
            # a comma shares the subject of the speech verb that opens the clause
            opening = [m for m in before if words.first(m.hit) - clause.first <= 4
                       and _speaks(m, clause, words, markers, arabic)]
        shared = words.punct_between(nearest.hit, first) if arabic else _no_subject(first, words, markers)
        if opening and shared:
            return min(opening, key=lambda m: m.hit.start)
    if before:
        return max(before, key=lambda m: m.hit.start)
    return min(neutral, key=dist) if neutral else None


def _unlisted_subject(first: Hit, anchors, ms, clause: Clause, words: Words, markers: RoleMarkers) -> bool:
    """Is the act's own subject an armed group off the actor list: opening what a speaker
    reports ("the Russian Centre said militants … shelled", "أعلن مركز المصالحة الروسي أن
    المسلحين … قصفوا") or marked by "by" after it ("an attack launched by terrorist
    organizations")? A party named before in another role is then not its agent."""
    fa, la = words.first(first), max(words.last(a) for a in anchors)
    starts = {words.first(m.hit) for m in ms if m.actor != "civilians"}
    for i, j in _markers(clause, words, markers, "unlisted"):
        if any(j < s <= j + 3 for s in starts):
            continue    # "gunmen from ISIS", "مسلحين من داعش": the group is named
        if j < fa:
            if i > 0 and words.tokens.words[i - 1] in markers.words.opens_report and not any(j < s < fa for s in starts) \
                    and fa - j - 1 <= 8:
                return True
        elif 0 <= i - la - 1 <= 2 and any(p == "agent" and b == i - 1
                                          for _, b, p in words.inside(markers, max(clause.first, i - 3), i - 1)):
            return True
    return False


def _opener_before(clause: Clause, words: Words) -> Mention | None:
    """The party opening the sentence right before this clause's (only punctuation between)."""
    s, _ = clause.sentence
    for (a, b), m in words.openers.items():
        if b <= s and not words.text[b:s].strip(" \n\t.،,؛;:"):
            return m
    return None


def _participle(trig: Hit, words: Words) -> bool:
    """An Arabic active participle in the accusative ("محذراً", "متوعدةً", "مهدداً")."""
    w = words.tokens.bare[words.first(trig)]
    return w.startswith("م") and (w.endswith("ا") or w.endswith("ة")) and len(w) >= 5


def _subjects(words: Words) -> list:
    """The agents found so far in this text, in order: (sentence, clause start, actor).
    Clauses are analysed in text order, so a dropped subject looks back here."""
    if not hasattr(words, "subjects"):
        words.subjects = []
    return words.subjects


def _previous_subject(clause: Clause, words: Words, before: int, same_sentence: bool = False) -> str | None:
    """The agent of the last event before this one, in this sentence or the one right
    before it ("قصفت القوات التركية قرى … . كما استهدفت بالمدفعية بلدة …")."""
    s, _ = clause.sentence
    for sentence, start, actor in reversed(_subjects(words)):
        if start >= before:
            continue
        if sentence == clause.sentence or (not same_sentence and not words.text[sentence[1]:s].strip(" \n\t.،,؛;:")):
            return actor if actor not in ("civilians", "unknown") else None
        return None
    return None


def _between_both_sides(trig: Hit, words: Words, markers: RoleMarkers) -> bool:
    """"اشتباكات بين الطرفين", "clashes between the two sides"."""
    last = words.last(trig)
    for i, j, p in words.inside(markers, last + 1, last + 3):
        after = words.tokens.words[j + 1] if j + 1 < len(words.tokens) else ""
        if p == "between" and i <= last + 2 and after in markers.words.both_sides:
            return True
        if p == "between" and after == "the" and j + 2 < len(words.tokens) \
                and words.tokens.words[j + 2] in ("two", "sides", "parties"):
            return True
    return False


def _dropped_subject(trig: Hit, clause: Clause, words: Words, arabic: bool, markers: RoleMarkers) -> bool:
    """A verb whose subject is the previous one: in Arabic a clause opening on a feminine
    perfect verb ("واستهدفت بالمدفعية …", "كما قصفت", "ثم شنت"), the event within three
    words of it; in English "they/it (also) struck" or a clause cut at "but" with no party."""
    i = words.first(trig)
    if not arabic:
        # "… not only shelled the town but also sent warplanes to bomb its outskirts"
        opener = words.tokens.words[clause.first] in ("but", "yet") and i - clause.first <= 6
        return opener or any(w in ("they", "it") for w in words.tokens.words[max(clause.first, i - 2):i])
    v = clause.first
    while v < i and words.tokens.words[v] in markers.words.clause_openers:
        v += 1
    verb = words.tokens.bare[v] if v < len(words.tokens) else ""
    if v - clause.first > 1 or not v <= i <= v + 3 or verb.startswith("ال") \
            or not verb.endswith("ت") or verb.endswith("ات") or len(verb) < 4:
        return False
    # "واستهدفت طائرة مسيّرة …": an aircraft or event noun right after the verb is its subject.
    return not any(words.first(h) == v + 1 and not {"ب", "ل"} & set(h.left)
                   for h in clause.of("aircraft") + clause.of("trigger"))


def _no_subject(trig: Hit, words: Words, markers: RoleMarkers) -> bool:
    """An English verb right after "and (then)" or a participle after a comma has no
    subject of its own ("… and threatened", "…, warning it would use force")."""
    i = words.first(trig)
    prev = words.tokens.words[i - 1] if i > 0 else ""
    if prev in markers.words.coordinating:
        return True
    # "SDF forces killed two ISIS members in a raid": an event in a phrase after an active
    # verb is the subject's (not after "were killed in a drone strike").
    lead = words.tokens.words[max(0, i - 4):i]
    if lead and lead[-1] not in ("a", "an"):
        lead = lead[:-1]      # one modifier: "in a helicopter raid", "in a drone strike"
    if len(lead) >= 2 and lead[-2] in ("in", "during") and lead[-1] in ("a", "an") and \
            not any(w in ("was", "were", "been", "being", "is", "are") for w in words.tokens.words[max(0, i - 12):i]):
        return True
    gap = words.text[words.tokens.ends[i - 1]:trig.wstart] if i > 0 else ""
    return "," in gap and words.tokens.words[i].endswith("ing")


def _not_of_object(marked, candidates, first, clause, words, markers):
    """"HTS fighters repelled an attack by regime forces …, killing five": a party after
    "by" that follows a noun ("an attack by", "an attempt by") acts in the object, not in the
    clause; a participle after a comma is its subject's, the party opening the clause. Gives
    that opening party, or None (not after a passive: "was ambushed by ISIS, killing")."""
    i = words.first(first)
    gap = words.text[words.tokens.ends[i - 1]:first.wstart] if i > 0 else ""
    if "," not in gap or not words.tokens.words[i].endswith("ing"):
        return None
    opening = [m for m in candidates if m.role == "neutral" and m.hit.end <= first.start
               and words.first(m.hit) - clause.first <= 2 and m.actor != "unknown"]
    if not opening:
        return None
    irregular = markers.words.irregular_participles
    for m in marked:
        j = words.first(m.hit)
        if m.hit.start > first.start or "by" not in words.tokens.words[max(0, j - 3):j]:
            return None
        k = max(x for x in range(max(0, j - 3), j) if words.tokens.words[x] == "by")
        noun = words.tokens.words[k - 1] if k > 0 else ""
        if noun.endswith("ed") or noun in irregular or noun in ("was", "were", "been", "being") \
                or words.between(opening[0].hit, m.hit) < 2:
            return None
    return opening[0]


def _passive(gap: str, markers: RoleMarkers) -> bool:
    """"… were killed in …", "… was shot by …" (not the progressive "was preparing")."""
    ws = gap.lower().split()
    irregular = markers.words.irregular_participles     # "shot", "hit"
    return any(w in ("was", "were", "been", "being") and k + 1 < len(ws)
               and (ws[k + 1].endswith("ed") or ws[k + 1] in irregular) for k, w in enumerate(ws))


def _by_event(m: Mention, trig: Hit, words: Words) -> bool:
    """A word written with ب between a party and the event ("عنصران من قوات النظام بانفجار
    عبوة", "عبوة ناسفة بدورية روسية"): the party was hit by it or with it."""
    if m.hit.start < trig.start:
        lo, hi = words.last(m.hit) + 1, words.first(trig)
    else:    # "عبوة ناسفة بدورية روسية": the Russian patrol was hit
        lo, hi = words.last(trig) + 1, words.first(m.hit)
    return any(w.startswith("ب") and len(w) > 3 for w in words.tokens.words[lo:hi])


def _killer(candidates, first, words, arabic, markers, clause) -> Mention | None:
    """Who killed: the dead are named right next to "killed" (مقتل عنصرين من قسد, two SDF
    fighters were killed), so only a subject standing before an active verb is the killer
    ("Unknown gunmen shot dead…", "أعلنت وزارة الدفاع التركية تحييد…"), or an unknown one."""
    unknown = [m for m in candidates if m.actor == "unknown"]
    if unknown:
        return unknown[0]
    kill = False
    if arabic:
        i, j = words.first(first), words.last(first)
        kill = any(p == "kill_verb" and a == i for a, _, p in words.inside(markers, i, j))
        if kill:
            subject = [m for m in candidates if m.role == "neutral" and m.hit.start > first.start
                       and words.between(first, m.hit) == 0]
            if subject:
                return subject[0]     # "قتلت قوات النظام ثلاثة مدنيين"
    before = [m for m in candidates if m.role == "neutral" and m.hit.end <= first.start]
    if not before:
        return None
    if "cause" in words.before(markers, first, gap=1):
        # The subject of the causing clause ("أطلقت قوات الأسايش النار …، ما أدى إلى إصابة"),
        # unless the cause is another event in between ("علّقت روسيا الدوريات عقب انفجار
        # عبوة …، ما أدى لإصابة": the blast wounded them) or a two-sided fight.
        subject = min(before, key=lambda m: m.hit.start)
        events = [t for t in clause.of("trigger") if subject.hit.end <= t.start < first.start]
        if any(_mutual(t, words, markers) for t in events):
            return None
        if any(t.payload[1].type in _VIOLENT and words.between(subject.hit, t) > 1 for t in events):
            return None
        return subject
    m = max(before, key=lambda m: m.hit.start)
    gap = words.text[m.hit.end:first.start].lower()
    if arabic:
        # "أصيب ثلاثة جنود روس بجروح": before a casualty word written with ب stand the victims.
        # "أعلنت وزارة الدفاع التركية تحييد …", "تركيا تعلن تحييد …": the announcer's own act
        # ("، الثلاثاء،": a day or date between them is not counted)
        lo_w, hi_w = words.last(m.hit) + 1, words.first(first) - 1
        dated = {k for a, b, p in words.inside(markers, lo_w, hi_w) if p == "when" and lo_w <= a and b <= hi_w
                 for k in range(a, b + 1)}
        gap = words.between(m.hit, first) - len(dated)
        said = gap == 1 and any(p == "speech" for a, b, p in words.inside(markers, words.last(m.hit) + 1,
                                                                          words.first(first) - 1))
        # "تمكنت القوات المسلحة التركية من تحييد …": the party that managed the killing (its
        # name may open with two words the actor list does not hold)
        i = words.first(m.hit)
        able = gap == 1 and words.tokens.words[words.last(m.hit) + 1] == "من" and \
            any(p == "able" for a, b, p in words.inside(markers, max(0, i - 3), i - 1))
        said = said or able
        # (not "٢٨ من عناصر قسد قُتلوا": "some of" the party are its dead)
        partitive = "من" in words.tokens.words[max(0, i - 2):i]
        if gap == 0 and dated and not _speaks(m, clause, words, markers, True):
            gap = 1     # "قالت وزارة الدفاع، الثلاثاء، تحييد" only after a speech verb before the name
        return m if kill and (gap == 0 or said) and not partitive and not first.left.endswith("ب") else None
    if _speaks(m, clause, words, markers, False) and not _of_itself(m, words, markers) \
            and any(w in ("said", "says", "added", "reported") for w in gap.split()):
        return None    # "The SDF said the strikes hit a hospital, killing 11": the speaker killed no one
    k = words.last(first) + 1
    after = words.tokens.words[k:k + 5]
    if any(a == "of" and b in ("its", "their") for a, b in zip(after, after[1:])):
        return None    # "The SDF announced the killing of two of its soldiers": its own dead
    return None if any(w in gap.split() for w in ("was", "were", "been", "being")) else m


def _pick_target(ttype, ms, agents, first, words) -> Mention | None:
    chosen = {m.actor for m in agents}
    others = [m for m in ms if m.actor not in chosen]
    marked = [m for m in others if m.role == "target"]
    if marked:
        return min(marked, key=lambda m: words.between(m.hit, first))
    if ttype not in TARGETED:
        return None
    if ttype == "casualties":
        # The dead are named next to "killed", on either side: "مقتل عنصرين من قسد",
        # "two SDF fighters were killed".
        near = [m for m in others if m.role in ("neutral", "first") and m.actor != "unknown"]
        return min(near, key=lambda m: words.between(m.hit, first)) if near else None
    # The object after the trigger (and after its subject): "قصفت القوات التركية مواقع قسد".
    after = [m for m in others if m.role == "neutral" and m.actor != "unknown" and m.hit.start > first.start
             and (not agents or m.hit.start > agents[0].hit.start)]
    if ttype in RECIPROCAL and not after:
        return None
    return min(after, key=lambda m: m.hit.start) if after else None


def _overlap(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end
