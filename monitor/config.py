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
    options: dict = field(default_factory=dict, hash=False)   # spider-specific


@dataclass(frozen=True)
class Channel:
    name: str
    url: str                          # apprise URL, ${VARS} already substituted
    tags: tuple = ("alerts",)
    min_score: float = 0.0


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


def _substitute(value: str, path, line, errors) -> str:
    def env(m):
        name = m.group(1)
        if name not in os.environ:
            errors.append(UserError(f"environment variable {name} is not set", path, line,
                                    f"export {name}=… before running, or remove ${{{name}}}"))
            return ""
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
        options = {k: v for k, v in s.items()
                   if k not in ("name", "spider", "url", "lang", "every", "cron", "timeout", "enabled")}
        if spider in SPIDERS:
            errors += _option_errors(spider, options, name, path, sl)
        out.append(Source(name, spider, str(s.get("url", "")), lang, every, s.get("cron"), timeout or 600,
                          bool(s.get("enabled", True)), options))
    return tuple(out)


# Keys a source may carry besides the common ones, per spider (spiders/*.py say more).
SPIDER_OPTIONS = {
    "sohr": {"article_pattern"}, "almodon": {"article_pattern"}, "feed": {"article_pattern"},
    "sitemap": {"article_pattern", "max_age"},
    "listing": {"article_pattern", "links", "next", "pages", "max_pages"},
}


def _option_errors(spider, options, name, path, line) -> list:
    """Spider options checked at load time, so `monitor check` finds a typo before a crawl."""
    out = []
    for key in options:
        if key not in SPIDER_OPTIONS[spider]:
            allowed = ", ".join(sorted(SPIDER_OPTIONS[spider]))
            out.append(UserError(f"unknown key `{key}:` for {spider} source '{name}'", path, line,
                                 f"a {spider} source takes name, spider, url, lang, every, cron, timeout, enabled, {allowed}"))
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
    out = []
    for i, c in enumerate(items):
        cl = line_of(items, i)
        if not isinstance(c, dict) or not c.get("name") or not c.get("url"):
            errors.append(UserError("a channel needs `name:` and `url:`", path, cl))
            continue
        tags = c.get("tags") or ["alerts"]
        if not isinstance(tags, list):
            errors.append(UserError(f"`tags:` of channel '{c['name']}' must be a list", path, cl))
            continue
        url = _substitute(str(c["url"]), path, cl, errors)
        out.append(Channel(str(c["name"]), url, tuple(map(str, tags)), float(c.get("min_score", 0))))
    return tuple(out)
