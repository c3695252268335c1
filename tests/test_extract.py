"""Extraction on every mirror page, both ways (as trafilatura's own real-world tests do):
the lead sentence is in the text, and no menu label, related headline, share text,
comment or footer line is."""
import pytest

from conftest import MIRROR
from monitor.extract import extract, reprint_of


def squash(s: str) -> str:
    return " ".join(s.split())


def pages():
    import json
    return json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", pages(), ids=lambda p: p["file"][-60:])
def test_lead_kept_and_chrome_dropped(page):
    html = (MIRROR / page["file"]).read_bytes()
    art = extract(html, page["url"])
    assert art is not None
    text = squash(art["text"])
    assert squash(page["lead"]) in text
    leaked = [c for c in page["chrome"] if squash(c) in text]
    assert not leaked
    assert art["title"] == page["title"]
    assert art["published_at"][:10] == page["published"][:10]
    assert art["lang"] == ("en" if page["site"] == "sohr-en" else "ar")


def test_reprint_line_names_the_outlet():
    assert reprint_of("نص الخبر.\n\nالمصدر: المدن") == "المدن"
    assert reprint_of("Story text.\nSource: Rudaw") == "Rudaw"
    assert reprint_of("لا مصدر هنا") is None
