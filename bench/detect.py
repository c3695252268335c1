"""Detection throughput (MB/s of mixed Arabic/English news text, one core).

Measured in one run, on the same text:
  - the whole detector with the default watchlists;
  - the whole detector with the watchlists grown to 5,000 and to 50,000 actor aliases
    (target: >= 10 MB/s at 5,000; 10x the aliases costs < 2x the time);
  - the baseline: a naive loop of one regex per watchlist term (what a hand-rolled
    monitor does), on a sample of the text because it is so slow.

    python bench/detect.py [--mb 4]
"""
import argparse
import gc
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
from monitor.detect import detect  # noqa: E402
from monitor.rules import default_paths, load_rules  # noqa: E402
from monitor.text import normalise  # noqa: E402

AR_SYL = ["با", "تي", "رو", "سا", "مي", "لو", "كا", "نو", "دي", "فا", "حو", "زي", "قا", "شو", "طي"]
EN_SYL = ["ka", "ro", "mi", "ta", "zu", "len", "dor", "vek", "sal", "mir", "tor", "bek"]


def corpus(mb: float, seed: int = 3, only: str | None = None) -> list[str]:
    """Articles as the monitor reads them: the mirror's stories (SOHR Arabic and English,
    Al-Modon; conflict reports and quiet news), re-cut into new articles of 3-8 paragraphs.
    (The named cases are left out: one-sentence texts packed with signals are no news flow.)
    `only`: "quiet" or "conflict" stories alone."""
    rng = random.Random(seed)
    paras = []
    for f in sorted((ROOT / "seeds" / "stories").glob("*.yaml")):
        story = yaml.safe_load(f.read_text(encoding="utf-8"))
        if only and bool(story.get("intended_signals")) != (only == "conflict"):
            continue
        paras += [p.strip() for p in story["body"].split("\n\n") if len(p.strip()) > 40]
    docs, size = [], 0
    while size < mb * 1e6:
        doc = "\n\n".join(rng.choice(paras) for _ in range(rng.randint(3, 8)))
        docs.append(doc)
        size += len(doc.encode())
    return docs


def grown_watchlists(n_aliases: int, folder: Path, rng: random.Random) -> list[str]:
    """The default watchlists plus synthetic actors holding n_aliases aliases in all."""
    for p in default_paths():
        shutil.copy(p, folder / p.name)
    names = set()
    while len(names) < n_aliases:
        if rng.random() < 0.6:
            names.add(" ".join("".join(rng.choice(AR_SYL) for _ in range(rng.randint(2, 3)))
                               for _ in range(rng.randint(1, 3))))
        else:
            names.add(" ".join("".join(rng.choice(EN_SYL) for _ in range(rng.randint(2, 3))).title()
                               for _ in range(rng.randint(1, 2))))
    names = sorted(names)
    actors = {f"x{i}": {"name": f"X{i}", "aliases": names[i::100]} for i in range(100)}
    (folder / "zz_grown.yaml").write_text(yaml.safe_dump({"actors": actors}, allow_unicode=True), encoding="utf-8")
    return names


def throughput(docs, rules, repeat=1) -> float:
    size = sum(len(d.encode()) for d in docs) * repeat
    t = time.perf_counter()
    for _ in range(repeat):
        for d in docs:
            detect(d, rules)
    return size / (time.perf_counter() - t) / 1e6


def naive(docs, terms) -> float:
    """One compiled regex per term, each run over the text: the baseline."""
    pats = [re.compile(r"(?<!\w)" + re.escape(t) + r"(?!\w)", re.I) for t in terms]
    size = sum(len(d.encode()) for d in docs)
    t = time.perf_counter()
    for d in docs:
        for p in pats:
            for _ in p.finditer(d):
                pass
    return size / (time.perf_counter() - t) / 1e6


def stages(docs, rules) -> None:
    """Where the detector's time goes: normalising and matching (the steps research/arabic.md
    §7 measured at 30 and 50 MB/s) against everything after them, per trigger or actor hit."""
    size = sum(len(d.encode()) for d in docs) / 1e6
    t = time.perf_counter()
    texts = [normalise(d) for d in docs]
    t_norm = time.perf_counter() - t
    t = time.perf_counter()
    hits = sum(len(rules.matcher.find(n)) for n in texts)
    t_match = time.perf_counter() - t
    t = time.perf_counter()
    for d in docs:
        detect(d, rules)
    t_all = time.perf_counter() - t
    rest = t_all - t_norm - t_match
    print(f"  normalise alone {size / t_norm:5.1f} MB/s; matching alone {size / t_match:5.1f} MB/s "
          f"({hits / size:,.0f} hits per MB); the rest (clauses, roles, modality, exclusions) "
          f"{rest / t_all:.0%} of the time, {rest / hits * 1e6:.0f} µs per hit")


def terms_of(paths) -> list[str]:
    out = []
    for p in paths:
        doc = yaml.safe_load(Path(p).read_text(encoding="utf-8")) or {}
        for spec in (doc.get("actors") or {}).values():
            out += [a if isinstance(a, str) else a["term"] for a in spec["aliases"]]
        for spec in (doc.get("places") or {}).values():
            out += [a if isinstance(a, str) else a["term"] for a in spec["aliases"]]
        for items in (doc.get("triggers") or {}).values():
            out += [a if isinstance(a, str) else a["term"] for a in items]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=4.0)
    args = ap.parse_args()
    rng = random.Random(11)
    docs = corpus(args.mb)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    print(f"corpus: {len(docs)} documents, {mb:.1f} MB of mixed Arabic/English news text")
    base = load_rules()
    gc.freeze()     # as the inbox workers and `monitor detect` do once their rules are loaded
    throughput(docs[:200], base)   # warm-up (caches)
    print(f"default watchlists ({len(terms_of(default_paths()))} terms): {throughput(docs, base):6.2f} MB/s")
    stages(docs, base)
    # The cost is per decision (each trigger's exclusions, cues, roles), not per byte:
    for only in ("quiet", "conflict"):
        part = corpus(min(args.mb, 1.0), only=only)
        signals = sum(len(detect(d, base)) for d in part) / (sum(len(d.encode()) for d in part) / 1e6)
        print(f"  {only} stories only: {throughput(part, base):6.2f} MB/s ({signals:,.0f} signals per MB)")
    results = {}
    for n in (5_000, 50_000):
        with tempfile.TemporaryDirectory() as tmp:
            names = grown_watchlists(n, Path(tmp), rng)
            t = time.perf_counter()
            rules = load_rules([tmp])
            build = time.perf_counter() - t
            gc.freeze()
            # Put some of the new names into the text, so they are found, not only scanned for.
            grown = [d + " " + " و".join(rng.sample(names, 2)) if i % 5 == 0 else d for i, d in enumerate(docs)]
            throughput(grown[:200], rules)
            results[n] = throughput(grown, rules)
            print(f"{n:>6} aliases: {results[n]:6.2f} MB/s   (compile {build:.1f} s)")
            if n == 5_000:
                sample = grown[: max(20, len(grown) // 200)]
                base_mbs = naive(sample, terms_of([Path(tmp) / p.name for p in default_paths()] + [Path(tmp) / "zz_grown.yaml"]))
                print(f"  naive one-regex-per-term loop, same watchlists: {base_mbs:6.3f} MB/s "
                      f"-> the detector is {results[n] / base_mbs:.0f}x faster")
    print(f"10x the aliases costs {results[5_000] / results[50_000]:.2f}x the time (target < 2x); "
          f"target >= 10 MB/s at 5,000 aliases: {'met' if results[5_000] >= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
