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


@main.command()
@config_option
@click.option("--source", "names", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@click.option("--backfill", type=click.IntRange(1, 3650), default=None, metavar="DAYS",
              help="Also read archive and listing pages back this many days.")
def run(config_path, names, backfill):
    """Crawl the sources once, store and detect, then send due alerts (for cron).

    Example: monitor run --source sohr-ar --backfill 7
    """
    from .crawl import shut_down, warm_up
    warm_up()
    from .config import load_config
    from .run import run_once
    try:
        run_once(load_config(config_path), names or None, backfill=backfill)
    finally:
        shut_down()


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
    """Show each source's health: last success, last error, failures, articles.

    Example: monitor status --json
    """
    from . import db as store
    from .config import load_config
    from .health import source_status
    config = load_config(config_path)
    db = store.open_db(config.database)
    for s in config.sources:
        st = source_status(db, s.name)
        if as_json:
            click.echo(json.dumps(st, ensure_ascii=False))
        else:
            click.echo(f"{st['name']:14} {st['status']:8} articles={st['articles']:<5} last_new={st['last_new']:<4} "
                       f"failures={st['consecutive_failures']} last_success={st['last_success'] or '-'}"
                       + (f"\n{'':14} last error: {st['last_error']}" if st["last_error"] else ""))


@main.command(name="alerts")
@config_option
@click.option("--status", "status_", type=click.Choice(["pending", "sent", "failed"]), default=None)
@click.option("--limit", default=50, show_default=True)
def alerts_cmd(config_path, status_, limit):
    """List alerts in the outbox: pending, failed and sent.

    Example: monitor alerts --status pending
    """
    from . import db as store
    from .config import load_config
    db = store.open_db(load_config(config_path).database)
    for a in store.alerts(db, status_, limit):
        click.echo(f"#{a['id']:<5} {a['status']:8} {a['channel']:12} attempts={a['attempts']} "
                   f"sources={a['sources']} {a['title'][:70]}"
                   + (f"\n       last error: {a['last_error']}" if a["last_error"] else ""))


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
        sys.exit(1)


if __name__ == "__main__":
    run_cli()
