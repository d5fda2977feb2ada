"""Is a help line open now, and when does it open next? A pure function of the hours and a time.

Opening hours are data (resources/contacts.yml, `opening_hours`): the days, the time of day in
the service's own time zone, and whether it closes on Norwegian public holidays (from the
maintained `holidays` calendar, not a list of dates written here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Mapping, Optional

import holidays
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")  # fmt: skip


@dataclass(frozen=True)
class Hours:
    days: frozenset  # of DAYS
    opens: time
    closes: time
    zone: ZoneInfo
    closed_on_public_holidays: bool

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Hours:
        unknown = set(data["days"]) - set(DAYS)
        if unknown:
            raise ValueError(f"unknown days in opening_hours: {sorted(unknown)}")
        return cls(
            days=frozenset(data["days"]),
            opens=time.fromisoformat(data["opens"]),
            closes=time.fromisoformat(data["closes"]),
            zone=ZoneInfo(data["timezone"]),
            closed_on_public_holidays=bool(data.get("closed_on_public_holidays", True)),
        )


@dataclass(frozen=True)
class Status:
    open: bool
    closes: Optional[datetime]  # when open: today's closing time
    next_opening: Optional[datetime]  # when closed: the next opening (local time)


@lru_cache(maxsize=8)
def _public_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NO", years=year)


def is_public_holiday(day: date) -> bool:
    return day in _public_holidays(day.year)


def _open_on(hours: Hours, day: date) -> bool:
    if DAYS[day.weekday()] not in hours.days:
        return False
    return not (hours.closed_on_public_holidays and is_public_holiday(day))


def status(hours: Hours, now: datetime) -> Status:
    """`now` must carry a time zone; it is compared in the service's own zone."""
    if now.tzinfo is None:
        raise ValueError("status() needs an aware datetime")
    local = now.astimezone(hours.zone)
    today = local.date()
    opens = datetime.combine(today, hours.opens, hours.zone)
    closes = datetime.combine(today, hours.closes, hours.zone)
    if _open_on(hours, today):
        if opens <= local < closes:
            return Status(open=True, closes=closes, next_opening=None)
        if local < opens:
            return Status(open=False, closes=None, next_opening=opens)
    for ahead in range(1, 15):  # the longest Norwegian run of closed days is far shorter
        day = today + timedelta(days=ahead)
        if _open_on(hours, day):
            return Status(False, None, datetime.combine(day, hours.opens, hours.zone))
    return Status(open=False, closes=None, next_opening=None)


def _clock(moment: datetime) -> str:
    return f"kl. {moment:%H}" if moment.minute == 0 else f"kl. {moment:%H.%M}"


def describe(name: str, state: Status, now: datetime) -> str:
    """One Norwegian sentence: «RUSinfo er åpen nå, til kl. 18.» / «… åpner i morgen kl. 11.»"""
    if state.open and state.closes is not None:
        return f"{name} er åpen nå, til {_clock(state.closes)}."
    if state.next_opening is None:
        return f"{name} er stengt nå."
    nxt = state.next_opening
    today = now.astimezone(nxt.tzinfo).date()
    days = (nxt.date() - today).days
    if days == 0:
        when = "i dag"
    elif days == 1:
        when = "i morgen"
    elif days < 7:
        when = DAY_NAMES[nxt.weekday()]
    else:
        when = f"{DAY_NAMES[nxt.weekday()]} {nxt.day}. {MONTHS[nxt.month - 1]}"
    return f"{name} er stengt nå og åpner {when} {_clock(nxt)}."
