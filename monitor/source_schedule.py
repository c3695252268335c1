"""When the daemon crawls a source: its `every:` or `cron:` as an APScheduler 3 trigger.

Jitter spreads the sources' requests so that they do not all start on the same second
(and a site does not see us at exactly :00 every time). Cron expressions are read as
crontab(5) reads them, in the server's local time.
"""
import re

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

MAX_JITTER = 60         # seconds
# crontab(5) numbers weekdays from Sunday (0 or 7); APScheduler 3 from Monday (its
# documented "historical mistake", issue 286): names mean the same to both.
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_DAY_NUMBER = re.compile(r"(?<![/\d])([0-7])(?!\d)")


def jitter(source) -> int:
    """The source's `jitter:`, else a tenth of its interval, at most a minute."""
    if source.jitter is not None:
        return source.jitter
    if source.every:
        return min(MAX_JITTER, source.every // 10)
    return 0


def cron_trigger(expr: str, jitter_s: int = 0) -> CronTrigger:
    fields = str(expr).split()
    if len(fields) != 5:
        raise ValueError(f"a cron expression has 5 fields (minute hour day month weekday), not {len(fields)}")
    minute, hour, day, month, weekday = fields
    weekday = _DAY_NUMBER.sub(lambda m: _DAYS[int(m.group(1))], weekday)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday,
                       jitter=jitter_s or None)


def cron_error(expr) -> str | None:
    """Why a cron expression is invalid, or None."""
    try:
        cron_trigger(expr)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


def trigger(source):
    if source.cron:
        return cron_trigger(source.cron, jitter(source))
    return IntervalTrigger(seconds=source.every, jitter=jitter(source) or None)
