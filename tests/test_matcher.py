import pytest

from monitor.matcher import Matcher
from monitor.text import normalise


def find(terms, text):
    m = Matcher()
    for t in terms:
        m.add(t, t)
    m.build()
    n = normalise(text)
    return [(h.payload, n.text[h.wstart:h.wend]) for h in m.find(n)]


# The research brief's words (research/arabic.md §2): each must match its base form.
@pytest.mark.parametrize("text, term", [
    ("غارات", "غارات"), ("بغارة", "غارة"), ("والدوريات", "دوريات"), ("ودوريتين", "دوريتين"),
    ("قصفت", "قصفت"), ("يقصف", "يقصف"), ("الهجوم", "هجوم"), ("بهجوم", "هجوم"), ("لقسد", "قسد"),
    ("وستقصف", "تقصف"), ("بالتنسيق", "التنسيق"), ("دورياته", "دوريات"), ("للتحالف", "التحالف"),
    ("دوريته", "دورية"), ("دوريه", "دورية"),
])
def test_clitics_are_accepted(text, term):
    assert find([term], text) == [(term, text)]


@pytest.mark.parametrize("text, term", [
    ("غار", "غارة"),            # cave is not a raid
    ("مغارة", "غارة"),          # a grotto: م is no proclitic
    ("الدوري", "دورية"),        # the league
    ("برتغالي", "برتغال"),      # nisba ي is no pronoun suffix
    ("shelling", "shell"),      # English matches whole words only
    ("reshelled", "shelled"),
])
def test_non_clitics_are_rejected(text, term):
    assert find([term], text) == []


def test_case_sensitive_english_terms():
    m = Matcher()
    m.add("IS", "isis", case=True)
    m.build()
    assert [h.payload for h in m.find(normalise("IS fighters attacked. This is it"))] == ["isis"]


def test_multi_word_terms_span_any_spacing():
    assert find(["قوات سوريا الديمقراطية"], "لقوات  سوريا الديمقراطية") == \
        [("قوات سوريا الديمقراطية", "لقوات سوريا الديمقراطية")]


def test_future_prefix_is_reported():
    m = Matcher()
    m.add("تقصف", "x")
    m.build()
    assert [h.future for h in m.find(normalise("ستقصف وتقصف"))] == [True, False]


def test_multi_word_terms_agree_in_definiteness():
    assert find(["غارة جوية"], "بالغارة الجوية") == [("غارة جوية", "بالغارة الجوية")]
    assert find(["غارة جوية"], "غارة الجوية") == []
