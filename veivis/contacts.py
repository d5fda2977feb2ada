"""Help contacts from data/contacts.yml, the only place numbers are written down.

Responses refer to a contact as [[id.field]] (e.g. [[legevakt.phone]]); triage
messages carry contacts by id. Both are filled from here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List

import yaml

CONTACTS_FILE = Path(__file__).resolve().parents[1] / "data" / "contacts.yml"
PLACEHOLDER = re.compile(r"\[\[([a-z_]+)\.([a-z_]+)\]\]")


@lru_cache(maxsize=1)
def load_contacts(path: Path = CONTACTS_FILE) -> Dict[str, Dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["contacts"]


def fill_placeholders(text: str) -> str:
    """Replace every [[id.field]]; an unknown id or field is a bug, so it raises."""
    contacts = load_contacts()

    def value(match: re.Match[str]) -> str:
        contact_id, field = match.groups()
        if contact_id not in contacts or field not in contacts[contact_id]:
            raise KeyError(f"unknown contact placeholder {match.group(0)}")
        return str(contacts[contact_id][field])

    return PLACEHOLDER.sub(value, text)


def contact_cards(ids: Iterable[str]) -> List[Dict[str, str]]:
    """The widget's view of a contact: what the reply contract promises."""
    contacts = load_contacts()
    return [
        {"name": contacts[i]["name"], "phone": contacts[i]["phone"], "url": contacts[i]["url"]}
        for i in ids
    ]


def triage_message(level: str, contact_ids: Iterable[str]) -> Dict[str, Any]:
    """The custom message every triage outcome sends: {"triage", "contacts"}."""
    return {"triage": level, "contacts": contact_cards(contact_ids)}
