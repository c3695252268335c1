"""`monitor explain`: the detector's reasoning, laid out for a person."""
import sys
from pathlib import Path
from urllib.error import URLError
from urllib.parse import quote, urlsplit, urlunsplit
from urllib.request import Request, urlopen

from .detect import analyse
from .errors import UserError
from .extract import extract
from .process import document


def load_source(source: str) -> str:
    """The text to explain: stdin, a file, or the article extracted from a URL."""
    if source == "-":
        return sys.stdin.read()
    if source.startswith(("http://", "https://")):
        parts = urlsplit(source)
        # Arabic paths must be percent-encoded before urllib sends them (research/sites.md).
        url = urlunsplit(parts._replace(path=quote(parts.path, safe="/%")))
        try:
            html = urlopen(Request(url, headers={"User-Agent": "monitor explain"}), timeout=30).read()
        except (URLError, OSError, ValueError) as exc:
            raise UserError(f"cannot fetch {source}: {getattr(exc, 'reason', exc)}",
                            hint="check the URL, or save the page and pass the file") from None
        art = extract(html, url)
        if art is None:
            raise UserError(f"no article text found at {source}", hint="save the text and pass the file")
        return document(art["title"], art["text"])
    path = Path(source)
    if not path.is_file():
        raise UserError(f"no such file: {source}", hint="pass a text file, a URL, or - for stdin")
    return path.read_text(encoding="utf-8")


def explain_text(text: str, rules, lang=None) -> str:
    result = analyse(text, rules, lang)
    lines = [f"{len(result.signals)} signal(s)"]
    for s in result.signals:
        kind = f"{s.type} {s.modality}" + (f" ({s.change})" if s.change else "")
        lines.append(f"\n● {kind}  agent={s.agent or '-'}  target={s.target or '-'}  "
                     f"place={s.place or '-'}  score={s.score:.2f}")
        lines.append(f"  trigger: «{s.why['trigger']}»" + (f"   change: «{s.why['change']}»" if s.why.get("change") else ""))
        lines.append(f"  actors:  {', '.join('«%s»' % a for a in s.why['actors']) or '(none named)'}")
        lines.append(f"  modality set by: «{s.why['cue']}»" if s.why.get("cue") else "  modality: no cue (reported as happened)")
        lines.append(f"  evidence [{s.start}:{s.end}]: {s.evidence}")
    if result.near_misses:
        lines.append(f"\n{len(result.near_misses)} near miss(es)")
        for m in result.near_misses:
            lines.append(f"○ {m.type}: «{m.words}» — {m.reason}")
    return "\n".join(lines)
