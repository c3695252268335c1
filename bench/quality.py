"""Detection quality on the named cases (tests/cases), in the terms of the held-out yardstick:
F1 over (type, modality) pairs, agent accuracy, and false alarms on texts without a signal.

Targets (issue 3): F1 >= 0.85, agent accuracy >= 0.80, false alarms <= 5 %.
Cases are our own, so these figures are a proxy: the yardstick is held-out news.

    python bench/quality.py [FOLDER]      # default tests/cases; tests/heldout is the held-out set
"""
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_cases  # noqa: E402

from monitor.detect import detect  # noqa: E402
from monitor.rules import load_rules  # noqa: E402


def main():
    if len(sys.argv) > 1:
        test_cases.CASES = Path(sys.argv[1])
    rules = load_rules()
    tp = fp = fn = 0
    agent_ok = agent_n = 0
    quiet = quiet_alarm = 0
    by_lang = Counter()
    for case in test_cases.load_cases():
        sigs = [s.as_dict() for s in detect(case["text"], rules, case.get("lang"))]
        got = {(s["type"], s["modality"]) for s in sigs}
        want = {(e["type"], e["modality"]) for e in case.get("expect") or []}
        tp += len(got & want)
        fn += len(want - got)
        if case.get("only"):
            fp += len(got - want)
        if not want and case.get("only"):
            quiet += 1
            quiet_alarm += bool(got)
        for e in case.get("expect") or []:
            if "agent" in e:
                agent_n += 1
                ok = any(s["type"] == e["type"] and s["modality"] == e["modality"] and s["agent"] == e["agent"]
                         for s in sigs)
                agent_ok += ok
                by_lang[(case.get("lang"), ok)] += 1
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * p * r / max(1e-9, p + r)
    print(f"(type, modality) pairs: precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  (target >= 0.85)")
    print(f"agent accuracy: {agent_ok}/{agent_n} = {agent_ok / max(1, agent_n):.3f}  (target >= 0.80)"
          f"   ar {by_lang[('ar', True)]}/{by_lang[('ar', True)] + by_lang[('ar', False)]}"
          f"   en {by_lang[('en', True)]}/{by_lang[('en', True)] + by_lang[('en', False)]}")
    print(f"false alarms on texts without a signal: {quiet_alarm}/{quiet} = {quiet_alarm / max(1, quiet):.1%}"
          "  (target <= 5%)")


if __name__ == "__main__":
    main()
