"""Pipeline benchmark: crawl → extract → store → detect over a generated mirror on 127.0.0.1.

Baseline, measured in the same run on the same pages: trafilatura extraction alone (the
same options monitor.extract uses), in one process. Targets (issue 2): the whole pipeline
at most 1.5x the time of extraction alone; peak RSS under 400 MB.

Each is measured --repeat times (5), interleaved, and the best of each is compared (as timeit
does): on a shared 2-core machine a neighbour's burst slows one run by 30 % or more.

    python bench/pipeline.py [--pages 1200] [--repeat 5]
"""
import argparse
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import trafilatura
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "seeds"))
import build_mirror  # noqa: E402  (seeds/ is a folder of data and its generator, not a package)

from monitor.extract import OPTIONS  # noqa: E402
from monitor.mirror import Mirror  # noqa: E402
from soak import proc_tree  # noqa: E402
from monitor.text import sentences  # noqa: E402


def sentence_pool() -> dict:
    """The sentences of the mirror's stories and of the held-out news texts (never the
    sealed set), by language."""
    pool = {"ar": [], "en": []}
    texts = [(s["body"], "en" if s["site"] == "sohr-en" else "ar")
             for s in build_mirror.load_stories(ROOT / "seeds" / "stories")]
    for folder in ("heldout",):
        for f in sorted((ROOT / "tests" / folder).glob("*.yaml")):
            texts += [(c["text"], c.get("lang") or "ar") for c in yaml.safe_load(f.read_text(encoding="utf-8")) or []]
    for text, lang in texts:
        for para in text.split("\n\n"):
            pool[lang] += [para[a:b] for a, b in sentences(para.strip()) if b - a > 30]
    return pool


def synthetic_stories(n: int, seed: int = 7, reprint_every: int = 20) -> list[dict]:
    """n new stories remixed from real-looking news sentences, each page a different
    article as in a real news flow: sentences drawn at random, their numbers and place
    names varied. (A first version drew 6 whole paragraphs out of ~100 per page, so every
    page shared paragraphs with dozens of others and the monitor rightly clustered 600
    pages into 49 "stories" of up to 43 copies: no outlet reprints itself like that.)
    One page in `reprint_every` is a reprint: an earlier Al-Modon story on SOHR with its
    "المصدر: المدن" line, as the seed story is."""
    base = build_mirror.load_stories(ROOT / "seeds" / "stories")
    sohr_ar = next(s for s in base if s["site"] == "sohr-ar")
    pool = sentence_pool()
    places = yaml.safe_load((ROOT / "monitor" / "watchlists" / "places.yaml").read_text(encoding="utf-8"))["places"]
    names = {"ar": [], "en": []}
    for p in places.values():
        for alias in p["aliases"]:
            names["ar" if re.search("[\u0621-\u064a]", alias) else "en"].append(alias)
    name_re = {lang: re.compile("|".join(sorted(map(re.escape, v), key=len, reverse=True))) for lang, v in names.items()}
    rng = random.Random(seed)

    def sentence(lang: str) -> str:
        s = re.sub(r"\d+", lambda m: str(rng.randint(2, 400)), rng.choice(pool[lang]))
        return name_re[lang].sub(lambda m: rng.choice(names[lang]), s)

    out, modon = [], []
    for i in range(n):
        reprint = modon and i % reprint_every == reprint_every - 1
        tmpl = sohr_ar if reprint else base[i % len(base)]
        story = dict(tmpl)
        story["title"] = f"{tmpl['title']} ({i})"
        story["published"] = f"20{22 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+03:00"
        if reprint:
            original = rng.choice(modon)
            story.update(title=original["title"], published=original["published"],
                         body=original["body"] + "\n\nالمصدر: المدن")
        else:
            lang = "en" if tmpl["site"] == "sohr-en" else "ar"
            # 2-5 paragraphs of 1-3 sentences: ~150 words, the mirror's stories' mean (137)
            story["body"] = "\n\n".join(" ".join(sentence(lang) for _ in range(rng.randint(1, 3)))
                                         for _ in range(rng.randint(2, 5)))
        if story["site"] != "sohr-en":
            story["slug"] = f"{tmpl.get('slug', 'خبر')}-{i}"
        if story["site"] != "almodon":
            story["id"] = 900000 + i
        else:
            modon.append(story)
        out.append(story)
    return out


class CpuByRole(threading.Thread):
    """CPU seconds of the run's processes by role (inbox workers, crawls, the rest: the
    command itself and the fork server), read from /proc every 50 ms (Linux only; a
    process's last 50 ms can be missed)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.done, self.last = pid, threading.Event(), {}

    def run(self):
        tick = os.sysconf("SC_CLK_TCK")
        while not self.done.wait(0.05):
            for p in proc_tree(self.pid):
                try:
                    stat = Path(f"/proc/{p}/stat").read_text()
                except OSError:
                    continue
                comm = stat[stat.index("(") + 1:stat.rindex(")")]
                fields = stat.rsplit(")", 1)[1].split()
                self.last[p] = (comm, (int(fields[11]) + int(fields[12])) / tick)

    def totals(self) -> dict:
        out = defaultdict(float)
        for comm, cpu in self.last.values():
            out[comm if comm in ("monitor-worker", "monitor-crawl") else "monitor (command, fork server)"] += cpu
        return dict(out)


def extraction_alone(root: Path, manifest: list[dict], **options) -> float:
    """trafilatura on every page, in this process, with the pipeline's own options."""
    t = time.perf_counter()
    for page in manifest:
        trafilatura.bare_extraction((root / page["file"]).read_bytes(), url=page["url"], **options)
    return time.perf_counter() - t


def pipeline_run(tmp: Path, mirror, run: int) -> dict:
    """One `monitor run` over the whole mirror into a fresh database: wall, CPU, counts."""
    sohr, modon = mirror.url("www.syriahr.com"), mirror.url("www.almodon.com")
    config = tmp / f"config{run}.yaml"
    config.write_text(yaml.safe_dump({
        "database": f"bench{run}.db",
        "sources": [{"name": "sohr-ar", "spider": "sohr", "url": sohr, "lang": "ar", "timeout": "30m"},
                    {"name": "sohr-en", "spider": "sohr", "url": sohr + "en/", "lang": "en", "timeout": "30m"},
                    {"name": "almodon", "spider": "almodon", "url": modon, "lang": "ar", "timeout": "30m"}],
        "channels": [{"name": "null", "url": "json://127.0.0.1:9/", "tags": ["none"]}],
        "crawl": {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 16},
    }), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "monitor.cli", "run", "-c", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    roles = CpuByRole(proc.pid)
    roles.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    roles.done.set()
    roles.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = resource.getrusage(resource.RUSAGE_SELF)
    if proc.returncode != 0:
        sys.exit(f"pipeline failed: {stderr[-2000:]}")
    con = sqlite3.connect(tmp / f"bench{run}.db")
    stored = con.execute("select count(*) from articles").fetchone()[0]
    signals = con.execute("select count(*) from signals").fetchone()[0]
    stories, biggest = con.execute(
        "select count(*), max(n) from (select count(*) n from articles group by cluster_id)").fetchone()
    con.close()
    return {"wall": wall, "stored": stored, "signals": signals, "stories": stories, "biggest": biggest,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "server": (server_after.ru_utime - server_before.ru_utime) + (server_after.ru_stime - server_before.ru_stime),
            "roles": roles.totals(), "rss": after.ru_maxrss / 1024, "log": stdout.strip()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1200)
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs of each, interleaved; the best of each is compared (a shared machine is "
                         "noisy; 5 as timeit's default)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        manifest = build_mirror.build(synthetic_stories(args.pages), tmp / "mirror")
        print(f"generated mirror: {len(manifest)} article pages")
        meta_s = extraction_alone(tmp / "mirror", manifest, **{**OPTIONS, "with_metadata": True})
        bases, runs = [], []
        with Mirror(tmp / "mirror") as mirror:
            # The sites' work, not ours: each page read, its links rewritten and gzipped once
            # before the first run rather than during it (~0.5 ms of this process's CPU a page).
            for page in manifest:
                file = tmp / "mirror" / page["file"]
                mirror.gzipped(mirror.body(file))
            for i in range(args.repeat):
                bases.append(extraction_alone(tmp / "mirror", manifest, **OPTIONS))
                runs.append(pipeline_run(tmp, mirror, i))
        base_s, best = min(bases), min(runs, key=lambda r: r["wall"])
        walls = ", ".join(f"{r['wall']:.1f}" for r in runs)
        base_runs = ", ".join(f"{b:.1f}" for b in bases)
        stored = best["stored"]
        print(best["log"])
        print(f"stored {stored} articles, {best['signals']} signals, {best['stories']} stories "
              f"(largest: {best['biggest']} articles)")
        print(f"extraction alone (1 process):     {base_s:7.1f} s  {len(manifest) / base_s:6.1f} pages/s"
              f"  (runs: {base_runs}; with trafilatura's metadata: {meta_s:.1f} s)")
        print(f"whole pipeline (3 crawls, wall):  {best['wall']:7.1f} s  {stored / best['wall']:6.1f} articles/s"
              f"  ratio {best['wall'] / base_s:.2f}x (target <= 1.5x; runs: "
              f"{walls})")
        print(f"whole pipeline (CPU, all procs):  {best['cpu']:7.1f} s  ratio {best['cpu'] / base_s:.2f}x")
        print("  of which " + ", ".join(f"{k} {v:.1f} s ({v * 1000 / stored:.1f} ms/article)"
                                      for k, v in sorted(best["roles"].items())))
        print(f"mirror server (this process, CPU): {best['server']:7.1f} s  (shares the same cores)")
        print(f"peak RSS of any process:          {max(r['rss'] for r in runs):7.1f} MB (target < 400 MB)")


if __name__ == "__main__":
    main()
