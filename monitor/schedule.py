"""When a channel may receive alerts: digest times and quiet hours. Pure functions.

Times are read in the channel's `timezone` (quiet hours "22:00-07:00" mean the reader's
night, not the server's). Cron lines are parsed by APScheduler's CronTrigger, the same
parser `monitor daemon` uses for sources, so one syntax serves both.
"""
import re
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def _minutes(text: str) -> int:
    m = _TIME.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_digest(value, tz: str = "UTC") -> tuple:
    """Times of day ("07:00" or a list of them) or cron lines → cron lines, validated."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("no time given")
    out = []
    for item in items:
        item = str(item).strip()
        if _TIME.match(item):
            minutes = _minutes(item)
            out.append(f"{minutes % 60} {minutes // 60} * * *")
        else:
            CronTrigger.from_crontab(item, timezone=ZoneInfo(tz))   # raises ValueError if invalid
            out.append(item)
    return tuple(out)


def parse_quiet_hours(value) -> tuple:
    """"22:00-07:00" → (1320, 420): minutes after midnight; may wrap past midnight."""
    parts = str(value).split("-")
    if len(parts) != 2:
        raise ValueError(value)
    start, end = _minutes(parts[0]), _minutes(parts[1])
    if start == end:
        raise ValueError(value)
    return start, end


@lru_cache(maxsize=64)
def _triggers(crons: tuple, tz: str) -> tuple:
    return tuple(CronTrigger.from_crontab(c, timezone=ZoneInfo(tz)) for c in crons)


def next_digest(channel, after: datetime) -> datetime | None:
    """The first digest time at or after `after` (UTC), or None for an immediate channel."""
    times = [t.get_next_fire_time(None, after) for t in _triggers(channel.digest, channel.timezone)]
    times = [t for t in times if t is not None]
    return min(times).astimezone(timezone.utc) if times else None


def digest_due(channel, created: datetime, now: datetime) -> bool:
    """A digest channel sends an alert at the first digest time after it was stored."""
    at = next_digest(channel, created)
    return at is not None and at <= now


def quiet_until(channel, now: datetime) -> datetime | None:
    """If `now` falls in the channel's quiet hours, the moment (UTC) they end."""
    if not channel.quiet_hours:
        return None
    start, end = channel.quiet_hours
    tz = ZoneInfo(channel.timezone)
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    quiet = start <= minute < end if start < end else (minute >= start or minute < end)
    if not quiet:
        return None
    day = local.date() + timedelta(days=1 if minute >= end else 0)
    return datetime.combine(day, time(end // 60, end % 60), tzinfo=tz).astimezone(timezone.utc)


def describe(channel) -> str:
    """"digest 0 7 * * *, quiet 22:00-07:00 Asia/Damascus, updates": for `monitor alerts`."""
    parts = [f"digest {' | '.join(channel.digest)}" if channel.digest else "immediate"]
    if channel.quiet_hours:
        s, e = channel.quiet_hours
        parts.append(f"quiet {s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}")
    if channel.digest or channel.quiet_hours:
        parts[-1] += f" {channel.timezone}"
    if channel.urgent_score is not None:
        parts.append(f"urgent ≥ {channel.urgent_score:g} at once")
    if channel.min_score:
        parts.append(f"min score {channel.min_score:g}")
    parts.append("updates" if channel.updates else "no updates")
    return ", ".join(parts)


def parse_time(text: str | None) -> datetime | None:
    """An ISO time as stored (with or without offset, or a bare date) → aware UTC."""
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def wait_reason(channel, row: dict, now: datetime) -> str | None:
    """Why a pending outbox row has not gone out yet, for `monitor alerts`."""
    if channel is None:
        return f"channel '{row['channel']}' is no longer in the config"
    due = parse_time(row["next_attempt_at"])
    if due and due > now:
        return f"retry after {due:%Y-%m-%d %H:%M} UTC (back-off)"
    if channel.urgent_score is not None and (row["score"] or 0) >= channel.urgent_score:
        return "urgent: the next `monitor run` sends it"
    quiet = quiet_until(channel, now)
    if quiet:
        return f"quiet hours until {quiet:%Y-%m-%d %H:%M} UTC"
    if channel.digest:
        at = next_digest(channel, parse_time(row["created_at"]))
        if at and at > now:
            return f"next digest at {at:%Y-%m-%d %H:%M} UTC"
    return "due: the next `monitor run` sends it"
