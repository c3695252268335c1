"""Watchlist validation: every problem at once, each with file, line and a fix."""
import shutil

import pytest

from monitor.detect import detect
from monitor.errors import UserErrors
from monitor.rules import default_paths, load_rules


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


def _defaults_plus(tmp_path, name, text):
    """A user's watchlist folder: a copy of the defaults and one file of their own."""
    for p in default_paths():
        shutil.copy(p, tmp_path / p.name)
    write(tmp_path, name, text)
    return load_rules([tmp_path])


def test_a_user_watchlist_extends_a_vocabulary_list(tmp_path):
    # "the aforementioned" as another outlet's "the latter": the party named last acts
    text = "Turkish forces deployed near Manbij on Monday. The aforementioned shelled SDF positions in the town."
    before = [(s.type, s.agent) for s in detect(text, load_rules())]
    assert ("shelling", None) in before
    rules = _defaults_plus(tmp_path, "outlet.yaml", "vocabulary:\n  latter: [aforementioned]\n")
    assert "latter" in rules.words.latter      # the package's words stay, the user's are added
    assert ("shelling", "turkey") in [(s.type, s.agent) for s in detect(text, rules)]


def test_vocabulary_words_are_normalised_like_the_text(tmp_path):
    rules = _defaults_plus(tmp_path, "outlet.yaml", "vocabulary:\n  latter_after: [لأنّ, Whereas]\n")
    assert {"لان", "whereas"} <= rules.words.latter_after


def test_a_malformed_vocabulary_list_names_file_line_and_fix(tmp_path):
    write(tmp_path, "v.yaml", """\
vocabulary:
  latter: الأخيرة
  joint: []
  openers: [كما]
  future:
    - will
    - ستقوم ب
""")
    with pytest.raises(UserErrors) as exc:
        load_rules([tmp_path])
    messages = [str(e) for e in exc.value.errors]
    assert any("`vocabulary: latter:` must be a non-empty list of words" in m and "line 2" in m
               and "`- word` lines" in m for m in messages)
    assert any("`vocabulary: joint:` must be a non-empty list of words" in m and "line 3" in m for m in messages)
    assert any("unknown word list 'openers'" in m and "line 4" in m and "clause_openers" in m for m in messages)
    assert any("'ستقوم ب' is not one word" in m and "line 7" in m for m in messages)
    assert all(str(tmp_path / "v.yaml") in m for m in messages)
