"""The named YAML cases in tests/cases/: text → what the detector must and must not find.

Quality is a pinned number (STYLE.md habit 8): every case runs and a failing case prints
its difference, but the suite fails only when the share of passing cases drops below
tests/cases/baseline.json, or when a case listed there as `must_pass` fails. Raise the
baseline as the detector improves: `python tests/test_cases.py --update`. With no option it
lists the failing cases; `--diff` shows what changed against the baseline.
"""
import json
import sys
from pathlib import Path

import yaml

from monitor.detect import detect
from monitor.rules import load_rules

CASES = Path(__file__).parent / "cases"
BASELINE = CASES / "baseline.json"
FIELDS = ("type", "modality", "change", "agent", "target", "place")


def load_cases() -> list[dict]:
    out = []
    for f in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            out.append({**case, "file": f.name})
    return out


def _matches(pattern: dict, sig: dict) -> bool:
    return all(sig.get(k) == v for k, v in pattern.items() if k in FIELDS)


def problems(case: dict, signals: list[dict]) -> list[str]:
    """What is wrong with the detector's output for one case ([] = it passes)."""
    out = []
    unmatched = list(signals)
    for exp in case.get("expect") or []:
        hit = next((s for s in unmatched if _matches(exp, s)), None)
        if hit is None:
            out.append(f"missing  {exp}")
        else:
            unmatched.remove(hit)
    for ab in case.get("absent") or []:
        for s in signals:
            if _matches(ab, s):
                out.append(f"unwanted {_short(s)} (absent: {ab})")
    if case.get("only"):
        out += [f"extra    {_short(s)}" for s in unmatched
                if not any(_matches(ab, s) for ab in case.get("absent") or [])]
    return out


def _short(s: dict) -> dict:
    return {k: s[k] for k in FIELDS if s.get(k) is not None}


def run_all(rules=None):
    rules = rules or load_rules()
    results = {}
    for case in load_cases():
        sigs = [s.as_dict() for s in detect(case["text"], rules, case.get("lang"))]
        results[case["name"]] = (case, problems(case, sigs))
    return results


def test_case_names_are_unique():
    names = [c["name"] for c in load_cases()]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]


def test_case_set_does_not_regress():
    results = run_all()
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {"pass_rate": 0, "must_pass": []}
    failing = {n: p for n, (c, p) in results.items() if p}
    for name, probs in sorted(failing.items()):
        print(f"\nFAIL {name} ({results[name][0]['file']}): {results[name][0]['text'][:120]}")
        for p in probs:
            print("   ", p)
    rate = 1 - len(failing) / max(1, len(results))
    print(f"\n{len(results) - len(failing)}/{len(results)} cases pass ({rate:.1%}); baseline {baseline['pass_rate']:.1%}")
    broken = [n for n in baseline["must_pass"] if n in failing]
    assert not broken, f"cases that passed before now fail: {broken}"
    assert rate >= baseline["pass_rate"] - 1e-9


if __name__ == "__main__" and "--update" in sys.argv:
    res = run_all()
    passing = sorted(n for n, (c, p) in res.items() if not p)
    rate = int(len(passing) / len(res) * 10000) / 10000     # rounded down: the suite compares >=
    BASELINE.write_text(json.dumps({"pass_rate": rate, "must_pass": passing},
                                   indent=1, ensure_ascii=False) + "\n")
    print(f"baseline: {len(passing)}/{len(res)}")


if __name__ == "__main__" and "--diff" in sys.argv:
    res = run_all()
    base = set(json.loads(BASELINE.read_text())["must_pass"])
    now = {n for n, (c, p) in res.items() if not p}
    for name in sorted(base - now):
        print(f"NEWLY FAILING {name}: {res[name][0]['text'][:150]}")
        for p in res[name][1]:
            print("   ", p)
    print("newly passing:", sorted(now - base))
    print(f"{len(now)}/{len(res)} pass (baseline {len(base)})")


if __name__ == "__main__" and len(sys.argv) == 1:
    test_case_set_does_not_regress()     # prints every failing case with its difference
