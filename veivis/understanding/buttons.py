"""Button titles and what they mean: a typed title gets the click's answer.

Every button in domain/ is read once. A title that belongs to one payload only («Hva er
nalokson?» → /info_naloxone) is unambiguous; a title used for several payloads («Ja»:
/affirm in the self-check, /help after «Vil du lese mer?») is left to the intent
classifier, whose answer in those contexts is the same (tests/unit/test_buttons.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from veivis.language import fold
from veivis.paths import PATTERNS_DIR

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = ROOT / "domain"
_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")


@dataclass(frozen=True)
class Click:
    """What a payload says: the intent and the entities («/inform{"substance": "kokain"}»)."""

    intent: str
    entities: Tuple[Tuple[str, str], ...] = ()


def parse_payload(payload: str) -> Optional[Click]:
    match = _PAYLOAD.match(payload.strip())
    if not match:
        return None
    values = json.loads(match[2]) if match[2] else {}
    return Click(match[1], tuple((str(k), str(v)) for k, v in values.items()))


def domain_responses(directory: Path = DOMAIN_DIR) -> Dict[str, List[Dict[str, Any]]]:
    """Response name → its variations, as written in the domain files."""
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted(directory.rglob("*.yml")):
        responses.update(
            (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        )
    return responses


def domain_buttons(directory: Path = DOMAIN_DIR) -> List[Tuple[str, str, str]]:
    """(response name, title, payload) of every button in the domain files."""
    return [
        (name, str(button["title"]), str(button["payload"]))
        for name, variants in domain_responses(directory).items()
        for variant in variants
        for button in variant.get("buttons") or []
    ]


def title_key(text: str) -> str:
    """Titles compare folded, without punctuation: «nalokson nesespray» = «Nalokson nesespray»."""
    return fold(text)


@lru_cache(maxsize=1)
def unambiguous_titles() -> Dict[str, Click]:
    """Folded title → its click, for titles that mean one payload only."""
    payloads: Dict[str, set] = {}
    for _, title, payload in domain_buttons():
        payloads.setdefault(title_key(title), set()).add(payload)
    clicks = {}
    for key, options in payloads.items():
        if len(options) == 1:
            click = parse_payload(next(iter(options)))
            if click:
                clicks[key] = click
    return clicks


def click_for_text(text: str) -> Optional[Click]:
    """The click a typed message means, if it is exactly an unambiguous button title."""
    return unambiguous_titles().get(title_key(text))


TITLES_FILE = PATTERNS_DIR / "answer_titles.yml"


@lru_cache(maxsize=1)
def _titles() -> Dict[str, str]:
    """Intent → a button title: the domain's own button for it first, else answer_titles.yml."""
    titles: Dict[str, str] = dict(yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8")))
    for _, title, payload in reversed(domain_buttons()):  # the first one wins
        click = parse_payload(payload)
        if click and not click.entities:
            titles[click.intent] = title
    return titles


def title_for(intent: str) -> str:
    """The title of a button that asks for `intent`'s answer («Mente du …?»)."""
    return _titles()[intent]
