"""«Er RUSinfo åpen nå?»: open, closed in the evening, at the weekend, on public holidays.

The hours are RUSinfo's from resources/contacts.yml (weekdays 11–18, Europe/Oslo, closed on
Norwegian public holidays). Times are given in UTC to show the zone is applied (CET is
UTC+1 in winter, CEST UTC+2 in summer).
"""

from datetime import datetime, timezone

import pytest

from veivis.contacts import fill_placeholders, load_contacts
from veivis.contacts.hours import Hours, describe, is_public_holiday, status


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


RUSINFO = Hours.from_data(load_contacts()["rusinfo"]["opening_hours"])

OPEN = "RUSinfo er åpen nå, til kl. 18."
OPENS = "RUSinfo er stengt nå og åpner "  # + when, then « kl. 11.»

# (case, now in UTC, expected sentence)
TABLE = [
    ("weekday noon (winter)", utc(2026, 12, 2, 11, 0), OPEN),
    ("first minute", utc(2026, 12, 2, 10, 0), OPEN),
    (
        "morning before it opens",
        utc(2026, 12, 2, 9, 59),
        OPENS + "i dag",
    ),
    ("at closing time", utc(2026, 12, 2, 17, 0), OPENS + "i morgen"),
    ("late evening", utc(2026, 12, 2, 22, 30), OPENS + "i morgen"),
    (
        "after midnight Oslo, still the day before in UTC",
        utc(2026, 12, 2, 23, 30),
        OPENS + "i dag",
    ),
    ("Friday evening", utc(2026, 12, 4, 19, 0), OPENS + "mandag"),
    ("Saturday", utc(2026, 12, 5, 12, 0), OPENS + "mandag"),
    ("Sunday", utc(2026, 12, 6, 12, 0), OPENS + "i morgen"),
    (
        "Christmas Day (a Friday)",
        utc(2026, 12, 25, 12, 0),
        OPENS + "mandag",
    ),
    (
        "New Year's Eve evening, New Year's Day a Friday",
        utc(2026, 12, 31, 19, 0),
        OPENS + "mandag",
    ),
    (
        "Easter: Wednesday evening before Maundy Thursday",
        utc(2027, 3, 24, 19, 0),
        OPENS + "tirsdag",
    ),
    (
        "17 May on a Monday",
        utc(2027, 5, 17, 10, 0),
        OPENS + "i morgen",
    ),
    ("summer time: 11.30 in Oslo", utc(2027, 6, 2, 9, 30), OPEN),
    (
        "summer time: 18.30 in Oslo",
        utc(2027, 6, 2, 16, 30),
        OPENS + "i morgen",
    ),
]


@pytest.mark.parametrize("case, now, expected", TABLE, ids=[row[0] for row in TABLE])
def test_rusinfo_open_or_when_it_opens(case, now, expected):
    if expected != OPEN:
        expected += " kl. 11."
    assert describe("RUSinfo", status(RUSINFO, now), now) == expected


def test_the_calendar_is_the_norwegian_one():
    assert is_public_holiday(datetime(2027, 5, 17).date())  # Grunnlovsdag
    assert is_public_holiday(datetime(2027, 3, 29).date())  # 2. påskedag
    assert not is_public_holiday(datetime(2026, 12, 2).date())


def test_more_than_a_week_ahead_names_the_date():
    mondays = Hours.from_data(
        {"timezone": "Europe/Oslo", "days": ["mon"], "opens": "09:30", "closes": "12:00"}
    )
    now = utc(2027, 3, 29, 10, 0)  # 2. påskedag, a Monday: closed
    assert (
        describe("X", status(mondays, now), now)
        == "X er stengt nå og åpner mandag 5. april kl. 09.30."
    )


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        status(RUSINFO, datetime(2026, 12, 2, 12, 0))


def test_unknown_days_are_refused():
    with pytest.raises(ValueError):
        Hours.from_data(
            {"timezone": "Europe/Oslo", "days": ["man"], "opens": "11:00", "closes": "18:00"}
        )


def test_the_placeholder_is_filled_at_the_time_given():
    text = "[[rusinfo.open_now]] Ring [[rusinfo.phone]]."
    assert fill_placeholders(text, now=utc(2026, 12, 5, 12, 0)).startswith("RUSinfo er stengt nå")
    assert fill_placeholders(text, keep_live=True).startswith("[[rusinfo.open_now]]")
    with pytest.raises(KeyError):
        fill_placeholders("[[legevakt.open_now]]")  # no opening_hours: a bug, not a guess
