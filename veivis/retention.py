"""Delete conversations whose last event is older than N days from the SQL tracker store.

    python -m veivis.retention [--days 30] [--db var/veivis.db | --url postgresql://…]
    python -m veivis.retention --sender <id>      one conversation, now

`make run` (veivis/serve.py) also runs it at start and every few hours, so what the bot
says about storage («slettes etter 30 dager») is what happens. VEIVIS_RETENTION_DAYS sets N.
Works on the table Rasa's SQLTrackerStore writes (`events`), SQLite or PostgreSQL.

A conversation that never got past its first message is deleted sooner, after
VEIVIS_RETENTION_ONE_MESSAGE_HOURS (24): it is most of what a client rotating sender ids
can make us store (issue 18), and there is nothing in it to come back to.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any, Callable, Optional

import sqlalchemy as sa

from veivis import settings

DEFAULT_DAYS = 30
DEFAULT_ONE_MESSAGE_HOURS = 24

# One conversation, every session of it: «Slett samtalen» (DELETE /webhooks/rest/conversation/…
# in veivis/channels/rest.py, through veivis.tracker_store.delete_conversation) and
# `python -m veivis.retention --sender …`. The random sender id is the only key.
DELETE_CONVERSATION = "DELETE FROM events WHERE sender_id = :sender"


def retention_days() -> int:
    return settings.count("VEIVIS_RETENTION_DAYS", DEFAULT_DAYS)


def one_message_hours() -> float:
    return settings.number("VEIVIS_RETENTION_ONE_MESSAGE_HOURS", DEFAULT_ONE_MESSAGE_HOURS)


# The conversations that stopped before a cutoff: their last event is older than it.
STOPPED = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"


def delete_old_conversations(db_url: str, days: int, now: Optional[float] = None) -> int:
    """Delete every conversation with no event in the last `days` days; return how many."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    return _in_events_table(db_url, lambda db: _delete_senders(db, STOPPED, cutoff))


def delete_conversation(db_url: str, sender: str) -> int:
    """Delete every stored event of one conversation; return how many rows went."""

    def delete(db: Any) -> int:
        return int(db.execute(sa.text(DELETE_CONVERSATION), {"sender": sender}).rowcount)

    return _in_events_table(db_url, delete)


def delete_one_message_conversations(db_url: str, hours: float, now: Optional[float] = None) -> int:
    """Delete every conversation with at most one user message and no event in the last
    `hours` hours; return how many. A conversation still going on is never touched."""
    cutoff = (now if now is not None else time.time()) - hours * 3600
    stale = STOPPED + " AND SUM(CASE WHEN type_name = 'user' THEN 1 ELSE 0 END) <= 1"
    return _in_events_table(db_url, lambda db: _delete_senders(db, stale, cutoff))


def _in_events_table(db_url: str, work: Callable[[Any], int]) -> int:
    """`work` in one transaction on the tracker store's database; 0 if it has no events yet."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as db:
            return work(db) if sa.inspect(db).has_table("events") else 0
    finally:
        engine.dispose()


def _delete_senders(db: Any, senders: str, cutoff: float) -> int:
    """Delete the conversations the query `senders` selects; return how many."""
    count = db.execute(sa.text(f"SELECT COUNT(*) FROM ({senders}) AS o"), {"cutoff": cutoff})
    n = int(count.scalar() or 0)
    if n:
        delete = f"DELETE FROM events WHERE sender_id IN ({senders})"
        db.execute(sa.text(delete), {"cutoff": cutoff})
    return n


def sqlite_url(path: str) -> str:
    return f"sqlite:///{os.path.abspath(path)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=retention_days())
    parser.add_argument("--db", default=os.environ.get("VEIVIS_TRACKER_DB", "var/veivis.db"))
    parser.add_argument("--url", help="SQLAlchemy URL of another tracker store (PostgreSQL)")
    parser.add_argument("--sender", help="delete this one conversation now, whatever its age")
    args = parser.parse_args()
    url = args.url or sqlite_url(args.db)
    if args.sender:
        # a running Rasa notices on the conversation's next message (veivis/tracker_store.py)
        n = delete_conversation(url, args.sender)
        print(f"Slettet {n} hendelser i samtalen." if n else "Fant ingen samtale med den ID-en.")
        return
    n = delete_old_conversations(url, args.days)
    where = args.url.split("@")[-1] if args.url else args.db  # no password in the output
    print(f"Slettet {n} samtaler eldre enn {args.days} dager fra {where}.")
    hours = one_message_hours()
    n = delete_one_message_conversations(url, hours)
    print(f"Slettet {n} samtaler med bare én melding, eldre enn {hours:g} timer, fra {where}.")


if __name__ == "__main__":
    main()
