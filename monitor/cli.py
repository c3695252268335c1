"""The `monitor` command. Each command's docstring is its --help; the work is elsewhere."""
import json
import sys
from pathlib import Path

import click

from .errors import UserError

CONFIG_HELP = "Config file (default ./config.yaml or $MONITOR_CONFIG)."


def config_option(f):
    return click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
                        default=None, help=CONFIG_HELP)(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="monitor")
def main():
    """Arabic-first news monitor for conflict escalation in north and east Syria.

    Crawls sources (SOHR, Al-Modon, any feed), stores articles in SQLite, detects
    escalation signals with YAML watchlists and sends alerts through apprise.

    Start with `monitor demo`, which runs everything on the offline mirror.
    """


@main.command()
@config_option
def demo(config_path):
    """Run the whole pipeline on the offline mirror, alerts to the console.

    Serves seeds/mirror on 127.0.0.1, points the sources of config.yaml at it, and
    keeps its database in ./demo/ so a second run shows that nothing is fetched or
    alerted twice.

    Example: monitor demo
    """
    from .demo import run_demo
    run_demo(config_path)


def log_options(f):
    f = click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
                     help="Log lines for people, or one JSON object per line for log shippers.")(f)
    return click.option("--log-file", type=click.Path(dir_okay=False), default=None,
                        help="Append log lines to this file instead of stderr.")(f)


@main.command()
@config_option
@click.option("--source", "names", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@click.option("--backfill", type=click.IntRange(1, 3650), default=None, metavar="DAYS",
              help="Also read archive and listing pages back this many days (their news does not alert).")
@log_options
def run(config_path, names, backfill, log_format, log_file):
    """Crawl the sources once, store and detect, then send due alerts (for cron).

    Logs one line per source. Exit status: 0 all well; 1 an error in the config or
    watchlists (nothing done); 3 done, but a source failed or an alert could not be sent
    (see `monitor status`; failed alerts are retried next run); 75 skipped, because
    another `monitor run` or the daemon is using the database; 130/143 stopped by
    SIGINT/SIGTERM (unfinished runs are recorded as stopped).

    Example: monitor run --source sohr-ar --backfill 7 --log-file monitor.log
    """
    from .crawl import shut_down, warm_up
    warm_up()
    from .config import load_config
    from .lock import RunLock
    from .rules import load_rules
    from .run import run_once, stop_on_signals
    try:
        config = load_config(config_path)
        rules = load_rules(config.watchlists)
        for n in names:
            config.source(n)
        _setup_logs(config, log_format, log_file)
        with RunLock(config.database).acquire("run"), stop_on_signals() as stop:
            result = run_once(config, names or None, rules=rules, stop=stop, backfill=backfill)
    finally:
        shut_down()       # no process left behind by a cron run, whatever its exit
    if stop.is_set():
        sys.exit(128 + stop.signum)
    bad = [n for n, r in result["sources"].items() if r.get("status") != "ok"]
    if bad or result["alerts"]["failed"]:
        sys.exit(3)


@main.command()
@config_option
@log_options
def daemon(config_path, log_format, log_file):
    """Crawl every source on its schedule until stopped; pick up config edits live.

    Each source runs on its `every:` or `cron:` (with jitter), one crawl per source at
    a time, each within its `timeout:`. Edits to config.yaml and the watchlists apply at
    the next tick; an invalid edit is logged and alerted to `ops` channels while the last
    good configuration stays live. SIGTERM or SIGINT stops it within ~15 s, exit 0.

    Example: monitor daemon -c /srv/monitor/config.yaml --log-format json
    """
    from .config import load_config
    from .daemon import Daemon
    from .crawl import shut_down, warm_up
    warm_up()
    _setup_logs(load_config(config_path), log_format, log_file)
    try:
        status = Daemon(config_path).run()
    finally:
        shut_down()
    sys.exit(status)


def _setup_logs(config, fmt, file):
    from .logs import config_secrets, setup
    setup(fmt, file, secrets=config_secrets(config.path) + [c.url for c in config.channels])


@main.command()
@config_option
def check(config_path):
    """Validate the config and the watchlists; report every problem at once.

    Example: monitor check -c config.yaml
    """
    from .config import load_config
    from .errors import UserErrors
    from .rules import load_rules
    problems = []
    config = rules = None
    try:
        config = load_config(config_path)
    except UserErrors as e:
        problems += e.errors
    except UserError as e:
        problems.append(e)
    if config:
        from .notify import check as check_channel
        problems += [UserError(msg, config.path, ch.line, "see the apprise URL formats in config.yaml")
                     for ch in config.channels if (msg := check_channel(ch))]
    try:
        rules = load_rules(config.watchlists if config else _watchlists_of(config_path))
    except UserErrors as e:
        problems += e.errors
    except UserError as e:
        problems.append(e)
    if problems:
        raise UserError(f"{len(problems)} problem(s) found:\n" + "\n".join(f"  {p}" for p in problems))
    click.echo(f"config OK: {len(config.sources)} sources, {len(config.channels)} channels ({config.path})")
    click.echo(f"watchlists OK: {len(rules.actors)} actors, {len(rules.places)} places, "
               f"{len(rules.alerts)} alert rules from {len(rules.files)} files")


@main.command()
@config_option
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
def detect(config_path, file):
    """Detect signals in JSON Lines documents; one JSON line out per line in.

    Input lines: {"id": "x1", "text": "...", "lang": "ar"} (lang and title optional).
    A bad line gets {"id": ..., "error": ...}; the others go on; exit 1 if any failed.

    Example: echo '{"id": "1", "text": "قصفت القوات التركية قرية"}' | monitor detect
    """
    from .jsonl import detect_lines
    rules = _rules(config_path)
    failed = detect_lines(file, sys.stdout, rules)
    sys.exit(1 if failed else 0)


@main.command()
@config_option
@click.argument("source", default="-", metavar="FILE|URL|-")
@click.option("--lang", type=click.Choice(["ar", "en"]), default=None, help="Language (default: detect).")
def explain(config_path, source, lang):
    """Show why each signal fired: trigger, actors, cue, and the near misses.

    Reads a text file, a URL (its article is extracted first) or - for stdin.

    Example: echo "قصفت القوات التركية قرية قرب تل تمر" | monitor explain -
    """
    from .explain import explain_text, load_source
    text = load_source(source)
    click.echo(explain_text(text, _rules(config_path), lang))


@main.command()
@config_option
@click.option("--since", "days", type=click.IntRange(min=1), required=True, metavar="DAYS",
              help="Re-run over the articles of the last DAYS days.")
@click.option("--watchlists", "paths", multiple=True, type=click.Path(exists=True), metavar="PATH",
              help="Candidate watchlist file or folder (repeatable); default: the config's.")
def backtest(config_path, days, paths):
    """Show which alerts edited watchlists would add or remove over stored articles.

    Example: monitor backtest --since 30 --watchlists my-watchlists/
    """
    from . import db as store
    from .backtest import backtest as run_backtest, report
    from .config import load_config
    from .rules import load_rules
    config = load_config(config_path)
    rules = load_rules(list(paths) if paths else config.watchlists)
    db = store.open_db(config.database)
    n, diffs = run_backtest(db, config.channels, rules, days, config.sources)
    click.echo(report(n, diffs, days))


@main.command()
@config_option
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
def search(config_path, query, limit):
    """Full-text search over stored articles (SQLite FTS syntax).

    Example: monitor search 'قسد AND دوريات'
    """
    from . import db as store
    from .config import load_config
    db = store.open_db(load_config(config_path).database)
    rows = store.search(db, query, limit)
    for r in rows:
        click.echo(f"{r['published_at'] or '?':25} {r['source']:10} {r['title']}\n    {r['url']}\n    {r['snippet']}")
    if not rows:
        click.echo("no match")


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source per line.")
def status(config_path, as_json):
    """Show each source's health: ok, blocked, failing, silent or never run.

    With last success, last error, new articles per run, failures in a row, and for a
    silent source how long it has been quiet against its usual rhythm.

    Example: monitor status --json
    """
    from . import db as store
    from .config import load_config
    from .health import describe, source_status
    from .lock import RunLock
    config = load_config(config_path)
    db = store.open_db(config.database)
    if not as_json:
        click.echo(f"{RunLock(config.database).holder() or 'no monitor'} is running on {config.database}")
    for s in config.sources:
        st = source_status(db, s.name, s)
        click.echo(json.dumps(st, ensure_ascii=False) if as_json else describe(st))


@main.command(name="alerts")
@config_option
@click.option("--status", "status_", type=click.Choice(["pending", "sent", "failed"]), default=None)
@click.option("--channel", default=None, metavar="NAME", help="Only this channel's alerts.")
@click.option("--limit", default=50, show_default=True)
@click.option("--retry", is_flag=True, help="Make failed and backing-off alerts due now (after fixing a channel).")
@click.option("--show", type=int, default=None, metavar="ID", help="Print one alert in full, as text.")
def alerts_cmd(config_path, status_, channel, limit, retry, show):
    """List the alert outbox: channels, then pending, failed and sent alerts.

    Secrets in channel URLs are masked. A pending alert says why it waits (back-off,
    quiet hours, next digest); a failed one shows its last error.

    Example: monitor alerts --status pending
    """
    from datetime import datetime, timezone

    from . import db as store, schedule
    from .config import load_config
    from .notify import redact
    config = load_config(config_path)
    db = store.open_db(config.database)
    channels = {c.name: c for c in config.channels}
    if show is not None:
        row = store.alert(db, show)
        if row is None:
            raise UserError(f"no alert #{show} in the outbox", hint="list them with `monitor alerts`")
        click.echo(f"#{row['id']} {row['status']} {row['kind']} to {row['channel']} (sent {row['sent_at'] or '-'})\n"
                   f"{row['title']}\n{row['body']}")
        return
    if retry:
        n = store.retry_alerts(db, channel)
        click.echo(f"{n} alert(s) due now: `monitor run` sends them")
        return
    click.echo("Channels:")
    for c in config.channels:
        click.echo(f"  {c.name:14} {redact(c.url, c.secrets)}\n  {'':14} {schedule.describe(c)}")
    counts = store.alert_counts(db)
    total = {s: sum(n for (ch, st), n in counts.items() if st == s and (channel is None or ch == channel))
             for s in ("pending", "failed", "sent")}
    click.echo(f"Outbox: {total['pending']} pending, {total['failed']} failed, {total['sent']} sent")
    now = datetime.now(timezone.utc)
    for a in store.alerts(db, status_, limit, channel):
        when = a["sent_at"] if a["status"] == "sent" else f"attempts={a['attempts']}"
        kind = "" if a["kind"] == "alert" else f"[{a['kind']}] "
        click.echo(f"#{a['id']:<5} {a['status']:8} {a['channel']:12} {when}  score={a['score'] or 0:.2f} "
                   f"sources={a['sources']}\n       {kind}{a['title'][:90]}")
        if a["status"] == "pending":
            why = schedule.wait_reason(channels.get(a["channel"]), a, now)
            if why:
                click.echo(f"       waiting: {why}")
        if a["last_error"]:
            click.echo(f"       last error: {a['last_error']}")


@main.command(name="test-alert")
@config_option
@click.option("--channel", "names", multiple=True, metavar="NAME", help="Only this channel (repeatable).")
def test_alert(config_path, names):
    """Send a sample alert to every channel now and report which ones work.

    Ignores quiet hours and digests and stores nothing; exit status 1 if a channel
    failed. Secrets in channel URLs are masked.

    Example: monitor test-alert --channel desk-mail
    """
    from . import notify
    from .config import load_config
    config = load_config(config_path)
    known = {c.name: c for c in config.channels}
    for name in names:
        if name not in known:
            raise UserError(f"no channel named '{name}'", config.path,
                            hint=f"known channels: {', '.join(known) or 'none'}")
    channels = [known[n] for n in names] if names else list(config.channels)
    if not channels:
        raise UserError("no channels configured", config.path, hint="add one under `channels:` (see config.yaml)")
    failed = 0
    for ch in channels:
        error = notify.send(ch, *notify.test_message(ch))
        failed += error is not None
        click.echo(f"{ch.name}: " + ("sent" if error is None else "FAILED") + f" — {notify.redact(ch.url, ch.secrets)}"
                   + (f"\n  {error}" if error else ""))
    if failed:
        raise UserError(f"{failed} of {len(channels)} channel(s) failed",
                        hint="fix the channel URL (or the server it names) and run `monitor test-alert` again")


def _watchlists_of(config_path):
    """The watchlists a broken config names, so `check` can still validate them."""
    from .config import default_path
    from .yamlfile import load_yaml
    path = Path(config_path) if config_path else default_path()
    try:
        doc = load_yaml(path)
    except UserError:
        return None
    names = doc.get("watchlists") if isinstance(doc, dict) else None
    if isinstance(names, str):
        names = [names]
    return [path.resolve().parent / str(n) for n in names] if isinstance(names, list) else None


def _rules(config_path):
    from .config import default_path, load_config
    from .rules import load_rules
    if config_path or default_path().exists():
        return load_rules(load_config(config_path).watchlists)
    return load_rules(None)


def run_cli():
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(2 if isinstance(e, click.UsageError) else 1)
    except UserError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(getattr(e, "exit_status", 1))


if __name__ == "__main__":
    run_cli()
