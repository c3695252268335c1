"""How an alert reads on each kind of channel. Pure functions: payload (alerts.event) in,
title and body out.

- text: the stored record, the console and any apprise service without a richer format.
- telegram: Telegram's HTML (only b, i, a, blockquote; text escaped for & < >), within
  Telegram's limit of 4096 characters per message, measured in UTF-16 code units.
  apprise sends it as is (its default overflow mode leaves the length to us, and
  splitting would cut tags apart).
- email: a clear subject and an HTML body, right to left for Arabic; apprise sends it with
  a plain-text part made from this HTML, so every link is also written out as text.
A digest groups several alerts by place, then by type.
"""
import html
import json
from urllib.parse import quote, urlsplit

TELEGRAM_LIMIT = 4096
SUBJECT_MAX = 160
_STYLES = {"tgram": "telegram", "telegram": "telegram", "mailto": "email", "mailtos": "email"}
_NO_PLACE = "Place not named"


def style_of(url: str) -> str:
    return _STYLES.get(urlsplit(url).scheme.lower(), "text")


def _esc(s) -> str:
    return html.escape(str(s or ""), quote=False)


def _href(url: str) -> str:
    # Percent-encode quotes and brackets so the attribute needs no entity but &amp;
    return html.escape(quote(url, safe=":/?#[]@!$&()*+,;=%~-._"), quote=True)


def _cut(s: str, n: int) -> str:
    s = " ".join(str(s or "").split())
    return s if len(s) <= n else s[:max(0, n - 1)].rstrip() + "…"


def _units(s: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(s.encode("utf-16-le")) // 2


def label(s: dict) -> str:
    """"airstrike · Turkey → SDF · al-Malikiyah", with names from the watchlists."""
    kind = s["type"].replace("_", " ") + {"up": " ↑", "down": " ↓"}.get(s.get("change") or "", "")
    if s["modality"] != "occurred":
        kind += f" ({s['modality']})"
    agent = s.get("agent_name") or s.get("agent")
    target = s.get("target_name") or s.get("target")
    who = f"{agent or '?'} → {target}" if target else (agent or "")
    place = s.get("place_name") or s.get("place")
    return " · ".join(p for p in (kind, who, place) if p)


def summary(s: dict) -> str:
    """"airstrike occurred · turkey → sdf · malikiyah": a signal in one line, by ids."""
    kind = f"{s['type']} {s['modality']}" + (f" {s['change']}" if s.get("change") else "")
    who = f"{s['agent'] or '?'} → {s['target']}" if s.get("target") else (s["agent"] or "agent not named")
    return f"{kind} · {who}" + (f" · {s['place']}" if s.get("place") else "")


def _sources(ev: dict) -> str:
    return ", ".join(a["source"] + (f" (from {a['reprint_of']})" if a.get("reprint_of") else "")
                     for a in ev["articles"])


def _title(ev: dict) -> str:
    """The headline; a follow-up (a new kind of signal in a story already alerted) says so."""
    return ("Follow-up: " if ev.get("follow_up") else "") + ev["title"]


def _independent(n: int) -> str:
    return f"{n} independent source" + ("" if n == 1 else "s")


# -- plain text -------------------------------------------------------------------
def text(ev: dict, kind: str = "alert") -> tuple[str, str]:
    if kind == "update":
        prev = ev["previous"]
        return f"Update: {ev['title']}", "\n".join([
            f"Now {_independent(ev['independent'])} (was {prev['independent']}): {_sources(ev)}",
            f"Score {prev['score']:.2f} → {ev['score']:.2f}", f"Link: {ev['url']}"])
    lines = [f"Sources: {_sources(ev)}"]
    for s in ev["signals"]:
        lines.append(f"- {summary(s)} (score {s['score']:.2f})")
        lines.append(f"  “{_cut(s['evidence'], 300)}”")
    lines += [f"Link: {a['url']}" for a in ev["articles"]]
    return _title(ev), "\n".join(lines)


# -- Telegram -----------------------------------------------------------------------
def telegram(ev: dict, kind: str = "alert") -> str:
    """Telegram HTML within TELEGRAM_LIMIT: the evidence, then links and lines, shrink to fit."""
    for evidence, links, lines, title in ((900, 10, 8, 300), (400, 5, 5, 300), (200, 3, 3, 200),
                                          (80, 1, 1, 120), (0, 1, 1, 80)):
        body = _telegram(ev, kind, evidence, links, lines, title)
        if _units(body) <= TELEGRAM_LIMIT:
            return body
    # Only absurdly long URLs get here: the headline and the address as text (Telegram links it).
    return f"<b>{_esc(_cut(_title(ev), 200))}</b>\n{_esc(_cut(ev['url'], 1500))}"


def _links(ev: dict, n: int) -> str:
    arts = ev["articles"]
    out = ", ".join(f'<a href="{_href(a["url"])}">{_esc(a["source"])}</a>'
                    + (f" (from {_esc(a['reprint_of'])})" if a.get("reprint_of") else "") for a in arts[:n])
    return out + (f" and {len(arts) - n} more" if len(arts) > n else "")


def _telegram(ev, kind, evidence, links, lines, title) -> str:
    head = f'<b>{_esc(_cut(_title(ev), title))}</b>'
    if kind == "update":
        prev = ev["previous"]
        return "\n".join([f"<b>Update</b> · {head}",
                          f"Now {_independent(ev['independent'])} (was {prev['independent']}): {_links(ev, links)}",
                          f"Score {prev['score']:.2f} → {ev['score']:.2f}"])
    parts = [head] + [f"• {_esc(label(s))}" for s in ev["signals"][:lines]]
    if evidence and ev["signals"]:
        parts.append(f"<blockquote>{_esc(_cut(ev['signals'][0]['evidence'], evidence))}</blockquote>")
    parts.append(f"Sources: {_links(ev, links)}")
    parts.append(f"Score {ev['score']:.2f} · {_independent(ev['independent'])}")
    return "\n".join(parts)


# -- email ----------------------------------------------------------------------------
def subject(ev: dict, kind: str = "alert") -> str:
    if kind == "update":
        return _cut(f"[monitor] Update: now {_independent(ev['independent'])} — {ev['title']}", SUBJECT_MAX)
    top = label(ev["signals"][0]) if ev["signals"] else "alert"
    return _cut(f"[monitor] {top} — {_title(ev)}", SUBJECT_MAX)


def _page(lang: str, inner: str) -> str:
    rtl = lang == "ar"
    d = "rtl" if rtl else "ltr"
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="{d}"><head><meta charset="utf-8"></head>'
            f'<body dir="{d}" style="direction:{d};text-align:{"right" if rtl else "left"};'
            f'font-family:Arial,Tahoma,sans-serif;line-height:1.5">\n{inner}\n</body></html>')


def _a(url: str) -> str:
    u = html.escape(url)
    return f'<a href="{u}">{u}</a>'


def _email_sources(ev: dict) -> str:
    items = "".join(f'<li dir="auto">{html.escape(a["source"])}'
                    + (f" (from {html.escape(a['reprint_of'])})" if a.get("reprint_of") else "")
                    + f": {_a(a['url'])}</li>" for a in ev["articles"])
    return f"<p><b>Sources</b> ({_independent(ev['independent'])}):</p><ul>{items}</ul>"


def email(ev: dict, kind: str = "alert") -> tuple[str, str]:
    """(subject, HTML body)."""
    if kind == "update":
        prev = ev["previous"]
        inner = (f'<h2 dir="auto">Update: {html.escape(ev["title"])}</h2>'
                 f'<p dir="auto">Now {_independent(ev["independent"])} (was {prev["independent"]}); '
                 f'score {prev["score"]:.2f} → {ev["score"]:.2f}.</p>' + _email_sources(ev))
        return subject(ev, kind), _page(ev["lang"], inner)
    rows = "".join(f'<p dir="auto"><b>{html.escape(label(s))}</b> (score {s["score"]:.2f})</p>'
                   f'<blockquote dir="auto">{html.escape(_cut(s["evidence"], 600))}</blockquote>'
                   for s in ev["signals"])
    inner = (f'<h2 dir="auto">{html.escape(_title(ev))}</h2>{rows}' + _email_sources(ev)
             + f'<p dir="auto">Score {ev["score"]:.2f}. Rules: {html.escape(", ".join(ev["rules"]))}.</p>')
    return subject(ev, kind), _page(ev["lang"], inner)


# -- digests ----------------------------------------------------------------------------
def _groups(items: list[tuple[str, dict]]) -> list[tuple[str, list[tuple[str, list]]]]:
    """[(place, [(type, [(kind, ev)…])…])…]: places with the strongest alerts first, unnamed last."""
    places: dict = {}
    for kind, ev in items:
        top = ev["signals"][0] if ev["signals"] else {}
        place = top.get("place_name") or top.get("place") or _NO_PLACE
        if top.get("governorate") and place != _NO_PLACE:
            place += f" ({top['governorate']})"
        typ = top.get("type", "alert").replace("_", " ")
        places.setdefault(place, {}).setdefault(typ, []).append((kind, ev))

    def weight(p):
        return (p[0] == _NO_PLACE, -max(ev["score"] for ts in p[1].values() for _, ev in ts))
    return [(p, sorted(ts.items())) for p, ts in sorted(places.items(), key=weight)]


def _entry_text(kind, ev) -> str:
    who = label(ev["signals"][0]) if ev["signals"] else ""
    return (("Update: " if kind == "update" else "") + f"{_title(ev)} — {who}; {_sources(ev)}; "
            f"score {ev['score']:.2f}")


def digest(items: list[tuple[str, dict]], style: str) -> tuple[str, str]:
    """One message for several alerts: (title, body) in the channel's style."""
    n = len(items)
    groups = _groups(items)
    head = f"Digest: {n} alert{'s' if n != 1 else ''} in {len(groups)} place{'s' if len(groups) != 1 else ''}"
    if style == "email":
        inner = [f"<h2>{html.escape(head)}</h2>"]
        for place, types in groups:
            inner.append(f'<h3 dir="auto">{html.escape(place)}</h3>')
            for typ, evs in types:
                inner.append(f"<h4>{html.escape(typ)}</h4><ul>")
                inner += [f'<li dir="auto">{html.escape(_entry_text(k, e))}<br>{_a(e["url"])}</li>' for k, e in evs]
                inner.append("</ul>")
        lang = "ar" if sum(e["lang"] == "ar" for _, e in items) * 2 >= n else "en"
        return f"[monitor] {head}", _page(lang, "\n".join(inner))
    if style == "telegram":
        return "", _telegram_digest(head, groups, n)
    lines = []
    for place, types in groups:
        lines.append(f"== {place}")
        for typ, evs in types:
            lines.append(f"  {typ}:")
            lines += [f"  - {_entry_text(k, e)}\n    {e['url']}" for k, e in evs]
    return head, "\n".join(lines)


def _telegram_digest(title: str, groups, n: int) -> str:
    """Entries in order until the limit; a place or type heading only goes with an entry."""
    lines, shown = [f"<b>{_esc(title)}</b>"], 0
    for place, types in groups:
        heads = [f"<b>{_esc(place)}</b>"]
        for typ, evs in types:
            heads.append(f"<i>{_esc(typ)}</i>")
            for kind, ev in evs:
                who = f" {_esc(label(ev['signals'][0]))}" if ev["signals"] else ""
                entry = (("Update: " if kind == "update" else "") + f'• <a href="{_href(ev["url"])}">'
                         f'{_esc(_cut(_title(ev), 140))}</a>{who} ({_esc(", ".join(a["source"] for a in ev["articles"]))})')
                if _units("\n".join(lines + heads + [entry])) > TELEGRAM_LIMIT - 80:
                    return "\n".join(lines + [f"… and {n - shown} more: see monitor alerts --status sent"])
                lines += heads + [entry]
                heads, shown = [], shown + 1
    return "\n".join(lines)


def _payload(row: dict) -> tuple[str, dict]:
    """A row's (kind, payload); a row stored before payloads existed gets a minimal one."""
    if row.get("payload"):
        return row.get("kind") or "alert", json.loads(row["payload"])
    links = [line[6:] for line in (row.get("body") or "").splitlines() if line.startswith("Link: ")]
    return "alert", {"title": row["title"], "url": links[0] if links else "", "lang": "ar", "signals": [],
                     "articles": [{"source": s, "url": ""} for s in (row.get("sources") or "").split(",") if s],
                     "score": row.get("score") or 0, "independent": 1, "rules": [], "keys": []}


# -- one message for a batch of outbox rows -------------------------------------------
def message(style: str, rows: list[dict]) -> tuple[str, str, str]:
    """(title, body, format) for one delivery: format is text, html or telegram."""
    if len(rows) == 1 and not rows[0].get("payload"):   # stored before payloads: send the stored text
        return rows[0]["title"], rows[0]["body"], "text"
    if len(rows) == 1:
        kind, ev = _payload(rows[0])
        if style == "telegram":
            return "", telegram(ev, kind), "telegram"
        if style == "email":
            return (*email(ev, kind), "html")
        return (*text(ev, kind), "text")
    title, body = digest([_payload(r) for r in rows], style)
    return title, body, {"telegram": "telegram", "email": "html"}.get(style, "text")
