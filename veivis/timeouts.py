"""How long Veivis waits for anything, in one place; each can be set in the environment.

Rasa's own defaults wait up to 5 minutes for the action server and 10 s per Redis call,
and a turn holds its conversation's lock all that time: a frozen dependency left the
user waiting and made the next message — «han puster ikke» too — queue behind it.
Here every wait is short and bounded, and the channel answers danger at once.

    VEIVIS_DANGER_DEADLINE_S   0.5  a danger message gets the answer Rasa gives within
                                    this, else the same answer from the channel at once
    VEIVIS_TURN_DEADLINE_S     8    any other message: a clear «try again» after this
    VEIVIS_ACTION_TIMEOUT_S    3    one call to the action server
    VEIVIS_DB_TIMEOUT_S        2    SQLite waits this long for a lock held by another
    VEIVIS_LOCK_STORE_TIMEOUT_S 1   one call to the Redis lock store

A turn makes at most two action calls (validation, then the outcome), so a turn with a
frozen action server ends on its own before the turn deadline and frees its lock.
"""

from __future__ import annotations

from veivis import settings

DANGER_DEADLINE_S = settings.number("VEIVIS_DANGER_DEADLINE_S", 0.5)
TURN_DEADLINE_S = settings.number("VEIVIS_TURN_DEADLINE_S", 8.0)
ACTION_TIMEOUT_S = settings.number("VEIVIS_ACTION_TIMEOUT_S", 3.0)
DB_TIMEOUT_S = settings.number("VEIVIS_DB_TIMEOUT_S", 2.0)
LOCK_STORE_TIMEOUT_S = settings.number("VEIVIS_LOCK_STORE_TIMEOUT_S", 1.0)
