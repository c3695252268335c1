"""Log lines for people (text) or for log shippers (JSON, one object per line), free of secrets.

Library code logs through `event()`: a message plus fields. The text form is the message;
the JSON form carries the fields too, so a shipper can filter on `source` or `status`
without parsing English. Every line passes `Redact`, which masks the values of the
environment variables the config names (`${SMTP_PASS}` …) and URL passwords, so a secret
cannot reach a log file even through an error message quoted from a library.
"""
import json
import logging
import os
import re
import sys
from datetime import datetime
from logging.handlers import WatchedFileHandler
from pathlib import Path

LOGGER = "monitor"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_PASSWORD = re.compile(r"(?<=://)([^/\s:@]*):([^/\s@]+)@")


def event(level: int, message: str, **fields) -> None:
    logging.getLogger(LOGGER).log(level, message, extra={"fields": fields})


class Redact(logging.Filter):
    """Masks secrets in the message (and in JSON fields) of every record."""

    def __init__(self, secrets=()):
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "***")
        return _URL_PASSWORD.sub(r"\1:***@", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.clean(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if fields:
            record.fields = {k: self.clean(v) if isinstance(v, str) else v for k, v in fields.items()}
        return True


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "message": record.getMessage()}
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def config_secrets(config_path) -> list[str]:
    """Values of the environment variables the config file refers to as ${VAR}."""
    try:
        text = Path(config_path).read_text(encoding="utf-8")
    except (OSError, TypeError):
        return []
    return [os.environ[name] for name in set(_ENV_REF.findall(text)) if os.environ.get(name)]


def setup(fmt: str = "text", file=None, secrets=(), level=logging.INFO) -> logging.Handler:
    """Send the monitor's log lines to stderr (or append them to `file`)."""
    # WatchedFileHandler reopens the file when logrotate has moved it: a daemon that runs
    # for months must not keep writing into a deleted file
    handler = WatchedFileHandler(file, encoding="utf-8") if file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(Redact(secrets))
    logger = logging.getLogger(LOGGER)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    # APScheduler warns on every tick a still-running crawl makes it skip: that is our
    # "at most one crawl per source" working as meant, not news. Its errors still show.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    return handler
