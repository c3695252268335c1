"""Load watchlist YAML files, validate them all at once, and compile them for `detect`.

The format is documented in docs/watchlists.md. Every problem is reported with its
file and line, and all problems are reported together (`monitor check`).
"""
import re
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

from .errors import UserError, UserErrors
from .matcher import Lookup, Matcher
from .phrases import PhraseSet, bare, unsuffixed
from .text import is_arabic, normalise_term
from .yamlfile import line_of, load_yaml

TYPES = ("airstrike", "shelling", "ground_assault", "clashes", "explosion", "patrol_change",
         "cooperation_change", "reinforcements", "threat", "casualties")
MODALITIES = ("occurred", "threatened", "denied")
CHANGE_TYPES = ("patrol_change", "cooperation_change")
SECTIONS = ("actors", "places", "triggers", "changes", "aircraft", "ground_fire", "cues", "terminators",
            "exclusions", "roles", "vocabulary", "alerts")
CUE_KINDS = ("denied", "threatened", "conditional", "hedge")
ROLE_KINDS = ("target", "agent", "joint", "locative", "origin", "sequence", "between", "cause", "target_after", "partner", "dissuade", "claim",
              "accuse", "accusation", "owner", "speech", "own", "mutual", "support", "kill_verb", "subjected", "continues", "detonate",
              "relative", "blame", "able", "coordinated", "unlisted", "when", "inform")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Trigger:
    type: str
    term: str
    requires: frozenset = frozenset()   # normalised terms; one must be in the clause
    agents: frozenset = frozenset()     # actor ids the agent must be one of
    generic: bool = False               # "الهجوم"/"the attack" after an event names it again
    unless: frozenset = frozenset()     # normalised terms; one in the clause silences it


@dataclass(frozen=True)
class Cue:
    kind: str        # denied | threatened | conditional | hedge
    phrase: str
    side: str        # before | after | both
    window: int      # in words
    types: frozenset = frozenset()   # the signal types it applies to; empty = all


@dataclass(frozen=True)
class AlertRule:
    name: str
    types: frozenset
    modalities: frozenset
    actors: frozenset
    places: frozenset
    min_score: float
    min_sources: int
    tags: tuple


@dataclass(frozen=True)
class Vocabulary:
    """The `vocabulary:` word lists, normalised and lower-cased like the words of a text
    (hamza folded: "الأخيرة" is kept as "الاخيرة"), as frozensets built once."""
    joint: frozenset = frozenset()
    both_sides: frozenset = frozenset()
    latter: frozenset = frozenset()
    latter_after: frozenset = frozenset()
    itself: frozenset = frozenset()
    opens_report: frozenset = frozenset()
    clause_openers: frozenset = frozenset()
    coordinating: frozenset = frozenset()
    irregular_participles: frozenset = frozenset()
    asserting_aux: frozenset = frozenset()
    future: frozenset = frozenset()
    bare_blast: frozenset = frozenset()
    inflict: frozenset = frozenset()
    break_up: frozenset = frozenset()
    retaliation: frozenset = frozenset()
    # Arabic "الأخيرة" is a noun by its context, English "latter" after "the". A text holding
    # none of the probes (the words holding no other: "الاخير", "latter") skips the word loop.
    latter_arabic: frozenset = field(init=False)
    latter_english: frozenset = field(init=False)
    latter_probes: tuple = field(init=False)

    def __post_init__(self):
        arabic = frozenset(w for w in self.latter if is_arabic(w))
        object.__setattr__(self, "latter_arabic", arabic)
        object.__setattr__(self, "latter_english", self.latter - arabic)
        object.__setattr__(self, "latter_probes", tuple(sorted(
            w for w in self.latter if not any(o != w and o in w for o in self.latter))))


# Word lists (`vocabulary:` in roles.yaml) that detect.py and roles.py compare single words
# with, at places the code knows (the word after "بين", the word before "الأخيرة" …).
WORD_LISTS = tuple(f.name for f in fields(Vocabulary) if f.init)


class RoleMarkers(PhraseSet):
    """The `roles:` markers, looked up near actors, and the `vocabulary:` word lists: what
    roles.py reads from the watchlists."""

    def __init__(self):
        super().__init__(accusative=True)
        self.words = Vocabulary()


@dataclass
class Rules:
    """Compiled watchlists: what `detect` and `alerts` need, nothing more."""
    actors: dict = field(default_factory=dict)       # id -> display name
    places: dict = field(default_factory=dict)       # id -> (name, governorate)
    alerts: list = field(default_factory=list)
    files: list = field(default_factory=list)
    matcher: Matcher = field(default_factory=Matcher)      # triggers, actors, places…
    cues: PhraseSet = field(default_factory=PhraseSet)     # looked up near triggers only
    pseudo: PhraseSet = field(default_factory=PhraseSet)
    roles: RoleMarkers = field(default_factory=RoleMarkers)   # near actors only
    required: Lookup = field(default_factory=Lookup)       # `requires:` words, per clause
    en_words: frozenset = frozenset()    # the English words of all terms, to read "dr*nes" by

    @property
    def words(self) -> Vocabulary:
        """The `vocabulary:` word lists (held by the role markers, which roles.py is given)."""
        return self.roles.words


def default_paths() -> list[Path]:
    folder = resources.files("monitor") / "watchlists"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith((".yaml", ".yml")))


def expand(paths) -> list[Path]:
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml")))
        elif p.exists():
            out.append(p)
        else:
            raise UserError(f"watchlist not found: {p}", hint="fix `watchlists:` in the config")
    return out


def load_rules(paths=None) -> Rules:
    """Read, validate and compile watchlists (the package defaults when `paths` is None)."""
    files = default_paths() if paths is None else expand(paths)
    return _Compiler(files).compile()


class _Compiler:
    def __init__(self, files):
        self.files = files
        self.errors: list[UserError] = []
        self.rules = Rules(files=list(files))
        self.m = self.rules.matcher
        self.seen_alias: dict = {}     # normalised alias -> (actor, file, line)
        self.defined: dict = {}        # (section, key) -> (file, line)
        self.vocabulary: dict = {name: set() for name in WORD_LISTS}   # every file's words, merged

    def err(self, msg, path, line, hint=None):
        self.errors.append(UserError(msg, path, line, hint))

    def compile(self) -> Rules:
        docs = []
        for path in self.files:
            try:
                doc = load_yaml(path)
            except UserError as e:
                self.errors.append(e)
                continue
            if doc is None:
                continue
            if not isinstance(doc, dict):
                self.err("a watchlist must be a mapping of sections", path, 1,
                         f"use top-level keys among: {', '.join(SECTIONS)}")
                continue
            for key in doc:
                if key not in SECTIONS:
                    self.err(f"unknown section '{key}'", path, line_of(doc, key),
                             f"use one of: {', '.join(SECTIONS)}")
            docs.append((path, doc))
        # Actors first: triggers and alert rules refer to actor ids.
        for path, doc in docs:
            self._actors(path, doc.get("actors"))
        for path, doc in docs:
            self._places(path, doc.get("places"))
            self._triggers(path, doc.get("triggers"))
            self._changes(path, doc.get("changes"))
            self._terms(path, doc, "aircraft", lambda t: ("aircraft",))
            self._terms(path, doc, "ground_fire", lambda t: ("ground_fire",))
            self._terms(path, doc, "terminators", lambda t: ("terminator",))
            self._cues(path, doc.get("cues"))
            self._exclusions(path, doc.get("exclusions"))
            self._roles(path, doc.get("roles"))
            self._vocabulary(path, doc.get("vocabulary"))
        self.rules.roles.words = Vocabulary(**{k: frozenset(v) for k, v in self.vocabulary.items()})
        for path, doc in docs:
            self._alerts(path, doc.get("alerts"))
        if self.errors:
            raise UserErrors(self.errors)
        self.m.build()
        self.rules.en_words = frozenset(self.m.words() | self.rules.required._matcher.words())
        return self.rules

    # -- helpers -------------------------------------------------------------
    def _term(self, item, path, line, allowed=("term", "case", "clitics")):
        """A term is a string or {term: ..., options}; returns (text, options) or None."""
        if isinstance(item, str):
            item = {"term": item}
        if not isinstance(item, dict) or not isinstance(item.get("term"), str):
            self.err("a term must be a string or a mapping with `term:`", path, line,
                     "write e.g. `- غارة` or `- {term: IS, case: true}`")
            return None
        for k in item:
            if k not in allowed:
                self.err(f"unknown option '{k}' for term '{item.get('term')}'", path, line,
                         f"allowed here: {', '.join(allowed)}")
        text = item["term"]
        if not normalise_term(text):
            self.err(f"empty term {text!r}", path, line, "remove it or write the word")
            return None
        if item.get("case") and is_arabic(text):
            self.err(f"`case: true` on Arabic term '{text}'", path, line, "Arabic has no case: remove it")
        return text, item

    def _define(self, section, key, path, line):
        prev = self.defined.get((section, key))
        if prev:
            self.err(f"{section[:-1]} '{key}' defined twice (first in {prev[0]} line {prev[1]})",
                     path, line, "merge the two definitions")
            return False
        self.defined[(section, key)] = (path, line)
        return True

    def _list(self, value, path, line, what):
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(f"{what} must be a list", path, line, "write it as `- item` lines or [a, b]")
            return []
        return value

    # -- sections ------------------------------------------------------------
    def _actors(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`actors:` must map actor ids to definitions", path, line_of(section))
        for aid, spec in section.items():
            line = line_of(section, aid)
            if not isinstance(aid, str) or not _ID.match(aid):
                self.err(f"invalid actor id {aid!r}", path, line, "use lower case letters, digits, _")
                continue
            if not self._define("actors", aid, path, line):
                continue
            if not isinstance(spec, dict) or not isinstance(spec.get("aliases"), list) or not spec["aliases"]:
                self.err(f"actor '{aid}' needs a non-empty `aliases:` list", path, line)
                continue
            self.rules.actors[aid] = spec.get("name", aid)
            for i, item in enumerate(spec["aliases"]):
                got = self._term(item, path, line_of(spec["aliases"], i))
                if not got:
                    continue
                text, opts = got
                key = normalise_term(text) if opts.get("case") else normalise_term(text).lower()
                prev = self.seen_alias.get(key)
                if prev:
                    self.err(f"alias '{text}' of actor '{aid}' is already an alias of '{prev[0]}' "
                             f"({prev[1]} line {prev[2]})", path, line_of(spec["aliases"], i),
                             "an alias must name one actor: remove one of them")
                    continue
                self.seen_alias[key] = (aid, path, line_of(spec["aliases"], i))
                self.m.add(text, ("actor", aid), bool(opts.get("case")), opts.get("clitics", True))
            self._refers_back(aid, spec, path)

    def _refers_back(self, aid, spec, path):
        """`refers_back:` words name the actor only after one of its aliases ("الفصائل",
        "التنظيم" once the text has named the SNA or ISIS); detect.py checks the order."""
        items = spec.get("refers_back")
        for i, item in enumerate(self._list(items, path, line_of(spec, "refers_back"), f"{aid}.refers_back")):
            got = self._term(item, path, line_of(items, i))
            if not got:
                continue
            text, opts = got
            key = normalise_term(text) if opts.get("case") else normalise_term(text).lower()
            prev = self.seen_alias.get(key)
            if prev:
                self.err(f"'{text}' of actor '{aid}' is already a word of '{prev[0]}' ({prev[1]} line {prev[2]})",
                         path, line_of(items, i), "a word must name one actor: remove one of them")
                continue
            self.seen_alias[key] = (aid, path, line_of(items, i))
            self.m.add(text, ("actor", aid, "back"), bool(opts.get("case")), opts.get("clitics", True))

    def _places(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`places:` must map place ids to definitions", path, line_of(section))
        for pid, spec in section.items():
            line = line_of(section, pid)
            if not isinstance(pid, str) or not _ID.match(pid):
                self.err(f"invalid place id {pid!r}", path, line, "use lower case letters, digits, _")
                continue
            if not self._define("places", pid, path, line):
                continue
            if not isinstance(spec, dict) or not isinstance(spec.get("aliases"), list):
                self.err(f"place '{pid}' needs an `aliases:` list", path, line)
                continue
            self.rules.places[pid] = (spec.get("name", pid), spec.get("governorate"))
            needs_cue = bool(spec.get("needs_cue"))
            for i, item in enumerate(spec["aliases"]):
                got = self._term(item, path, line_of(spec["aliases"], i))
                if got:
                    self.m.add(got[0], ("place", pid, needs_cue), bool(got[1].get("case")),
                               got[1].get("clitics", True))

    def _clause_words(self, opts, option: str, text: str, path, line) -> list[str]:
        """The `requires:` or `unless:` words of a trigger, as lookup keys (looked up in the
        trigger's clause only when it fires)."""
        keys = []
        for r in self._list(opts.get(option), path, line, option):
            if isinstance(r, str) and normalise_term(r):
                key = normalise_term(r).lower()
                keys.append(key)
                self.rules.required.add(key, r)
            else:
                self.err(f"empty or invalid `{option}` term for '{text}'", path, line)
        return keys

    def _triggers(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`triggers:` must map types to term lists", path, line_of(section))
        for ttype, items in section.items():
            line = line_of(section, ttype)
            if ttype not in TYPES:
                self.err(f"unknown signal type '{ttype}'", path, line, f"use one of: {', '.join(TYPES)}")
                continue
            for i, item in enumerate(self._list(items, path, line, f"triggers.{ttype}")):
                iline = line_of(items, i)
                got = self._term(item, path, iline, ("term", "case", "clitics", "requires", "agents", "generic", "unless"))
                if not got:
                    continue
                text, opts = got
                requires = self._clause_words(opts, "requires", text, path, iline)
                unless = self._clause_words(opts, "unless", text, path, iline)
                agents = self._list(opts.get("agents"), path, iline, "agents")
                for a in agents:
                    if a not in self.rules.actors:
                        self.err(f"unknown actor '{a}' in `agents` of trigger '{text}'", path, iline,
                                 "add it under actors: or fix the id")
                trig = Trigger(ttype, text, frozenset(requires), frozenset(agents), bool(opts.get("generic")),
                               frozenset(unless))
                self.m.add(text, ("trigger", trig), bool(opts.get("case")), opts.get("clitics", True))

    def _changes(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`changes:` must have `up:` and `down:` lists", path, line_of(section))
        for direction, items in section.items():
            if direction not in ("up", "down"):
                self.err(f"unknown change direction '{direction}'", path, line_of(section, direction),
                         "use up or down")
                continue
            for i, item in enumerate(self._list(items, path, line_of(section, direction), "changes")):
                got = self._term(item, path, line_of(items, i))
                if got:
                    self.m.add(got[0], ("change", direction), bool(got[1].get("case")),
                               got[1].get("clitics", True))

    def _terms(self, path, doc, key, payload):
        items = doc.get(key)
        for i, item in enumerate(self._list(items, path, line_of(doc, key), key)):
            got = self._term(item, path, line_of(items, i))
            if got:
                self.m.add(got[0], payload(got[0]), bool(got[1].get("case")), got[1].get("clitics", True))

    def _cues(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`cues:` must map cue kinds to lists", path, line_of(section))
        for kind, items in section.items():
            kline = line_of(section, kind)
            if kind == "pseudo":
                for i, item in enumerate(self._list(items, path, kline, "cues.pseudo")):
                    got = self._term(item, path, line_of(items, i))
                    if got:
                        self.rules.pseudo.add(got[0], "pseudo")
                continue
            if kind not in CUE_KINDS:
                self.err(f"unknown cue kind '{kind}'", path, kline, f"use one of: {', '.join(CUE_KINDS)}, pseudo")
                continue
            for i, item in enumerate(self._list(items, path, kline, f"cues.{kind}")):
                iline = line_of(items, i)
                if isinstance(item, str):
                    item = {"phrase": item}
                if not isinstance(item, dict) or not isinstance(item.get("phrase"), str) \
                        or not normalise_term(item["phrase"]):
                    self.err("a cue needs a non-empty `phrase:`", path, iline,
                             "write e.g. {phrase: لم, side: before, window: 3}")
                    continue
                side = item.get("side", "before")
                window = item.get("window", 3)
                if side not in ("before", "after", "both"):
                    self.err(f"cue '{item['phrase']}': side must be before, after or both", path, iline)
                    continue
                if not isinstance(window, int) or window < 0:
                    self.err(f"cue '{item['phrase']}': window must be a whole number of words", path, iline)
                    continue
                types = self._list(item.get("types"), path, iline, "types")
                for t in types:
                    if t not in TYPES:
                        self.err(f"cue '{item['phrase']}': unknown signal type '{t}'", path, iline,
                                 f"use one of: {', '.join(TYPES)}")
                cue = Cue(kind, item["phrase"], side, window, frozenset(types))
                self.rules.cues.add(item["phrase"], cue, bool(item.get("case")))

    def _exclusions(self, path, items):
        for i, item in enumerate(self._list(items, path, getattr(items, "line", None), "exclusions")):
            iline = line_of(items, i)
            if isinstance(item, str):
                item = {"phrase": item}
            if not isinstance(item, dict) or not isinstance(item.get("phrase"), str) \
                    or not normalise_term(item["phrase"]):
                self.err("an exclusion needs a non-empty `phrase:`", path, iline,
                         "write e.g. {phrase: ضربة جزاء, reason: football}")
                continue
            scope = item.get("scope", "words")
            if scope not in ("words", "sentence", "text"):
                self.err(f"exclusion '{item['phrase']}': scope must be words, sentence or text", path, iline,
                         "words: the triggers it overlaps; sentence/text: every trigger of its sentence/text")
                continue
            types = self._list(item.get("types"), path, iline, "types")
            for t in types:
                if t not in TYPES:
                    self.err(f"exclusion '{item['phrase']}': unknown signal type '{t}'", path, iline,
                             f"use one of: {', '.join(TYPES)}")
            self.m.add(item["phrase"], ("exclusion", item.get("reason", item["phrase"]), scope, frozenset(types)),
                       bool(item.get("case")), item.get("clitics", True))

    def _roles(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`roles:` must map role kinds to lists", path, line_of(section))
        for kind, items in section.items():
            if kind not in ROLE_KINDS:
                self.err(f"unknown role kind '{kind}'", path, line_of(section, kind),
                         f"use one of: {', '.join(ROLE_KINDS)}")
                continue
            for i, item in enumerate(self._list(items, path, line_of(section, kind), f"roles.{kind}")):
                got = self._term(item, path, line_of(items, i))
                if got:
                    self.rules.roles.add(got[0], kind)

    def _vocabulary(self, path, section):
        if section is None:
            return
        if not isinstance(section, dict):
            return self.err("`vocabulary:` must map word list names to lists of words", path, line_of(section),
                            f"use keys among: {', '.join(WORD_LISTS)}")
        for name, items in section.items():
            line = line_of(section, name)
            if name not in WORD_LISTS:
                self.err(f"unknown word list '{name}' in `vocabulary:`", path, line,
                         f"use one of: {', '.join(WORD_LISTS)}")
                continue
            if not isinstance(items, list) or not items:
                self.err(f"`vocabulary: {name}:` must be a non-empty list of words", path, line,
                         "write them as `- word` lines or [a, b], or remove the key")
                continue
            for i, item in enumerate(items):
                word = normalise_term(item).lower() if isinstance(item, str) else ""
                if len(word.split()) != 1:
                    self.err(f"`vocabulary: {name}:` entry {item!r} is not one word", path, line_of(items, i),
                             "these lists are compared word by word: write one word per entry")
                    continue
                self.vocabulary[name].add(word)
                if name == "joint":
                    # compared with a word's stem, without ال or a pronoun suffix: "المشتركة"
                    # written here must still match "مشتركة"
                    self.vocabulary[name].add(unsuffixed(bare(word)))

    def _alerts(self, path, items):
        for i, item in enumerate(self._list(items, path, getattr(items, "line", None), "alerts")):
            line = line_of(items, i)
            if not isinstance(item, dict) or not item.get("name"):
                self.err("an alert rule needs a `name:`", path, line)
                continue
            bad = False
            for key, known in (("types", TYPES), ("modalities", MODALITIES),
                               ("actors", self.rules.actors), ("places", self.rules.places)):
                for v in self._list(item.get(key), path, line, f"alerts.{key}"):
                    if v not in known:
                        bad = True
                        self.err(f"alert rule '{item['name']}': unknown {key[:-1]} '{v}'", path, line,
                                 f"known: {', '.join(sorted(known))[:200]}")
            tags = self._list(item.get("tags"), path, line, "tags")
            if not tags:
                bad = True
                self.err(f"alert rule '{item['name']}' has no `tags:`", path, line,
                         "name the channel tags that receive it, e.g. [alerts]")
            if bad:
                continue
            self.rules.alerts.append(AlertRule(
                item["name"], frozenset(item.get("types") or ()), frozenset(item.get("modalities") or ()),
                frozenset(item.get("actors") or ()), frozenset(item.get("places") or ()),
                float(item.get("min_score", 0)), int(item.get("min_sources", 1)), tuple(tags)))
