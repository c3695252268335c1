"""Watchlist validation: every problem at once, each with file, line and a fix."""
import pytest

from monitor.errors import UserErrors
from monitor.rules import load_rules


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_compile():
    rules = load_rules()
    assert {"sdf", "turkey", "coalition", "unknown", "civilians"} <= set(rules.actors)
    assert len(rules.places) >= 80


def test_all_problems_reported_with_file_and_line(tmp_path):
    write(tmp_path, "a.yaml", """\
actors:
  sdf:
    aliases: [قسد, SDF]
  turkey:
    aliases: [تركيا, قسد]
triggers:
  airstrike:
    - غارة
    - {term: ضربات, agents: [tsk]}
    - ""
  bombing: [bomb]
cues:
  denied:
    - {phrase: لم, side: left}
""")
    with pytest.raises(UserErrors) as exc:
        load_rules([tmp_path])
    messages = [str(e) for e in exc.value.errors]
    assert any("'قسد' of actor 'turkey' is already an alias of 'sdf'" in m and "line 5" in m for m in messages)
    assert any("unknown actor 'tsk'" in m and "line 9" in m for m in messages)
    assert any("empty term" in m and "line 10" in m for m in messages)
    assert any("unknown signal type 'bombing'" in m and "line 11" in m for m in messages)
    assert any("side must be before, after or both" in m and "line 14" in m for m in messages)
    assert all(str(tmp_path / "a.yaml") in m for m in messages)


def test_yaml_syntax_error_names_the_line(tmp_path):
    write(tmp_path, "bad.yaml", "actors:\n  sdf:\n    aliases: [قسد\n")
    with pytest.raises(UserErrors) as exc:
        load_rules([tmp_path])
    assert "invalid YAML" in str(exc.value) and "bad.yaml line" in str(exc.value)


def test_english_words_that_yaml_reads_as_booleans_stay_words(tmp_path):
    write(tmp_path, "w.yaml", "actors:\n  x:\n    aliases: [X]\nroles:\n  target: [on, no, off, yes]\n")
    load_rules([tmp_path])
