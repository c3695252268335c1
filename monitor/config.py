"""config.yaml → validated, frozen objects. Loaded once per run and passed down.

Every key is documented in the shipped config.yaml. Relative paths are relative to the
config file. `${VAR}` in any string is replaced from the environment, so secrets stay
out of the file (and out of our output: see notify.redact).
"""
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import UserError, UserErrors
from .yamlfile import line_of, load_yaml

SPIDERS = ("sohr", "almodon", "feed", "sitemap", "listing")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Source:
    name: str
    spider: str
    url: str
    lang: str | None = None
    every: int | None = 900          # seconds between crawls (daemon)
    cron: str | None = None
    timeout: int = 600               # a crawl running longer is killed
    enabled: bool = True
    jitter: int | None = None        # seconds of random delay (daemon); None = a tenth of `every`
    alert_after: int = 3             # failed runs in a row before one ops alert
    options: dict = field(default_factory=dict, hash=False)   # spider-specific


@dataclass(frozen=True)
class Channel:
    name: str
    url: str = field(repr=False)      # apprise URL, ${VARS} substituted: show only notify.redact(...)
    tags: tuple = ("alerts",)
    min_score: float = 0.0
    digest: tuple = ()                # cron expressions (in `timezone`); empty = each alert at once
    quiet_hours: tuple | None = None  # (start, end) in minutes after midnight, `timezone`
    urgent_score: float | None = None  # alerts scoring this much go at once (quiet hours, digests)
    timezone: str = "UTC"
    updates: bool = False             # one short message when another source corroborates
    burst: int | None = None          # more alerts due at once than this: one digest instead
    secrets: tuple = field(default=(), repr=False, compare=False)   # ${VAR} values, masked in output
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    watchlists: tuple | None          # None = the package's default watchlists
    sources: tuple
    channels: tuple
    user_agent: str = "monitor/0.1 (+https://github.com/; news monitor for humanitarian security)"
    crawl: dict = field(default_factory=dict, hash=False)     # Scrapy settings overrides

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise UserError(f"no source named '{name}'", self.path,
                        hint=f"known sources: {', '.join(s.name for s in self.sources)}")

    def with_sources(self, sources) -> "Config":
        return replace(self, sources=tuple(sources))


def default_path() -> Path:
    return Path(os.environ.get("MONITOR_CONFIG", "config.yaml"))


def parse_duration(text) -> int | None:
    m = _DURATION.match(str(text).strip())
    if not m or not any(m.groups()):
        return None
    d, h, mi, s = (int(g or 0) for g in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


def _substitute(value: str, path, line, errors, used: list | None = None) -> str:
    def env(m):
        name = m.group(1)
        if name not in os.environ:
            errors.append(UserError(f"environment variable {name} is not set", path, line,
                                    f"export {name}=… before running, or remove ${{{name}}}"))
            return ""
        if used is not None:
            used.append(os.environ[name])
        return os.environ[name]
    return _ENV.sub(env, value)


def load_config(path=None) -> Config:
    path = Path(path) if path else default_path()
    if not path.exists():
        raise UserError(f"config file {path} not found",
                        hint="pass -c PATH, set MONITOR_CONFIG, or run from the folder holding config.yaml")
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        raise UserError("the config must be a YAML mapping", path, 1, "see the shipped config.yaml")
    errors: list[UserError] = []
    base = path.resolve().parent
    known = {"database", "watchlists", "sources", "channels", "user_agent", "crawl"}
    for key in doc:
        if key not in known:
            errors.append(UserError(f"unknown key '{key}'", path, line_of(doc, key),
                                    f"use one of: {', '.join(sorted(known))}"))
    database = base / str(doc.get("database", "monitor.db"))
    watchlists = doc.get("watchlists")
    if watchlists is not None:
        if isinstance(watchlists, str):
            watchlists = [watchlists]
        if not isinstance(watchlists, list):
            errors.append(UserError("`watchlists:` must be a list of files or folders", path,
                                    line_of(doc, "watchlists")))
            watchlists = None
        else:
            watchlists = tuple(base / str(w) for w in watchlists)
    sources = _sources(doc.get("sources"), path, line_of(doc, "sources"), errors)
    channels = _channels(doc.get("channels"), path, line_of(doc, "channels"), errors)
    if errors:
        raise UserErrors(errors)
    extra = {}
    if doc.get("user_agent"):
        extra["user_agent"] = str(doc["user_agent"])
    return Config(path, database, watchlists, sources, channels, crawl=dict(doc.get("crawl") or {}), **extra)


def _sources(items, path, line, errors) -> tuple:
    if items is None:
        return ()
    if not isinstance(items, list):
        errors.append(UserError("`sources:` must be a list", path, line))
        return ()
    out, names = [], set()
    for i, s in enumerate(items):
        sl = line_of(items, i)
        if not isinstance(s, dict):
            errors.append(UserError("a source must be a mapping with name, spider, url", path, sl))
            continue
        for key in ("name", "spider", "url"):
            if not s.get(key):
                errors.append(UserError(f"source is missing `{key}:`", path, sl))
        name, spider = str(s.get("name", "")), s.get("spider")
        if name and not _NAME.match(name):
            errors.append(UserError(f"invalid source name '{name}'", path, sl, "use lower case, digits, hyphens"))
        if name in names:
            errors.append(UserError(f"source '{name}' defined twice", path, sl, "source names must be unique"))
        names.add(name)
        if spider and spider not in SPIDERS:
            errors.append(UserError(f"unknown spider '{spider}' for source '{name}'", path, sl,
                                    f"use one of: {', '.join(SPIDERS)}"))
        every = None
        if "cron" not in s:
            every = parse_duration(s.get("every", "15m"))
            if every is None:
                errors.append(UserError(f"invalid `every:` {s.get('every')!r} for source '{name}'", path, sl,
                                        "write e.g. 30s, 15m, 1h, 1h30m"))
        timeout = parse_duration(s.get("timeout", "10m"))
        if timeout is None:
            errors.append(UserError(f"invalid `timeout:` for source '{name}'", path, sl, "write e.g. 5m"))
        lang = s.get("lang")
        if lang not in (None, "ar", "en"):
            errors.append(UserError(f"invalid `lang:` {lang!r} for source '{name}'", path, sl, "use ar or en"))
        sched = _schedule_keys(s, name, path, sl, errors)
        options = {k: v for k, v in s.items()
                   if k not in ("name", "spider", "url", "lang", "every", "cron", "timeout", "enabled",
                                "jitter", "alert_after")}
        if spider in SPIDERS:
            errors += _option_errors(spider, options, name, path, sl)
        out.append(Source(name, spider, str(s.get("url", "")), lang, every, s.get("cron"), timeout or 600,
                          bool(s.get("enabled", True)), options=options, **sched))
    return tuple(out)


def _schedule_keys(s, name, path, line, errors) -> dict:
    """`cron:`, `jitter:` and `alert_after:` of a source (the daemon's keys)."""
    from .source_schedule import cron_error
    out = {}
    if "cron" in s and (problem := cron_error(s["cron"])):
        errors.append(UserError(f"invalid `cron:` {s['cron']!r} for source '{name}': {problem}", path, line,
                                'write five fields, e.g. "*/15 * * * *"'))
    if "jitter" in s:
        out["jitter"] = parse_duration(s["jitter"])
        if out["jitter"] is None and str(s["jitter"]).strip() not in ("0", "0s"):
            errors.append(UserError(f"invalid `jitter:` for source '{name}'", path, line, "write e.g. 30s, or 0"))
        out["jitter"] = out["jitter"] or 0
    if "alert_after" in s:
        n = s["alert_after"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            errors.append(UserError(f"invalid `alert_after:` {n!r} for source '{name}'", path, line,
                                    "write how many failed runs in a row raise an ops alert, e.g. 3"))
        else:
            out["alert_after"] = n
    return out


# Keys a source may carry besides the common ones, per spider (spiders/*.py say more).
SPIDER_OPTIONS = {
    "sohr": {"article_pattern"}, "almodon": {"article_pattern"}, "feed": {"article_pattern"},
    "sitemap": {"article_pattern", "max_age"},
    "listing": {"article_pattern", "links", "next", "pages", "max_pages"},
}

# Keys any source may carry in its options: the outlet names its reprints cite (cluster.py).
COMMON_OPTIONS = {"names"}


def _option_errors(spider, options, name, path, line) -> list:
    """Spider options checked at load time, so `monitor check` finds a typo before a crawl."""
    out = []
    for key in options:
        if key not in SPIDER_OPTIONS[spider] and key not in COMMON_OPTIONS:
            allowed = ", ".join(sorted(SPIDER_OPTIONS[spider]))
            out.append(UserError(f"unknown key `{key}:` for {spider} source '{name}'", path, line,
                                 f"a {spider} source takes name, spider, url, lang, every, cron, jitter, timeout, enabled, "
                                 f"alert_after, names, {allowed}"))
    if "article_pattern" in options:
        try:
            re.compile(str(options["article_pattern"]))
        except re.error as exc:
            out.append(UserError(f"invalid `article_pattern:` for source '{name}': {exc}", path, line,
                                 "write a Python regular expression, e.g. /\\d+/$"))
    if spider == "listing" and not options.get("links"):
        out.append(UserError(f"listing source '{name}' needs `links:`", path, line,
                             'a CSS selector for its article links, e.g. links: "article h2 a"'))
    for key in ("links", "next"):
        if spider == "listing" and options.get(key):
            from cssselect import GenericTranslator, SelectorError   # parsel's, as Scrapy uses
            try:
                GenericTranslator().css_to_xpath(str(options[key]))
            except SelectorError as exc:
                out.append(UserError(f"invalid CSS selector in `{key}:` for source '{name}': {exc}", path, line))
    for key in ("pages", "max_pages"):
        if key in options and (not isinstance(options[key], int) or options[key] < 1):
            out.append(UserError(f"`{key}:` of source '{name}' must be a whole number of pages, 1 or more", path, line))
    if "max_age" in options and parse_duration(options["max_age"]) is None:
        out.append(UserError(f"invalid `max_age:` for source '{name}'", path, line, "write e.g. 2d, 12h"))
    return out


def _channels(items, path, line, errors) -> tuple:
    if items is None:
        return ()
    if not isinstance(items, list):
        errors.append(UserError("`channels:` must be a list", path, line))
        return ()
    out, names = [], set()
    for i, c in enumerate(items):
        cl = line_of(items, i)
        if not isinstance(c, dict) or not c.get("name") or not c.get("url"):
            errors.append(UserError("a channel needs `name:` and `url:`", path, cl))
            continue
        tags = c.get("tags") or ["alerts"]
        if not isinstance(tags, list):
            errors.append(UserError(f"`tags:` of channel '{c['name']}' must be a list", path, cl))
            continue
        secrets: list = []
        url = _substitute(str(c["url"]), path, cl, errors, secrets)
        options = _channel_options(c, path, cl, errors)
        if str(c["name"]) in names:
            errors.append(UserError(f"channel '{c['name']}' defined twice", path, cl, "channel names must be unique"))
        names.add(str(c["name"]))
        out.append(Channel(str(c["name"]), url, tuple(map(str, tags)), secrets=tuple(secrets), line=cl, **options))
    return tuple(out)


CHANNEL_KEYS = ("name", "url", "tags", "min_score", "digest", "quiet_hours", "urgent_score", "timezone",
                "updates", "burst")


def _channel_options(c: dict, path, line, errors) -> dict:
    """The delivery options of one channel, validated (schedule.py reads them)."""
    from . import schedule
    name, out = c["name"], {}

    def bad(key, msg, hint):
        errors.append(UserError(f"channel '{name}': {msg}", path, line_of(c, key) or line, hint))
    for key in c:
        if key not in CHANNEL_KEYS:
            bad(key, f"unknown key '{key}'", f"use one of: {', '.join(CHANNEL_KEYS)}")
    for key in ("min_score", "urgent_score"):
        if c.get(key) is not None:
            value = c[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
                out[key] = float(value)
            else:
                bad(key, f"`{key}:` must be a number from 0 to 1", "write e.g. 0.5")
    tz = str(c.get("timezone", "UTC"))
    if not schedule.valid_timezone(tz):
        bad("timezone", f"unknown timezone {tz!r}", "use an IANA name such as Asia/Damascus or UTC")
        tz = "UTC"
    out["timezone"] = tz
    if c.get("digest") is not None:
        try:
            out["digest"] = schedule.parse_digest(c["digest"], tz)
        except ValueError as e:
            bad("digest", f"invalid `digest:` ({e})", 'write times of day ["07:00", "19:00"] or a cron line "0 */6 * * *"')
    if c.get("quiet_hours") is not None:
        try:
            out["quiet_hours"] = schedule.parse_quiet_hours(c["quiet_hours"])
        except ValueError:
            bad("quiet_hours", f"invalid `quiet_hours:` {c['quiet_hours']!r}", 'write "22:00-07:00"')
    if "updates" in c:
        if not isinstance(c["updates"], bool):
            bad("updates", "`updates:` must be true or false", "write updates: true")
        out["updates"] = bool(c["updates"])
    if "burst" in c:
        if isinstance(c["burst"], bool) or not isinstance(c["burst"], int) or c["burst"] < 1:
            bad("burst", "`burst:` must be a whole number of at least 1", "write e.g. burst: 5")
        else:
            out["burst"] = c["burst"]
    return out
