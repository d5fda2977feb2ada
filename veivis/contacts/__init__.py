"""Help contacts from resources/contacts.yml, the only place numbers are written down, and the
triage message that carries them with its level's texts (resources/triage_levels.yml).

Responses refer to a contact as [[id.field]] (e.g. [[legevakt.phone]]); triage
messages carry contacts by id. Both are filled from here. One field is computed, not
written: [[id.open_now]] says whether a contact with `opening_hours` is open at the
moment of the answer (veivis/contacts/hours.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from veivis import payloads
from veivis.contacts import hours
from veivis.paths import CONTACTS_FILE, TRIAGE_LEVELS_FILE
from veivis.triage import LEVELS

LEVEL_FIELDS = (*payloads.LEVEL_TEXTS, "advice")
PLACEHOLDER = re.compile(r"\[\[([a-z_]+)\.([a-z_]+)\]\]")


@lru_cache(maxsize=1)
def load_contacts(path: Path = CONTACTS_FILE) -> Dict[str, Dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["contacts"]


@lru_cache(maxsize=1)
def load_levels(path: Path = TRIAGE_LEVELS_FILE) -> Dict[str, Dict[str, str]]:
    """Each level's heading, badge, lead and advice; a missing level or text stops the start."""
    with open(path, encoding="utf-8") as f:
        levels = yaml.safe_load(f)["levels"]
    if set(levels) != set(LEVELS):
        raise ValueError(f"{path.name}: levels {sorted(levels)}, expected {sorted(LEVELS)}")
    for level, texts in levels.items():
        missing = [k for k in LEVEL_FIELDS if not isinstance(texts.get(k), str) or not texts[k]]
        if missing:
            raise ValueError(f"{path.name}: {level} has no {', '.join(missing)}")
    return levels


def open_now(contact_id: str, now: Optional[datetime] = None) -> str:
    """«RUSinfo er åpen nå, til kl. 18.» or when it opens next."""
    contact = load_contacts()[contact_id]
    now = now or datetime.now(timezone.utc)
    state = hours.status(hours.Hours.from_data(contact["opening_hours"]), now)
    return hours.describe(contact["name"], state, now)


LIVE_FIELD = "open_now"  # filled when the answer is sent, not when responses are loaded


def fill_placeholders(text: str, now: Optional[datetime] = None, keep_live: bool = False) -> str:
    """Replace every [[id.field]]; an unknown id or field is a bug, so it raises.

    keep_live leaves [[id.open_now]] in place (checked, not filled) for the NLG to fill
    at the moment it sends the answer.
    """
    contacts = load_contacts()

    def value(match: re.Match[str]) -> str:
        contact_id, field = match.groups()
        if field == LIVE_FIELD and "opening_hours" in contacts.get(contact_id, {}):
            return match.group(0) if keep_live else open_now(contact_id, now)
        if contact_id not in contacts or field not in contacts[contact_id]:
            raise KeyError(f"unknown contact placeholder {match.group(0)}")
        return str(contacts[contact_id][field])

    return PLACEHOLDER.sub(value, text)


def contact_cards(ids: Iterable[str]) -> List[Dict[str, str]]:
    """The widget's view of a contact: what the reply contract promises."""
    contacts = load_contacts()
    return [{field: contacts[i][field] for field in payloads.CONTACT_FIELDS} for i in ids]


def triage_message(level: str, contact_ids: Iterable[str]) -> Dict[str, Any]:
    """The custom message every triage outcome sends: the level, its heading, badge and
    lead, and the contacts (veivis/payloads.py)."""
    texts = load_levels()[level]
    return {
        payloads.TRIAGE: level,
        **{key: texts[key] for key in payloads.LEVEL_TEXTS},
        payloads.CONTACTS: contact_cards(contact_ids),
    }
