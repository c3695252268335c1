#!/usr/bin/env python3
"""Render seeds/stories/*.yaml into a static mirror of syriahr.com and almodon.com.

    python seeds/build_mirror.py          # deletes and rebuilds seeds/mirror/

A benchmark renders synthetic stories with the same templates:

    stories = load_stories("seeds/stories") + my_synthetic_stories
    manifest = build(stories, Path(tmpdir))

URL -> file (what the mirror server does): the URL path is percent-decoded (UTF-8); a
path ending in "/" is `<path>/index.html` or `<path>/index.xml`; any other path is
`<path>.html`, `<path>.xml` or the exact file (`robots.txt`, `wp-sitemap.xml`).
Links in pages and feeds are absolute, with the real origins; the server rewrites them.

Only stdlib and PyYAML: `make mirror` runs this on a fresh machine.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import yaml

HERE = Path(__file__).resolve().parent
SOHR = "https://www.syriahr.com"
MODON = "https://www.almodon.com"

PER_PAGE = 10        # WordPress "blog pages show at most" default; SOHR lists 10 a page
# WordPress's "syndication feeds show the most recent" default is 10. The mirror's SOHR feeds
# carry every story instead (None), because our spiders read feeds only and the tests expect
# each article reachable from them; build(..., feed_items=10) gives WordPress's behaviour,
# with older stories reachable only through /page/N/ and the archives.
FEED_ITEMS = None
MODON_CARDS = 20     # cards on an Al-Modon section page; the rest load by JS ("المزيد")
SITEMAP_URLS = 2000  # WordPress core sitemaps hold 2,000 URLs a page
WP_SLUG_BYTES = 200  # sanitize_title() keeps 200 bytes of the percent-encoded slug
TEASER_WORDS = 55    # wp_trim_excerpt() length, used in feeds
LIST_WORDS = 25      # the theme's shorter listing excerpt

AR_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
             "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
AR_DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]

# What differs between SOHR's Arabic and English WordPress sites. Category slugs: the English
# path is the real one (/en/category/news/syria-news/); Arabic category slugs were not found,
# so ours are ASCII, as on many Arabic WordPress sites.
SOHR_SITES = {
    "sohr-ar": dict(
        root=SOHR + "/", lang="ar", dir="rtl", og_locale="ar_AR", creator="المرصد السوري لحقوق الإنسان",
        name="المرصد السوري لحقوق الإنسان", suffix=" • المرصد السوري لحقوق الإنسان",
        description="المرصد السوري لحقوق الإنسان - توثيق يومي للأحداث والانتهاكات في سورية",
        categories={"syria": ("سورية", "category/syria/"), "reports": ("تقارير", "category/reports/"),
                    "violations": ("انتهاكات", "category/violations/")},
        default_category="syria",
        menu=[("الرئيسية", ""), ("أخبار", "category/syria/"), ("تقارير", "category/reports/"),
              ("انتهاكات", "category/violations/"), ("اتصل بنا", "contact-us/")],
        switch=("English", SOHR + "/en/"),
        t=dict(home="الرئيسية", share="شارك", share_on=["شارك على فيسبوك", "شارك على تويتر",
               "شارك عبر واتساب", "شارك عبر تيليغرام"], related="مقالات ذات صلة",
               most_read="الأكثر قراءة", follow="تابعنا على وسائل التواصل الاجتماعي",
               tags="الوسوم:", feed="الخلاصة", toc="جدول المحتويات", latest="آخر الأخبار",
               comments=lambda n: "تعليق واحد" if n == 1 else "تعليقان",
               reply="رد", says="قال:", leave="اترك تعليقاً",
               notes=["لن يتم نشر عنوان بريدك الإلكتروني.", "الحقول الإلزامية مشار إليها بـ"],
               fields=["التعليق", "الاسم", "البريد الإلكتروني", "الموقع الإلكتروني"],
               consent="احفظ اسمي، بريدي الإلكتروني، والموقع الإلكتروني في هذا المتصفح لاستخدامها المرة المقبلة في تعليقي.",
               submit="إرسال التعليق", monthly="المحفوظات الشهرية", category="التصنيف",
               tag="الوسم", prev="« السابق", next="التالي »", page="الصفحة",
               about=("من نحن", "about-us/"), contact=("اتصل بنا", "contact-us/"),
               privacy=("سياسة الخصوصية", "privacy-policy/"),
               bio="المرصد السوري لحقوق الإنسان منظمة غير حكومية توثق يومياً الأحداث الميدانية والانتهاكات في سورية منذ عام 2006.",
               copyright="© {year} المرصد السوري لحقوق الإنسان. جميع الحقوق محفوظة."),
        comments=[("أبو خالد", "الله يحمي أهلنا في الجزيرة من كل شر"),
                  ("سلمى", "شكراً للمرصد على متابعة أخبار المنطقة أولاً بأول"),
                  ("مواطن من الحسكة", "نتمنى أن يعم الأمن والسلام كل سوريا قريباً"),
                  ("أحمد", "إلى متى سيبقى المدنيون يدفعون ثمن هذه الصراعات"),
                  ("ريم", "الوضع المعيشي صعب جداً ولا أحد يسمع صوتنا"),
                  ("جوان", "أرجو التحقق من الأرقام قبل النشر يا جماعة"),
                  ("أبو عمر", "رحم الله جميع الضحايا وعجّل بشفاء الجرحى"),
                  ("نور", "متى ستعود الحياة طبيعية في قرانا المنسية")],
    ),
    "sohr-en": dict(
        root=SOHR + "/en/", lang="en-US", dir="ltr", og_locale="en_US", creator="SOHR",
        name="The Syrian Observatory For Human Rights",
        suffix=" • The Syrian Observatory For Human Rights",
        description="SOHR - Documenting events and violations in Syria every day",
        categories={"syria-news": ("Syria News", "category/news/syria-news/"),
                    "reports": ("Reports", "category/reports/"),
                    "violations": ("Violations", "category/violations/")},
        default_category="syria-news",
        menu=[("Home", ""), ("News", "category/news/syria-news/"), ("Reports", "category/reports/"),
              ("Violations", "category/violations/"), ("Contact Us", "contact-us/")],
        switch=("العربية", SOHR + "/"),
        t=dict(home="Home", share="Share", share_on=["Share on Facebook", "Share on Twitter",
               "Share on WhatsApp", "Share on Telegram"], related="Related Posts",
               most_read="Most Read", follow="Follow us on social media", tags="Tags:", feed="Feed",
               toc="Table of Contents", latest="Latest News",
               comments=lambda n: "1 Comment" if n == 1 else f"{n} Comments",
               reply="Reply", says="says:", leave="Leave a Reply",
               notes=["Your email address will not be published.", "Required fields are marked"],
               fields=["Comment", "Name", "Email", "Website"],
               consent="Save my name, email, and website in this browser for the next time I comment.",
               submit="Post Comment", monthly="Monthly Archives", category="Category",
               tag="Tag", prev="« Previous", next="Next »", page="Page",
               about=("About Us", "about-us/"), contact=("Contact Us", "contact-us/"),
               privacy=("Privacy Policy", "privacy-policy/"),
               bio="The Syrian Observatory For Human Rights is a non-governmental group that has documented daily events and violations in Syria since 2006.",
               copyright="© {year} The Syrian Observatory For Human Rights. All rights reserved."),
        comments=[("Sam K.", "Thank you SOHR for keeping us informed every day."),
                  ("Lina", "Praying for the people of north east Syria tonight."),
                  ("Observer", "The world keeps ignoring what happens in this region."),
                  ("Daniel", "Please add a map next time, it would help a lot."),
                  ("Hevi", "Civilians always pay the highest price, sadly."),
                  ("Mark T.", "Thorough reporting, detailed and balanced as always.")],
    ),
}
# SOHR's banner is English on both sites (seen at the foot of Arabic archive pages too).
COOKIE_TEXT = "This website uses cookies to improve your experience. By continuing to browse, you agree to our use of cookies."
COOKIE_OK = "Accept"

MODON_SECTIONS = {  # path: (menu label, label in the byline and the RSS category)
    "politics": ("السياسة", "سياسة"), "arabworld": ("عرب وعالم", "عرب وعالم"),
    "economy": ("اقتصاد", "اقتصاد"), "society": ("مجتمع", "مجتمع"),
    "culture": ("ثقافة", "ثقافة"), "opinion": ("رأي", "رأي"),
}
MODON_T = dict(
    name="المدن", home="الرئيسية", latest="آخر الأخبار", more="المزيد", share="شارك",
    share_on=["شارك عبر فايسبوك", "شارك عبر إكس", "شارك عبر واتساب"], read_also="اقرأ أيضاً",
    most_read="الأكثر قراءة", newsletter="اشترك في النشرة",
    newsletter_text="احصل على أبرز ما تنشره المدن كل صباح في بريدك الإلكتروني",
    subscribe="اشترك الآن", tagline="المدن - جريدة إلكترونية مستقلة تصدر من بيروت",
    footer_links=[("من نحن", "about"), ("اتصل بنا", "contact"), ("شروط الاستخدام", "terms")],
    copyright="جميع الحقوق محفوظة لموقع المدن © {year}",
    description="المدن - جريدة إلكترونية مستقلة: سياسة، اقتصاد، مجتمع، ثقافة ورأي",
)


# ---------------------------------------------------------------- stories

@dataclass
class Story:
    site: str
    title: str
    body: str
    published: str
    dt: datetime
    id: int | None = None
    slug: str = ""
    section: str = ""
    category: str = ""
    tags: list = field(default_factory=list)
    author: str = ""
    signals: list = field(default_factory=list)
    url: str = ""
    blocks: list = field(default_factory=list)   # ("p" | "h", text)
    text: str = ""                               # the body as plain text, headings included
    lead: str = ""


def load_stories(folder) -> list[dict]:
    """Every *.yaml story in `folder`, in file-name order."""
    stories = []
    for path in sorted(Path(folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a story is a mapping of fields")
        stories.append({**data, "_file": str(path)})
    return stories


def slugify(title: str) -> str:
    """A WordPress-like slug: words joined by hyphens, cut to 200 encoded bytes."""
    words = re.findall(r"[\w]+", title.replace("_", " "))
    slug = "-".join(words).lower()
    while len(quote(slug, safe="")) > WP_SLUG_BYTES:
        slug = slug[:-1]
    return slug.strip("-")


def paragraphs(body: str) -> list[tuple[str, str]]:
    """Blocks of a body: paragraphs separated by blank lines; "## " starts a subheading.
    Only spaces and tabs make a line blank: the seed's NBSP spacer lines stay paragraphs,
    as WordPress keeps them (<p>&nbsp;</p>)."""
    chunks = re.split(r"\n[ \t]*\n", body.strip(" \t\n"))
    return [("h", c[3:].strip()) if c.startswith("## ") else ("p", c) for c in chunks if c]


# A sentence ends at . ! ? ؟ before a space, a quote or the end; not at "U.S.", "Mr." or
# "0.38" (the rule of monitor.text.sentences, plus the Arabic question mark).
_SENT_END = re.compile(r"(?<![A-Z])(?<!\b[A-Z][a-z])(?<![0-9])[.!?؟]+(?=\s|$|[\"')\]”’])")


def first_sentence(blocks) -> str:
    first = next(t for kind, t in blocks if kind == "p" and t.strip())
    line = first.strip().split("\n")[0]
    m = _SENT_END.search(line)
    return line[:m.end()] if m else line


def make_story(d: dict) -> Story:
    where = d.get("_file", d.get("title", "?"))
    site = d.get("site")
    if site not in ("sohr-ar", "sohr-en", "almodon"):
        raise ValueError(f"{where}: site must be sohr-ar, sohr-en or almodon, not {site!r}")
    for key in ("title", "body", "published"):
        if not d.get(key):
            raise ValueError(f"{where}: missing {key}")
    published = d["published"]
    if isinstance(published, datetime):          # an unquoted YAML timestamp
        published = published.isoformat()
    dt = datetime.fromisoformat(str(published))
    if dt.tzinfo is None:
        raise ValueError(f"{where}: published needs a UTC offset, e.g. +03:00")
    s = Story(site=site, title=str(d["title"]).strip(), body=str(d["body"]), published=str(published),
              dt=dt, id=d.get("id"), slug=str(d.get("slug") or ""), section=d.get("section", ""),
              category=d.get("category", ""), tags=[str(t) for t in d.get("tags") or []],
              author=d.get("author", ""), signals=list(d.get("intended_signals") or []))
    s.blocks = paragraphs(s.body)
    if not s.blocks or s.blocks[0][0] != "p":
        raise ValueError(f"{where}: the body must start with a paragraph (the lead)")
    s.text = "\n".join(t for _, t in s.blocks)
    s.lead = first_sentence(s.blocks)
    if site.startswith("sohr"):
        _sohr_fields(s, where)
    else:
        _modon_fields(s, where)
    return s


def _sohr_fields(s: Story, where: str) -> None:
    conf = SOHR_SITES[s.site]
    if not isinstance(s.id, int) or s.id <= 0:
        raise ValueError(f"{where}: SOHR stories need a numeric id")
    s.category = s.category or conf["default_category"]
    if s.category not in conf["categories"]:
        raise ValueError(f"{where}: unknown category {s.category!r}; use one of {list(conf['categories'])}")
    if s.site == "sohr-ar":
        s.slug = s.slug or slugify(s.title)
        if len(quote(s.slug, safe="")) > WP_SLUG_BYTES:
            raise ValueError(f"{where}: WordPress cuts slugs at {WP_SLUG_BYTES} encoded bytes; shorten {s.slug!r}")
        s.url = f"{conf['root']}{quote(s.slug, safe='')}/{s.id}/"
    else:
        s.url = f"{conf['root']}{s.id}/"


def _modon_fields(s: Story, where: str) -> None:
    s.section = s.section or "politics"
    if s.section not in MODON_SECTIONS:
        raise ValueError(f"{where}: unknown section {s.section!r}; use one of {list(MODON_SECTIONS)}")
    s.slug = s.slug or slugify(s.title)
    if len(s.slug.encode()) > 240:              # a file name is at most 255 bytes
        raise ValueError(f"{where}: slug too long for a file name")
    s.url = f"{MODON}/{s.section}/{s.dt:%Y/%m/%d}/{quote(s.slug, safe='')}"


# ---------------------------------------------------------------- small helpers

def esc(text) -> str:
    """Escape for text and attribute values. Quotes are escaped only where they would end an
    attribute ("), so apostrophes stay as typed, as in WordPress's output."""
    return html.escape(str(text), quote=False).replace('"', "&quot;")


class Chrome(list):
    """Records every boilerplate string a page shows: `c("Share")` renders it escaped and
    remembers it, so the manifest lists exactly what is on the page."""

    def __call__(self, text: str) -> str:
        self.append(text)
        return esc(text)


def teaser(s: Story, words: int) -> tuple[str, bool]:
    """The first `words` words of the body text (headings left out), and whether it was cut."""
    all_words = " ".join(t for kind, t in s.blocks if kind == "p").split()
    return " ".join(all_words[:words]), len(all_words) > words


def rfc822(dt: datetime, gmt_name: bool = False) -> str:
    return format_datetime(dt.astimezone(timezone.utc), usegmt=gmt_name)


def stable(text: str) -> int:
    """A deterministic number from a string (Python's hash() is salted per process)."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def ar_date(dt: datetime) -> str:
    return f"{dt.day} {AR_MONTHS[dt.month - 1]}، {dt.year}"


def en_date(dt: datetime) -> str:
    return f"{EN_MONTHS[dt.month - 1]} {dt.day}, {dt.year}"


def json_ld(data: dict) -> str:
    # "</" would end the <script> element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def neighbours(items: list, i: int, k: int) -> list:
    """Up to k items next to items[i] in date order: the theme's "related" by recency."""
    out, step = [], 1
    while len(out) < k and step < len(items):
        for j in (i + step, i - step):
            if 0 <= j < len(items) and len(out) < k:
                out.append(items[j])
        step += 1
    return out


def most_read(items: list, exclude: Story, k: int = 5) -> list:
    """A site-wide "most read" list, the same on every page (minus the page's own story)."""
    ranked = sorted(items, key=lambda s: stable(s.url))[:k + 1]
    return [s for s in ranked if s is not exclude][:k]


def url_to_file(url: str, ext: str = ".html") -> str:
    """The mirror file for a URL: the server's mapping (see the module docstring)."""
    parts = urlsplit(url)
    path = unquote(parts.path, encoding="utf-8")
    if path.endswith("/"):
        path += "index" + ext
    elif not re.search(r"\.(txt|xml)$", path):
        path += ext
    return parts.netloc + path


def paginate(items: list, per_page: int) -> list[list]:
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def page_url(base: str, n: int) -> str:
    return base if n == 1 else f"{base}page/{n}/"


# ---------------------------------------------------------------- SOHR (WordPress, Foxiz-like)

def sohr_head(conf: dict, title: str, canonical: str, extra: str = "") -> str:
    return f"""<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<meta name="robots" content="index, follow, max-image-preview:large">
<link rel="canonical" href="{esc(canonical)}">
<meta property="og:locale" content="{conf['og_locale']}">
<meta property="og:site_name" content="{esc(conf['name'])}">
{extra}<link rel="alternate" type="application/rss+xml" title="{esc(conf['name'])} &raquo; {conf['t']['feed']}" href="{conf['root']}feed/">
<link rel="stylesheet" id="foxiz-main-css" href="{SOHR}/wp-content/themes/foxiz/assets/css/main.css?ver=2.3.5" media="all">
</head>"""


def sohr_header(conf: dict, c: Chrome) -> str:
    items = "\n".join(
        f'<li id="menu-item-{100 + i}" class="menu-item menu-item-type-custom menu-item-{100 + i}">'
        f'<a href="{conf["root"]}{path}"><span>{c(label)}</span></a></li>'
        for i, (label, path) in enumerate(conf["menu"]))
    switch_label, switch_url = conf["switch"]
    return f"""<header id="site-header" class="header-wrap rb-section header-set-1 header-1 style-shadow">
<div id="navbar-outer" class="navbar-outer"><div class="navbar-wrap"><div class="rb-container edge-padding"><div class="navbar-inner">
<div class="navbar-left">
<div class="logo-wrap is-text-logo site-branding"><p class="logo-title h1"><a class="logo" href="{conf['root']}" title="{esc(conf['name'])}">{c(conf['name'])}</a></p></div>
<nav id="site-navigation" class="main-menu-wrap" aria-label="main menu">
<ul id="menu-main-menu" class="main-menu rb-menu large-menu" itemscope itemtype="https://www.schema.org/SiteNavigationElement">
{items}
</ul>
</nav>
</div>
<div class="navbar-right">
<div class="wnav-holder"><a class="lang-switch" href="{switch_url}">{c(switch_label)}</a></div>
<div class="wnav-holder w-header-search"><a href="#" class="search-trigger" aria-label="search"><i class="rbi rbi-search" aria-hidden="true"></i></a></div>
</div>
</div></div></div></div>
</header>"""


def sohr_sidebar(conf: dict, popular: list, c: Chrome) -> str:
    t = conf["t"]
    rows = "\n".join(
        f'<div class="p-wrap p-small p-list-small-2" data-pid="{s.id}"><div class="p-content">'
        f'<h5 class="entry-title"><a class="p-url" href="{s.url}" rel="bookmark">{c(s.title)}</a></h5>'
        f'<div class="p-meta"><span class="meta-el meta-date"><time datetime="{s.published}">{esc(sohr_date(conf, s.dt))}</time></span></div>'
        f'</div></div>' for s in popular)
    return f"""<aside class="sidebar-wrap single-sidebar"><div class="sidebar-inner clearfix">
<div id="widget-popular-1" class="widget rb-section w-sidebar clearfix widget-post">
<div class="block-h widget-heading heading-layout-10"><div class="heading-inner"><h4 class="heading-title"><span>{c(t['most_read'])}</span></h4></div></div>
<div class="block-wrap block-small block-list"><div class="block-inner">
{rows}
</div></div>
</div>
<div id="widget-follow-1" class="widget rb-section w-sidebar clearfix widget-social-follower">
<div class="block-h widget-heading heading-layout-10"><div class="heading-inner"><h4 class="heading-title"><span>{c(t['follow'])}</span></h4></div></div>
<div class="social-follower effect-fadeout">
<a class="follow-facebook" href="https://www.facebook.com/syriahr" target="_blank" rel="noopener nofollow" aria-label="Facebook"><i class="rbi rbi-facebook" aria-hidden="true"></i></a>
<a class="follow-twitter" href="https://twitter.com/syriahr" target="_blank" rel="noopener nofollow" aria-label="X"><i class="rbi rbi-twitter" aria-hidden="true"></i></a>
<a class="follow-telegram" href="https://t.me/syriahr" target="_blank" rel="noopener nofollow" aria-label="Telegram"><i class="rbi rbi-telegram" aria-hidden="true"></i></a>
</div>
</div>
</div></aside>"""


def sohr_footer(conf: dict, year: int, c: Chrome) -> str:
    t = conf["t"]
    links = "\n".join(f'<li class="menu-item"><a href="{conf["root"]}{path}">{c(label)}</a></li>'
                      for label, path in (t["about"], t["contact"], t["privacy"]))
    return f"""<footer class="footer-wrap rb-section left-dot">
<div class="footer-inner footer-has-bg">
<div class="footer-columns rb-columns is-gap-20 rb-container edge-padding">
<div class="block-inner">
<div class="w-sidebar"><div class="about-bio"><p>{c(t['bio'])}</p></div></div>
<div class="w-sidebar"><ul id="menu-footer" class="footer-menu">
{links}
</ul></div>
</div>
</div>
<div class="footer-copyright"><div class="copyright-inner rb-container edge-padding"><p class="copyright-text">{c(t['copyright'].format(year=year))}</p></div></div>
</div>
</footer>
<aside id="rb-cookie" class="rb-cookie">
<p class="cookie-content">{c(COOKIE_TEXT)}</p>
<div class="cookie-footer"><a id="cookie-accept" class="cookie-accept" href="#">{c(COOKIE_OK)}</a></div>
</aside>"""


def sohr_date(conf: dict, dt: datetime) -> str:
    return ar_date(dt) if conf["lang"] == "ar" else en_date(dt)


def sohr_document(conf, *, head, body_class, main, sidebar, year, c) -> str:
    return f"""<!DOCTYPE html>
<html lang="{conf['lang']}" dir="{conf['dir']}">
{head}
<body class="{body_class}">
<div class="site-outer">
{sohr_header(conf, c)}
<div class="site-wrap">
<div class="rb-container edge-padding"><div class="grid-container">
<div class="s-ct">
{main}
</div>
{sidebar}
</div></div>
</div>
{sohr_footer(conf, year, c)}
</div>
</body>
</html>
"""


def sohr_content(s: Story, conf: dict, c: Chrome) -> str:
    """div.entry-content: wpautop paragraphs (single newlines become <br />), subheadings,
    and the theme's table of contents after the first paragraph when there are two or more."""
    parts, heads = [], [t for kind, t in s.blocks if kind == "h"]
    for kind, text in s.blocks:
        if kind == "h":
            parts.append(f'<h2 id="{anchor(text)}">{esc(text)}</h2>')
        elif not text.strip():
            parts.append("<p>&nbsp;</p>")
        else:
            parts.append("<p>" + "<br />\n".join(esc(line) for line in text.split("\n")) + "</p>")
    if len(heads) >= 2:
        links = "\n".join(f'<div class="toc-item"><a href="#{anchor(h)}" class="table-link h4">{esc(h)}</a></div>'
                          for h in heads)
        toc = (f'<div class="ruby-table-contents rbtoc table-left"><div class="toc-header">'
               f'<span class="h3">{c(conf["t"]["toc"])}</span></div><div class="toc-content h5">\n{links}\n</div></div>')
        parts.insert(1, toc)
    return '<div class="entry-content rbct clearfix is-highlight-shares">\n' + "\n".join(parts) + "\n</div>"


def anchor(text: str) -> str:
    return "h-" + re.sub(r"[^\w]+", "-", text).strip("-").lower()


def sohr_tag_slug(tag: str) -> str:
    return re.sub(r"\s+", "-", tag.strip()).lower()


def sohr_comments(s: Story, conf: dict, c: Chrome) -> str:
    t, pool = conf["t"], conf["comments"]
    n = 1 + s.id % 2
    rows = []
    for k in range(n):
        name, text = pool[(s.id // 7 + 3 * k) % len(pool)]
        cid = s.id % 100000 + k + 1
        when = s.dt + timedelta(minutes=50 + 140 * k + s.id % 60)
        rows.append(f"""<li id="comment-{cid}" class="comment even thread-even depth-1">
<article id="div-comment-{cid}" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">{esc(name)}</b> <span class="says">{esc(t['says'])}</span></div>
<div class="comment-metadata"><a href="{s.url}#comment-{cid}"><time datetime="{when.isoformat()}">{esc(sohr_date(conf, when))}</time></a></div></footer>
<div class="comment-content"><p>{c(text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="{s.url}?replytocom={cid}#respond">{c(t['reply'])}</a></div>
</article>
</li>""")
    f = t["fields"]
    return f"""<div id="comments" class="comment-box-wrap entry-sec">
<div class="comment-box-header"><h3 class="comment-box-title h4">{c(t['comments'](n))}</h3></div>
<div class="comment-holder"><ol class="comment-list entry">
{chr(10).join(rows)}
</ol></div>
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">{c(t['leave'])}</h3>
<form action="{SOHR}/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">{c(t['notes'][0])}</span> <span class="required-field-message">{c(t['notes'][1])} <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">{c(f[0])}</label><textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">{c(f[1])}</label><input id="author" name="author" type="text" size="30" maxlength="245" required></p>
<p class="comment-form-email"><label for="email">{c(f[2])}</label><input id="email" name="email" type="email" size="30" maxlength="100" required></p>
<p class="comment-form-url"><label for="url">{c(f[3])}</label><input id="url" name="url" type="url" size="30" maxlength="200"></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"><label for="wp-comment-cookies-consent">{c(t['consent'])}</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="{esc(t['submit'])}"><input type="hidden" name="comment_post_ID" value="{s.id}" id="comment_post_ID"></p>
</form>
</div>
</div>"""


def sohr_article(s: Story, site: list, i: int, year: int) -> tuple[str, list]:
    conf, c = SOHR_SITES[s.site], Chrome()
    t = conf["t"]
    cat_label, cat_path = conf["categories"][s.category]
    cat_url = conf["root"] + cat_path
    date = sohr_date(conf, s.dt)
    views = 12 + s.id * 37 % 1900      # the bare view counter the theme shows
    desc, _ = teaser(s, 30)
    meta = f"""<meta property="og:type" content="article">
<meta property="og:title" content="{esc(s.title)}">
<meta property="og:description" content="{esc(desc)}">
<meta property="og:url" content="{s.url}">
<meta property="article:published_time" content="{s.published}">
<meta property="article:section" content="{esc(cat_label)}">
<link rel="shortlink" href="{conf['root']}?p={s.id}">
<script type="application/ld+json">{json_ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title, "datePublished": s.published, "dateModified": s.published, "inLanguage": conf["lang"], "mainEntityOfPage": s.url, "author": {"@type": "Organization", "name": conf["name"]}, "publisher": {"@type": "Organization", "name": conf["name"]}})}</script>
"""
    tags = "".join(f'<a href="{conf["root"]}tag/{quote(sohr_tag_slug(g), safe="")}/" rel="tag">{esc(g)}</a>'
                   for g in s.tags)
    tag_bar = (f'<div class="efoot efoot-commas h5"><div class="efoot-bar tag-bar"><span class="blabel is-meta">'
               f'<i class="rbi rbi-tag" aria-hidden="true"></i>{c(t["tags"])}</span>{tags}</div></div>') if s.tags else ""
    enc = quote(s.url, safe="")
    share_urls = [f"https://www.facebook.com/sharer.php?u={enc}", f"https://twitter.com/intent/tweet?url={enc}",
                  f"https://api.whatsapp.com/send?text={enc}", f"https://t.me/share/?url={enc}"]
    shares = "\n".join(f'<a class="share-action share-trigger icon-{net}" href="{href}" target="_blank" rel="nofollow">'
                       f'<i class="rbi rbi-{net}" aria-hidden="true"></i><span>{c(label)}</span></a>'
                       for net, href, label in zip(("facebook", "twitter", "whatsapp", "telegram"), share_urls, t["share_on"]))
    related = "\n".join(
        f'<div class="p-wrap p-grid p-grid-small-1" data-pid="{r.id}"><div class="p-content">'
        f'<h4 class="entry-title"><a class="p-url" href="{r.url}" rel="bookmark">{c(r.title)}</a></h4>'
        f'<div class="p-meta"><span class="meta-el meta-date"><time datetime="{r.published}">{esc(sohr_date(conf, r.dt))}</time></span></div>'
        f'</div></div>' for r in neighbours(site, i, 3 + s.id % 2))
    main = f"""<article id="post-{s.id}" class="post-{s.id} post type-post status-publish format-standard hentry category-{s.category}">
<header class="single-header">
<nav aria-label="breadcrumbs" class="breadcrumb-wrap s-breadcrumb"><span class="breadcrumb-inner"><span><a href="{conf['root']}">{c(t['home'])}</a></span> <span class="sep">&raquo;</span> <span><a href="{cat_url}">{c(cat_label)}</a></span> <span class="sep">&raquo;</span> <span class="breadcrumb_last" aria-current="page">{esc(s.title)}</span></span></nav>
<h1 class="s-title fw-headline">{esc(s.title)}</h1>
<div class="single-meta meta-s-default"><div class="smeta-in">
<div class="smeta-sec"><div class="smeta-bottom meta-text"><time class="updated-date" datetime="{s.published}">{esc(date)}</time></div></div>
<div class="smeta-extra"><span class="meta-el meta-view"><i class="rbi rbi-chart" aria-hidden="true"></i>{views}</span></div>
</div></div>
<div class="s-cats"><div class="p-categories"><a class="p-category category-{s.category}" href="{cat_url}" rel="category">{c(cat_label)}</a></div></div>
</header>
<div class="s-ct-inner"><div class="e-ct-outer">
{sohr_content(s, conf, c)}
</div>
{tag_bar}
<div class="e-shared-sec entry-sec"><div class="e-shared-header h4"><i class="rbi rbi-share" aria-hidden="true"></i><span>{c(t['share'])}</span></div>
<div class="rbbsl tooltips-n effect-fadeout is-bg">
{shares}
</div></div>
</div>
</article>
<div class="sfoter-sec single-related"><div class="related-posts">
<div class="block-h heading-layout-1"><div class="heading-inner"><h3 class="heading-title"><span>{c(t['related'])}</span></h3></div></div>
<div class="block-wrap block-grid block-grid-small-1 rb-columns rb-col-3"><div class="block-inner">
{related}
</div></div>
</div></div>
{sohr_comments(s, conf, c)}"""
    doc = sohr_document(conf, head=sohr_head(conf, s.title + conf["suffix"], s.url, meta),
                        body_class=f"post-template-default single single-post postid-{s.id} single-format-standard",
                        main=main, sidebar=sohr_sidebar(conf, most_read(site, s), c), year=year, c=c)
    return doc, c


def sohr_listing(conf: dict, site: list, heading: str, items: list, base: str, n: int, pages: int,
                 year: int, archive: bool) -> str:
    """One page of a WordPress listing: home, /page/N/, date, category or tag archives."""
    c, t = Chrome(), conf["t"]
    cards = []
    for s in items:
        label, path = conf["categories"][s.category]
        text, cut = teaser(s, LIST_WORDS)
        cards.append(f"""<div class="p-wrap p-list p-list-1" data-pid="{s.id}"><div class="p-content">
<div class="p-categories p-top"><a class="p-category category-{s.category}" href="{conf['root']}{path}" rel="category">{esc(label)}</a></div>
<h3 class="entry-title"><a class="p-url" href="{s.url}" rel="bookmark">{esc(s.title)}</a></h3>
<div class="p-meta"><span class="meta-el meta-date"><time class="date published" datetime="{s.published}">{esc(sohr_date(conf, s.dt))}</time></span></div>
<p class="entry-summary">{esc(text)}{'…' if cut else ''}</p>
</div></div>""")
    # WordPress titles: "<archive> • <site>" for archives, the bare site name for the home page.
    title = heading + (f" - {t['page']} {n}" if n > 1 else "") + conf["suffix"] if archive else \
        conf["name"] + (f" - {t['page']} {n}" if n > 1 else "")
    header = (f'<header class="archive-header"><h1 class="archive-title">{esc(heading)}</h1></header>' if archive
              else f'<div class="block-h"><h2 class="heading-title"><span>{esc(heading)}</span></h2></div>')
    main = f"""<div class="archive-outer">
{header}
<div class="block-wrap block-list"><div class="block-inner">
{chr(10).join(cards)}
</div></div>
{pagination(t, base, n, pages)}
</div>"""
    return sohr_document(conf, head=sohr_head(conf, title, page_url(base, n)),
                         body_class="archive" if archive else "home blog", main=main,
                         sidebar=sohr_sidebar(conf, most_read(site, None), c), year=year, c=c)


def pagination(t: dict, base: str, n: int, pages: int) -> str:
    if pages <= 1:
        return ""
    links = []
    if n > 1:
        links.append(f'<a class="prev page-numbers" href="{page_url(base, n - 1)}">{esc(t["prev"])}</a>')
    shown = sorted({1, pages, *range(max(1, n - 2), min(pages, n + 2) + 1)})
    last = 0
    for k in shown:
        if k - last > 1:
            links.append('<span class="page-numbers dots">&hellip;</span>')
        links.append(f'<span aria-current="page" class="page-numbers current">{k}</span>' if k == n
                     else f'<a class="page-numbers" href="{page_url(base, k)}">{k}</a>')
        last = k
    if n < pages:
        links.append(f'<a class="next page-numbers" href="{page_url(base, n + 1)}">{esc(t["next"])}</a>')
    return '<nav class="navigation pagination" aria-label="Posts"><div class="nav-links">' + "\n".join(links) + "</div></nav>"


def sohr_feed(conf: dict, items: list, feed_items: int | None) -> str:
    """WordPress RSS 2.0 in "summary" mode: a teaser, no content:encoded."""
    def cdata(text: str) -> str:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    rows = []
    for s in items[:feed_items]:
        text, cut = teaser(s, TEASER_WORDS)
        cats = [conf["categories"][s.category][0], *s.tags]
        guid = f"{conf['root']}?p={s.id}"
        rows.append(f"""	<item>
		<title>{esc(s.title)}</title>
		<link>{s.url}</link>
		<comments>{s.url}#comments</comments>
		<dc:creator>{cdata(conf['creator'])}</dc:creator>
		<pubDate>{rfc822(s.dt)}</pubDate>
{chr(10).join(f'		<category>{cdata(g)}</category>' for g in cats)}
		<guid isPermaLink="false">{guid}</guid>
		<description>{cdata(text + (' [&#8230;]' if cut else ''))}</description>
		<slash:comments>{1 + s.id % 2}</slash:comments>
	</item>""")
    built = rfc822(items[0].dt) if items else rfc822(datetime(2000, 1, 1, tzinfo=timezone.utc))
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/"
	>

<channel>
	<title>{esc(conf['name'])}</title>
	<atom:link href="{conf['root']}feed/" rel="self" type="application/rss+xml" />
	<link>{conf['root'] if conf['root'] != SOHR + '/' else SOHR}</link>
	<description>{esc(conf['description'])}</description>
	<lastBuildDate>{built}</lastBuildDate>
	<language>{conf['lang']}</language>
	<sy:updatePeriod>
	hourly	</sy:updatePeriod>
	<sy:updateFrequency>
	1	</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.4.3</generator>
{chr(10).join(rows)}
	</channel>
</rss>
"""


def sohr_static_page(conf: dict, site: list, label: str, path: str, year: int) -> str:
    c = Chrome()
    main = f"""<article class="page type-page status-publish hentry">
<header class="single-header"><h1 class="s-title">{esc(label)}</h1></header>
<div class="entry-content rbct"><p>{esc(conf['t']['bio'])}</p></div>
</article>"""
    return sohr_document(conf, head=sohr_head(conf, label + conf["suffix"], conf["root"] + path),
                         body_class="page-template-default page", main=main,
                         sidebar=sohr_sidebar(conf, most_read(site, None), c), year=year, c=c)


def sitemaps(root: str, stories: list) -> dict[str, str]:
    """WordPress core sitemaps: an index and pages of 2,000 post URLs."""
    out, index = {}, []
    for k, chunk in enumerate(paginate(stories, SITEMAP_URLS), 1):
        loc = f"{root}wp-sitemap-posts-post-{k}.xml"
        urls = "\n".join(f"<url><loc>{s.url}</loc><lastmod>{s.published}</lastmod></url>" for s in chunk)
        out[loc] = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    f"{urls}\n</urlset>\n")
        index.append(f"<sitemap><loc>{loc}</loc></sitemap>")
    out[root + "wp-sitemap.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                    + "\n".join(index) + "\n</sitemapindex>\n")
    return out


def render_sohr(site_name: str, site: list, files: dict, year: int,
                feed_items: int | None) -> list[tuple[Story, Chrome]]:
    conf, t = SOHR_SITES[site_name], SOHR_SITES[site_name]["t"]
    root = conf["root"]
    pages = []
    for i, s in enumerate(site):
        doc, chrome = sohr_article(s, site, i, year)
        files[url_to_file(s.url)] = doc
        pages.append((s, chrome))
    files[url_to_file(root + "feed/", ".xml")] = sohr_feed(conf, site, feed_items)
    listings = [(t["latest"], root, site, False)]
    for (y, m) in sorted({(s.dt.year, s.dt.month) for s in site}):
        month = [s for s in site if (s.dt.year, s.dt.month) == (y, m)]
        name = f"{AR_MONTHS[m - 1]} {y}" if conf["lang"] == "ar" else f"{EN_MONTHS[m - 1]} {y}"
        listings.append((f"{t['monthly']}: {name}", f"{root}date/{y}/{m:02d}/", month, True))
    for slug, (label, path) in conf["categories"].items():
        listings.append((f"{t['category']}: {label}", root + path, [s for s in site if s.category == slug], True))
    for tag in sorted({g for s in site for g in s.tags}):
        tagged = [s for s in site if tag in s.tags]
        listings.append((f"{t['tag']}: {tag}", f"{root}tag/{quote(sohr_tag_slug(tag), safe='')}/", tagged, True))
    for heading, base, items, archive in listings:
        chunks = paginate(items, PER_PAGE)
        for n, chunk in enumerate(chunks, 1):
            files[url_to_file(page_url(base, n))] = sohr_listing(conf, site, heading, chunk, base, n,
                                                                 len(chunks), year, archive)
    for label, path in (t["about"], t["contact"], t["privacy"]):
        files[url_to_file(root + path)] = sohr_static_page(conf, site, label, path, year)
    for url, xml in sitemaps(root, site).items():
        files[url_to_file(url)] = xml
    return pages


# ---------------------------------------------------------------- Al-Modon (Tailwind markup)

def modon_date(dt: datetime) -> str:
    return f"{dt:%Y/%m/%d}"


def modon_card(s: Story, c: Chrome | None = None, with_teaser: bool = False) -> str:
    """The card Al-Modon's listings use: div.w-full.lg:w-1/2.lg:px-3.mb-6 > h2 a + span.date.
    On an article page (the "اقرأ أيضاً" block) the headline is chrome, so `c` records it."""
    summary = ""
    if with_teaser:
        text, cut = teaser(s, LIST_WORDS)
        summary = f'<p class="text-gray-600 text-sm leading-relaxed mb-2">{esc(text)}{"…" if cut else ""}</p>'
    return f"""<div class="w-full lg:w-1/2 lg:px-3 mb-6"><div class="border-b border-gray-200 pb-4">
<h2 class="text-lg lg:text-xl font-bold leading-snug mb-2"><a href="{s.url}" class="hover:text-red-700">{c(s.title) if c else esc(s.title)}</a></h2>
{summary}<span class="date text-sm text-gray-500">{modon_date(s.dt)}</span>
</div></div>"""


def modon_document(*, title: str, canonical: str, meta: str, main: str, aside: str, year: int, c: Chrome) -> str:
    nav = "\n".join(f'<a href="{MODON}/{path}" class="hover:text-red-700">{c(label)}</a>'
                    for path, (label, _) in MODON_SECTIONS.items())
    foot = "\n".join(f'<a href="{MODON}/{path}" class="hover:text-white">{c(label)}</a>'
                     for label, path in MODON_T["footer_links"])
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="canonical" href="{esc(canonical)}">
<meta property="og:site_name" content="{MODON_T['name']}">
{meta}<link rel="alternate" type="application/rss+xml" title="{MODON_T['name']}" href="{MODON}/rss">
<link rel="stylesheet" href="{MODON}/build/assets/app.css">
</head>
<body class="bg-white text-gray-900 font-sans antialiased">
<header class="bg-white border-b border-gray-200 sticky top-0 z-40">
<div class="container mx-auto px-4 flex items-center justify-between h-16">
<a href="{MODON}/" class="text-3xl font-black text-red-700" aria-label="{MODON_T['name']}">{c(MODON_T['name'])}</a>
<nav class="hidden lg:flex items-center gap-x-6 text-base font-bold">
<a href="{MODON}/" class="hover:text-red-700">{c(MODON_T['home'])}</a>
{nav}
</nav>
<button type="button" class="lg:hidden p-2" aria-label="menu"><svg class="w-6 h-6" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 6h16M4 12h16M4 18h16"/></svg></button>
</div>
</header>
<main class="container mx-auto px-4 py-6">
<div class="flex flex-wrap lg:-mx-3">
{main}
{aside}
</div>
</main>
<footer class="bg-gray-900 text-gray-300 mt-10">
<div class="container mx-auto px-4 py-8 flex flex-wrap items-center justify-between gap-y-4">
<p class="text-sm">{c(MODON_T['tagline'])}</p>
<nav class="flex gap-x-4 text-sm">
{foot}
</nav>
</div>
<div class="border-t border-gray-700 text-center text-xs py-3">{c(MODON_T['copyright'].format(year=year))}</div>
</footer>
</body>
</html>
"""


def modon_aside(popular: list, c: Chrome) -> str:
    rows = "\n".join(f'<li><a href="{s.url}" class="hover:text-red-700">{c(s.title)}</a></li>' for s in popular)
    return f"""<aside class="w-full lg:w-1/3 lg:px-3">
<div class="bg-gray-50 p-4 mb-6">
<h3 class="text-xl font-bold mb-4">{c(MODON_T['most_read'])}</h3>
<ol class="space-y-3 list-decimal pr-5 text-base font-bold">
{rows}
</ol>
</div>
<div class="bg-red-700 text-white p-4">
<h3 class="text-xl font-bold mb-2">{c(MODON_T['newsletter'])}</h3>
<p class="text-sm mb-3">{c(MODON_T['newsletter_text'])}</p>
<form action="{MODON}/newsletter" method="post" class="flex"><input type="email" name="email" placeholder="email@example.com" class="flex-1 p-2 text-gray-900"><button type="submit" class="bg-gray-900 px-4">{c(MODON_T['subscribe'])}</button></form>
</div>
</aside>"""


def modon_article(s: Story, site: list, i: int, year: int) -> tuple[str, Chrome]:
    c = Chrome()
    menu_label, label = MODON_SECTIONS[s.section]
    byline = s.author or f"المدن - {label}"
    desc, _ = teaser(s, 30)
    meta = f"""<meta name="description" content="{esc(desc)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(s.title)}">
<meta property="og:description" content="{esc(desc)}">
<meta property="og:url" content="{s.url}">
<meta property="article:published_time" content="{s.published}">
<meta property="article:section" content="{esc(label)}">
<script type="application/ld+json">{json_ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title, "datePublished": s.published, "articleSection": label, "mainEntityOfPage": s.url, "author": {"@type": "Person" if s.author else "Organization", "name": byline}, "publisher": {"@type": "Organization", "name": MODON_T["name"]}})}</script>
"""
    # Al-Modon's CMS is not WordPress: every line of the body is its own <p>.
    body = "\n".join(f"<h3>{esc(text)}</h3>" if kind == "h" else
                     "\n".join(f"<p>{esc(line)}</p>" for line in text.split("\n") if line.strip())
                     for kind, text in s.blocks)
    enc = quote(s.url, safe="")
    share_urls = [f"https://www.facebook.com/sharer/sharer.php?u={enc}", f"https://twitter.com/intent/tweet?url={enc}",
                  f"https://api.whatsapp.com/send?text={enc}"]
    shares = "\n".join(f'<a href="{href}" target="_blank" rel="noopener" class="px-3 py-1 rounded bg-gray-100 text-sm">{c(text)}</a>'
                       for href, text in zip(share_urls, MODON_T["share_on"]))
    related = "\n".join(modon_card(r, c) for r in neighbours(site, i, 3 + stable(s.url) % 2))
    main = f"""<div class="w-full lg:w-2/3 lg:px-3">
<article class="mb-10">
<a href="{MODON}/{s.section}" class="inline-block text-sm font-bold text-red-700 mb-2">{c(menu_label)}</a>
<h1 class="text-2xl lg:text-4xl font-bold leading-tight mb-4">{esc(s.title)}</h1>
<div class="flex items-center gap-x-3 text-sm text-gray-500 mb-6"><span class="author">{esc(byline)}</span><span class="date">{AR_DAYS[s.dt.weekday()]} {modon_date(s.dt)}</span></div>
<div class="article-body text-lg leading-loose space-y-5">
{body}
</div>
<div class="flex flex-wrap items-center gap-3 mt-8 pt-4 border-t border-gray-200"><span class="font-bold">{c(MODON_T['share'])}</span>
{shares}
</div>
</article>
<section class="mb-10">
<h3 class="text-xl font-bold border-r-4 border-red-700 pr-3 mb-4">{c(MODON_T['read_also'])}</h3>
<div class="flex flex-wrap lg:-mx-3">
{related}
</div>
</section>
</div>"""
    doc = modon_document(title=f"{s.title} | {MODON_T['name']}", canonical=s.url, meta=meta, main=main,
                         aside=modon_aside(most_read(site, s), c), year=year, c=c)
    return doc, c


def modon_listing(heading: str, canonical: str, items: list, site: list, year: int) -> str:
    c = Chrome()
    cards = "\n".join(modon_card(s, with_teaser=True) for s in items[:MODON_CARDS])
    more = (f'<div class="text-center"><button type="button" class="more-btn px-6 py-2 border border-red-700 text-red-700 font-bold" '
            f'data-page="2">{esc(MODON_T["more"])}</button></div>') if len(items) > MODON_CARDS else ""
    main = f"""<div class="w-full lg:w-2/3 lg:px-3">
<h1 class="text-3xl font-bold mb-6">{esc(heading)}</h1>
<div id="articles" class="flex flex-wrap lg:-mx-3">
{cards}
</div>
{more}
</div>"""
    return modon_document(title=f"{heading} | {MODON_T['name']}", canonical=canonical, meta="", main=main,
                          aside=modon_aside(most_read(site, None), c), year=year, c=c)


def modon_rss(site: list) -> str:
    """Al-Modon's /rss: every article, newest first."""
    rows = []
    for s in site:
        text, cut = teaser(s, 40)
        rows.append(f"""<item>
<title>{esc(s.title)}</title>
<link>{s.url}</link>
<guid isPermaLink="true">{s.url}</guid>
<description>{esc(text + ('...' if cut else ''))}</description>
<category>{esc(MODON_SECTIONS[s.section][1])}</category>
<pubDate>{rfc822(s.dt, gmt_name=True)}</pubDate>
</item>""")
    built = rfc822(site[0].dt, gmt_name=True) if site else rfc822(datetime(2000, 1, 1, tzinfo=timezone.utc), True)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{MODON_T['name']}</title>
<link>{MODON}</link>
<description>{esc(MODON_T['description'])}</description>
<language>ar</language>
<lastBuildDate>{built}</lastBuildDate>
<atom:link href="{MODON}/rss" rel="self" type="application/rss+xml"/>
{chr(10).join(rows)}
</channel>
</rss>
"""


def render_modon(site: list, files: dict, year: int) -> list[tuple[Story, Chrome]]:
    pages = []
    for i, s in enumerate(site):
        doc, chrome = modon_article(s, site, i, year)
        files[url_to_file(s.url)] = doc
        pages.append((s, chrome))
    files["www.almodon.com/rss.xml"] = modon_rss(site)
    files[url_to_file(MODON + "/")] = modon_listing(MODON_T["latest"], MODON + "/", site, site, year)
    for path, (label, _) in MODON_SECTIONS.items():
        files[url_to_file(f"{MODON}/{path}")] = modon_listing(
            label, f"{MODON}/{path}", [s for s in site if s.section == path], site, year)
    for label, path in MODON_T["footer_links"]:
        c = Chrome()
        main = (f'<div class="w-full lg:w-2/3 lg:px-3"><h1 class="text-3xl font-bold mb-6">{esc(label)}</h1>'
                f'<p>{esc(MODON_T["tagline"])}</p></div>')
        files[url_to_file(f"{MODON}/{path}")] = modon_document(
            title=f"{label} | {MODON_T['name']}", canonical=f"{MODON}/{path}", meta="", main=main,
            aside=modon_aside(most_read(site, None), c), year=year, c=c)
    urls = "\n".join(f"<url><loc>{s.url}</loc><lastmod>{s.published}</lastmod></url>" for s in site)
    files["www.almodon.com/sitemap.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                                            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                            f"{urls}\n</urlset>\n")
    return pages


# ---------------------------------------------------------------- robots, manifest, build

ROBOTS = {
    # WordPress's virtual robots.txt, plus the English sub-site's sitemap.
    "www.syriahr.com": ("User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                        f"Sitemap: {SOHR}/wp-sitemap.xml\nSitemap: {SOHR}/en/wp-sitemap.xml\n"),
    "www.almodon.com": ("User-agent: *\nDisallow: /search\nDisallow: /newsletter\n\n"
                        f"Sitemap: {MODON}/sitemap.xml\n"),
}


def manifest_entry(s: Story, chrome: Chrome) -> dict:
    """Chrome strings that also occur in the title or body (say "شارك" inside "شاركت") are
    left out, since an extractor that keeps the body would rightly keep them; so are strings
    under 4 characters ("رد"), which any text may contain by chance."""
    content = (s.title + "\n" + s.text).casefold()
    kept = [x for x in dict.fromkeys(chrome) if len(x.strip()) >= 4 and x.casefold() not in content]
    return {"site": s.site, "id": s.id, "url": s.url, "file": url_to_file(s.url), "title": s.title,
            "lead": s.lead, "published": s.published, "intended_signals": s.signals, "chrome": kept}


def build(stories: list[dict], outdir: Path, feed_items: int | None = FEED_ITEMS) -> list[dict]:
    """Render `stories` (dicts as in seeds/stories/*.yaml) under `outdir`, write
    `outdir/manifest.json` and return its entries, one per article page. `feed_items` caps
    the SOHR feeds (None: every story; WordPress's default is 10)."""
    outdir = Path(outdir)
    parsed = [make_story(d) for d in stories]
    urls = [s.url for s in parsed]
    dupes = sorted({u for u in urls if urls.count(u) > 1})
    if dupes:
        raise ValueError(f"two stories have the same URL: {dupes[0]}")
    year = max((s.dt.year for s in parsed), default=2026)   # the footer's copyright year
    files: dict[str, str] = {}
    pages = []
    for name in ("sohr-ar", "sohr-en", "almodon"):
        site = sorted((s for s in parsed if s.site == name),
                      key=lambda s: (s.dt.astimezone(timezone.utc), s.id or 0, s.url), reverse=True)
        if not site:
            continue
        pages += (render_modon(site, files, year) if name == "almodon"
                  else render_sohr(name, site, files, year, feed_items))
    for host in {path.split("/")[0] for path in files}:
        files[f"{host}/robots.txt"] = ROBOTS[host]
    for rel, text in sorted(files.items()):
        path = outdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    manifest = [manifest_entry(s, chrome) for s, chrome in pages]
    (outdir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    out = HERE / "mirror"
    shutil.rmtree(out, ignore_errors=True)
    manifest = build(load_stories(HERE / "stories"), out)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"{len(manifest)} articles, {files} files in {out}")


if __name__ == "__main__":
    main()
