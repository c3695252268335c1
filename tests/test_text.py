from monitor.text import normalise, normalise_term, sentences


def test_folds_alef_yaa_digits_and_removes_marks():
    n = normalise("أعلنَت إدارةُ الحسكة مقتل ٣ مدنيين على الطريق")
    assert n.text == "اعلنت ادارة الحسكة مقتل 3 مدنيين علي الطريق"


def test_offsets_map_back_to_the_original_text():
    original = "قَصَفَ  الطيــران‏ kil*led"
    n = normalise(original)
    for word in ("قصف", "الطيران", "killed"):
        i = n.text.index(word)
        span = original[n.source_offset(i):n.source_end(i + len(word))]
        assert normalise(span).text == word


def test_sohr_english_masking_is_undone_but_multiplication_kept():
    assert normalise("De*ath toll: 3*4 kil*led").text == "Death toll: 3*4 killed"


def test_taa_marbuta_is_not_folded():
    # ة/ه stay apart in text: دوريه could be دوري + ه ("his league").
    assert normalise("دورية").text != normalise("دوريه").text


def test_sentences_do_not_split_abbreviations():
    text = "U.S. forces withdrew. Next sentence؟ سطر\nآخر"
    assert [text[s:e] for s, e in sentences(text)] == ["U.S. forces withdrew.", "Next sentence؟ سطر", "آخر"]


def test_terms_normalise_like_text():
    assert normalise_term("  قُوّات   سوريا ") == "قوات سوريا"
