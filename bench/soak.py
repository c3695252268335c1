"""Soak: `monitor daemon` crawling the offline mirror every second, for 10 minutes by default,
while a new article is published every 30 s. Samples RSS and open file descriptors of the
daemon and of its children over time and reports their growth after warm-up.

Target (issue 5): flat after warm-up, < 10% growth of the daemon's RSS and descriptors and
of its long-lived children (the workers). Crawl children live ~1 s each and are reported
apart (how many were alive at each sample). Baseline measured in the same run: one
`monitor run` (cron mode, which starts its workers every time) against the daemon's mean
seconds per run.

    python bench/soak.py [--minutes 10] [--interval 1s] [--sample 10] [--warmup 60]
"""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "seeds"))
import build_mirror  # noqa: E402  (seeds/ is a folder of data and its generator, not a package)

from monitor.mirror import Mirror  # noqa: E402

FEEDS = ("index.xml", "rss.xml")


def proc_tree(pid: int) -> list[int]:
    out, todo = [pid], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def measure(pid: int) -> dict | None:
    """RSS (kB) and open descriptors of one process, and whether it is a crawl child."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    # Children forked from the fork server share its command line; crawls name themselves
    # "monitor-crawl" (monitor/crawl.py), workers "monitor-worker".
    crawl = comm == "monitor-crawl" or (comm != "monitor-worker" and "monitor.crawl " in cmd and "forkserver" not in cmd)
    server = "forkserver import main" in cmd and comm not in ("monitor-worker", "monitor-crawl")
    return {"rss": rss, "fds": fds, "crawl": crawl, "worker": comm == "monitor-worker", "server": server}


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def sample(daemon_pid: int) -> dict:
    procs = {p: measure(p) for p in proc_tree(daemon_pid)}
    # A crawl just forked has not named itself yet: any child of the fork server that is not
    # a worker is a crawl (they come and go every second).
    servers = {p for p, m in procs.items() if m and m.get("server")}
    for p, m in procs.items():
        if m and not m["crawl"] and not m.get("worker") and _ppid(p) in servers:
            m["crawl"] = True
    main = procs.get(daemon_pid) or {"rss": 0, "fds": 0}
    kids = [m for p, m in procs.items() if m and p != daemon_pid]
    lasting = [m for m in kids if not m["crawl"]]
    return {"main_rss": main["rss"], "main_fds": main["fds"],
            "kids_rss": sum(m["rss"] for m in lasting), "kids_fds": sum(m["fds"] for m in lasting),
            "kids": len(lasting), "crawls": sum(m["crawl"] for m in kids),
            "total_rss": main["rss"] + sum(m["rss"] for m in kids)}


PLACES = ["Qamishli", "Kobani", "Manbij", "Raqqa", "Hasakah", "Tal Tamr", "Ain Issa", "Amuda", "Deir ez-Zor"]


def synthetic(i: int, vocabulary: list[str]) -> dict:
    """A new article that alerts (a drone strike) and is not the same story as the others:
    a paragraph of words drawn at random keeps their shingles apart (monitor/cluster.py)."""
    rng = random.Random(i)
    place = PLACES[i % len(PLACES)]
    return {"site": "sohr-en", "id": 800000 + i, "published": f"2026-02-{1 + i % 28:02d}T{i % 24:02d}:00:00+03:00",
            "category": "syria-news", "title": f"Turkish drone strikes SDF position near {place} ({i})",
            "body": f"A Turkish drone struck an SDF position near {place}, SOHR sources reported.\n\n"
                    + " ".join(rng.choices(vocabulary, k=250)) + "."}


def publish(stories: list[dict], root: Path, staging: Path) -> None:
    """Article pages first, feeds last and atomically, while the mirror serves `root`."""
    if staging.exists():
        shutil.rmtree(staging)
    build_mirror.build(stories, staging)
    for src in sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: p.name in FEEDS):
        dst = root / src.relative_to(staging)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst.with_name(dst.name + ".tmp"))
        os.replace(dst.with_name(dst.name + ".tmp"), dst)


def growth(rows: list[dict], key: str, warm: int, how=statistics.mean) -> tuple[float, float, float]:
    """`how` (mean, min) of `key` over the first and the last tenth after warm-up, and the
    growth in %. Descriptors use the min: they rise and fall with the crawls in flight (a
    crawl holds pipes and a temp file), and a leak shows as a rising floor."""
    after = rows[warm:]
    span = max(1, len(after) // 10)
    first = how(r[key] for r in after[:span])
    last = how(r[key] for r in after[-span:])
    return first, last, (last - first) / first * 100 if first else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--interval", default="1s")
    ap.add_argument("--sample", type=float, default=10, help="seconds between samples")
    ap.add_argument("--warmup", type=float, default=60, help="seconds before growth is measured")
    ap.add_argument("--publish", type=float, default=30, help="seconds between new articles")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    stories = build_mirror.load_stories(ROOT / "seeds" / "stories")
    words = sorted({w for s in stories if s["site"] == "sohr-en" for w in s["body"].split() if w.isalpha()})
    build_mirror.build(stories, tmp / "site")
    with Mirror(tmp / "site") as mirror:
        sohr, modon = mirror.url("www.syriahr.com"), mirror.url("www.almodon.com")
        cfg = tmp / "config.yaml"
        cfg.write_text(yaml.safe_dump({
            "database": "soak.db",
            "sources": [{"name": "sohr-ar", "spider": "sohr", "url": sohr, "lang": "ar", "every": args.interval},
                        {"name": "sohr-en", "spider": "sohr", "url": sohr + "en/", "lang": "en", "every": args.interval},
                        {"name": "almodon", "spider": "almodon", "url": modon, "lang": "ar", "every": args.interval}],
            "channels": [{"name": "console", "url": "console://", "tags": ["alerts", "ops"]}],
            "crawl": {"AUTOTHROTTLE_ENABLED": False},
        }), encoding="utf-8")
        cron = []
        for _ in range(3):      # baseline: cron mode, workers started per run (the first run stores the mirror)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "monitor.cli", "run", "-c", str(cfg), "--log-file",
                            str(tmp / "cron.log")], stdout=subprocess.DEVNULL, check=True)
            cron.append(time.perf_counter() - t)
        out, err = open(tmp / "daemon.out", "w"), open(tmp / "daemon.log", "w")
        daemon = subprocess.Popen([sys.executable, "-m", "monitor.cli", "daemon", "-c", str(cfg),
                                   "--log-format", "json"], stdout=out, stderr=err)
        rows, t0, n_pub, next_pub = [], time.monotonic(), 0, time.monotonic() + args.publish
        end = t0 + args.minutes * 60
        print(f"{'t(s)':>6} {'daemon RSS MB':>13} {'fds':>4} {'workers RSS MB':>14} {'fds':>4} {'n':>2} "
              f"{'crawls':>6} {'all RSS MB':>10}", flush=True)
        while time.monotonic() < end and daemon.poll() is None:
            now = time.monotonic()
            if now >= next_pub:
                n_pub += 1
                publish(stories + [synthetic(i, words) for i in range(n_pub)], tmp / "site", tmp / "staging")
                next_pub = now + args.publish
            row = {"t": round(now - t0), **sample(daemon.pid)}
            rows.append(row)
            print(f"{row['t']:>6} {row['main_rss'] / 1024:>13.1f} {row['main_fds']:>4} {row['kids_rss'] / 1024:>14.1f} "
                  f"{row['kids_fds']:>4} {row['kids']:>2} {row['crawls']:>6} {row['total_rss'] / 1024:>10.1f}", flush=True)
            time.sleep(max(0.0, min(args.sample, end - time.monotonic(), next_pub - time.monotonic())))
        t_stop = time.perf_counter()
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(60)
        stop_s = time.perf_counter() - t_stop
        out.close()
        err.close()
    wal = tmp / "soak.db-wal"
    wal_mb = wal.stat().st_size / 2**20 if wal.exists() else 0.0
    events = [json.loads(line) for line in (tmp / "daemon.log").read_text().splitlines() if line.startswith("{")]
    runs = [e for e in events if e.get("event") == "run"]
    alerts = (tmp / "daemon.out").read_text().count("=== ALERT:")
    warm = sum(1 for r in rows if r["t"] < args.warmup)
    print(f"\n{args.minutes:g} min, {len(runs)} runs ({len(runs) / (args.minutes * 60):.2f}/s over 3 sources), "
          f"{sum(r.get('new_articles', 0) for r in runs)} new articles, {alerts} alerts printed, "
          f"{n_pub} articles published; run statuses: {dict(Counter(r['status'] for r in runs))}")
    print(f"daemon run: mean {statistics.mean(r['seconds'] for r in runs):.2f} s; `monitor run` (cron, starts its "
          f"workers each time), idle: {statistics.mean(cron[1:]):.2f} s "
          f"({statistics.mean(cron[1:]) / statistics.mean(r['seconds'] for r in runs):.1f}x)")
    for key, label in (("main_rss", "daemon RSS"), ("main_fds", "daemon fds"),
                       ("kids_rss", "workers RSS"), ("kids_fds", "workers fds")):
        first, last, pct = growth(rows, key, warm, min if "fds" in key else statistics.mean)
        unit = 1024 if "rss" in key else 1
        print(f"{label:12} after warm-up {first / unit:8.1f} → end {last / unit:8.1f}  growth {pct:+.1f}%"
              f"  {'OK' if pct < 10 else 'OVER TARGET'} (< 10%)")
    print(f"SIGTERM → exit {code} in {stop_s:.1f} s; database {(tmp / 'soak.db').stat().st_size / 2**20:.1f} MB, "
          f"WAL {wal_mb:.1f} MB at the end")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
