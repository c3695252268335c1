"""`monitor detect`'s contract (DESIGN.md §4): JSON Lines in, one JSON line out per line."""
import gc
import json
import re

from .detect import detect

_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')


def detect_line(line: str, rules) -> dict:
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": _salvage_id(line), "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(doc, dict):
        return {"id": None, "error": "each line must be a JSON object"}
    text, lang = doc.get("text"), doc.get("lang")
    if not isinstance(text, str):
        return {"id": doc.get("id"), "error": "missing or non-string \"text\""}
    if lang not in (None, "ar", "en"):
        return {"id": doc.get("id"), "error": f"unknown lang {lang!r}: use ar, en or leave it out"}
    return {"id": doc.get("id"), "signals": [s.as_dict() for s in detect(text, rules, lang)]}


def _salvage_id(line: str):
    """The id of a broken line, when it can still be read, so the error is traceable."""
    m = _ID.search(line)
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except json.JSONDecodeError:
        return None


def detect_lines(infile, outfile, rules) -> int:
    """Process every non-blank line; returns how many failed."""
    gc.freeze()     # the rules stay for the whole stream: collections need not walk them (workers.py)
    failed = 0
    for line in infile:
        if not line.strip():
            continue
        out = detect_line(line, rules)
        failed += "error" in out
        outfile.write(json.dumps(out, ensure_ascii=False) + "\n")
        outfile.flush()
    return failed
