"""`monitor detect`: the JSON Lines contract of DESIGN.md §4."""
import json

from conftest import ROOT, monitor

SEED = (ROOT / "seeds" / "000_40bb1f72279c452c.txt").read_text(encoding="utf-8")
FIELDS = ["type", "modality", "change", "agent", "target", "place", "score", "evidence", "start", "end"]


def test_contract_fields_order_and_offsets(tmp_path):
    lines = [json.dumps({"id": "seed", "text": SEED, "lang": "ar"}, ensure_ascii=False),
             json.dumps({"id": 2, "text": "Turkish drones struck a car near Qamishli, killing two civilians."}),
             json.dumps({"id": "quiet", "text": "ارتفعت أسعار الخبز في الحسكة."}, ensure_ascii=False)]
    r = monitor("detect", "-", input="\n".join(lines) + "\n", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["seed", 2, "quiet"]
    assert list(out[0]) == ["id", "signals"]
    for sig in out[0]["signals"] + out[1]["signals"]:
        assert list(sig) == FIELDS
    for sig in out[0]["signals"]:
        assert SEED[sig["start"]:sig["end"]] == sig["evidence"]
    assert out[2]["signals"] == []


def test_bad_line_gets_an_error_and_the_rest_go_on(tmp_path):
    text = '{"id": "a", "text": "قصف مدفعي على قرية"}\n{"id": "b", "text": \n{"id": "c", "lang": "fr", "text": "x"}\n' \
           '{"id": "d", "text": "clashes erupted"}\n'
    r = monitor("detect", input=text, cwd=tmp_path)
    assert r.returncode == 1
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d"]
    assert "error" in out[1] and "error" in out[2] and "signals" in out[3]
