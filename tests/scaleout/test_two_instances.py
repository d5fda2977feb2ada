"""Scale-out: two Rasa instances, one PostgreSQL tracker store, one Redis lock store.

Starts, on loopback and with every file in one temporary folder: PostgreSQL (initdb),
Redis, the action server, two Rasa instances with deploy/scaleout/endpoints.yml.template
and nginx with deploy/scaleout/nginx.conf.template. Then:

- 20 concurrent self-checks by button payloads, each message alternately sent directly
  to instance A and instance B — every message answered, every answer the next question
  (so B read what A wrote and the other way round), every self-check ending with exactly
  one triage message, at the level veivis.triage.decide gives for the answers, and in
  PostgreSQL every user message exactly once, in order, with what the user was sent;
- the same through nginx round robin (and one conversation alone, which must alternate);
- the lock: while the conversation's lock is held, neither instance handles a message of
  it; queued messages are handled one at a time, in the order they arrived;
- retention (veivis.retention) on PostgreSQL;
- pairs of messages of one conversation sent at the same instant to A and B: both answered,
  both stored once, turns not interleaved (failed in 6 of 8 runs with Rasa 3.6's own
  RedisLockStore; veivis/lock_store.py issues tickets atomically);
- a hostile client rotating sender ids at full speed through nginx: limited at nginx
  (limit_req per client address), while two ordinary clients' self-checks all pass;
- Redis frozen (SIGSTOP): the emergency answered at once, another message soon, and the
  conversation stored complete and in order once Redis is back (a ticket request that
  reached Redis after the client gave up used to block the conversation for a minute).

The stack is tests/scaleout/harness.py's (the `stack` fixture of tests/scaleout/conftest.py).
Needs the Debian packages postgresql, redis-server and nginx: run scripts/scaleout-test.sh
(it installs them and sets VEIVIS_SCALEOUT=1; without it this module is skipped).
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("VEIVIS_SCALEOUT") != "1":
    pytest.skip(
        "scale-out test: run scripts/scaleout-test.sh (sets VEIVIS_SCALEOUT=1)",
        allow_module_level=True,
    )

import contextlib
import json
import random
import re
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from actions.selfcheck_answers import answers_from_slots
from bench.processes import descendants
from tests.conftest import post_json, texts, triage_of, wait_until
from tests.scaleout.harness import Stack, report, wait
from veivis.triage import decide

pytestmark = pytest.mark.scaleout

CONVERSATIONS = 20
REPLY_NO_ANSWER = "Beklager, jeg klarte ikke å svare ordentlig akkurat nå"  # veivis.channels.rest

# ---------------------------------------------------------------- the self-check plans

# (payload, slot value) per question, in the form's order (domain/selfcheck.yml).
STARTS = [("/start_selfcheck", "self"), ("/start_selfcheck_other", "other")]
SUBSTANCES = [
    ('/inform{"substance": "kokain"}', ["kokain"]),
    ('/inform{"substance": "opioider"}', ["opioider"]),
    ('/inform{"substance": "alkohol"}', ["alkohol"]),
    ('/inform{"substance": "annet"}', ["annet"]),
    ("/dont_know", ["unknown"]),
]
FREQUENCIES = [
    *[(f'/inform{{"frequency": "{v}"}}', v) for v in ("daily", "weekly", "monthly", "rarely")],
    ("/skip", "unknown"),
]
DURATIONS = [
    *[(f'/inform{{"duration": "{v}"}}', v) for v in ("days", "weeks", "months", "years")],
    ("/dont_know", "unknown"),
]
# The symptom buttons carry the timing too (none with «Ingen plager»; «stopped» here, as a
# user's answer to the timing question would); skipping the symptoms skips their timing.
SYMPTOMS = [
    ('/inform{"symptom": "none", "timing": "none"}', (["none"], "none")),
    (
        '/inform{"symptom": "common_withdrawal", "timing": "stopped"}',
        (["common_withdrawal"], "stopped"),
    ),
    (
        '/inform{"symptom": "serious_withdrawal", "timing": "stopped"}',
        (["serious_withdrawal"], "stopped"),
    ),
    ("/skip", (["unknown"], "unknown")),
]
ALCOHOL = [("/affirm", "yes"), ("/deny", "no"), ("/dont_know", "unknown")]

# A button of the question that must follow each message (None: the outcome).
NEXT_QUESTION = [
    '/inform{"substance": "kokain"}',
    '/inform{"frequency": "daily"}',
    '/inform{"duration": "days"}',
    '/inform{"symptom": "none", "timing": "none"}',
    "/affirm",
    None,
]


@dataclass
class Plan:
    sender: str
    messages: List[str]
    expected_level: str


def make_plan(choice: Tuple[int, ...], sender: str) -> Plan:
    options = (STARTS, SUBSTANCES, FREQUENCIES, DURATIONS, SYMPTOMS, ALCOHOL)
    picked = [opts[i] for opts, i in zip(options, choice)]
    slots = dict(
        zip(
            ("subject", "substances", "frequency", "duration", "symptoms", "alcohol_with_cocaine"),
            (value for _, value in picked),
        )
    )
    slots["symptoms"], slots["timing"] = slots["symptoms"]  # the symptom button's two answers
    level = decide(answers_from_slots(slots)).level  # what the action server must answer
    return Plan(sender, [payload for payload, _ in picked], level)


def make_plans(n: int, tag: str, seed: int) -> List[Plan]:
    rng = random.Random(seed)
    fixed = [(0, 2, 3, 0, 0, 1), (1, 1, 0, 3, 2, 2), (0, 0, 1, 2, 1, 0)]  # self_help, urgent, gp
    sizes = (len(STARTS), len(SUBSTANCES), len(FREQUENCIES), len(DURATIONS), len(SYMPTOMS))
    choices = fixed + [
        tuple(rng.randrange(s) for s in (*sizes, len(ALCOHOL))) for _ in range(n - len(fixed))
    ]
    choices = choices[:n]
    return [
        make_plan(c, f"scaleout-{tag}-{i:02d}-{uuid.uuid4().hex[:8]}")
        for i, c in enumerate(choices)
    ]


def payloads(replies: List[Dict[str, Any]]) -> List[str]:
    return [b.get("payload") for r in replies for b in r.get("buttons") or []]


@dataclass
class Turn:
    message: str
    url: str
    status: int
    replies: Any
    seconds: float


def run_self_check(
    plan: Plan, route: Callable[[int], str], source: Optional[str] = None
) -> List[Turn]:
    """The plan's messages one after the other, from the loopback address `source` (by
    default one of the conversation's own, tests/conftest.py: client_source)."""
    turns = []
    for k, message in enumerate(plan.messages):
        url = route(k)
        started = time.monotonic()
        try:
            status, replies = post_json(url, {"sender": plan.sender, "message": message}, source)
        except OSError as e:  # connection refused, timeout: recorded as a lost message
            status, replies = -1, repr(e)
        turns.append(Turn(message, url, status, replies, time.monotonic() - started))
    return turns


def problems_in_replies(plan: Plan, turns: List[Turn]) -> List[str]:
    found = []
    for k, turn in enumerate(turns):
        where = f"{plan.sender} message {k + 1} ({turn.message!r} to {turn.url})"
        if turn.status != 200 or not isinstance(turn.replies, list) or not turn.replies:
            found.append(f"{where}: no reply (HTTP {turn.status}: {turn.replies!r:.200})")
            continue
        if REPLY_NO_ANSWER in texts(turn.replies):
            found.append(f"{where}: Rasa failed on it (the channel's «no answer» reply)")
            continue
        expected_button = NEXT_QUESTION[k]
        triage = [t.get("triage") for t in triage_of(turn.replies)]
        if expected_button is not None:
            if expected_button not in payloads(turn.replies):
                found.append(f"{where}: expected the next question ({expected_button}), got "
                             f"{texts(turn.replies)[:120]!r} {payloads(turn.replies)}")  # fmt: skip
            if triage:
                found.append(f"{where}: triage {triage} before the end")
        elif triage != [plan.expected_level]:
            found.append(f"{where}: triage {triage}, expected [{plan.expected_level!r}]")
    return found


# ---------------------------------------------------------------- PostgreSQL checks


def stored_turns(pg: Dict[str, Any], sender: str) -> List[Dict[str, Any]]:
    """The conversation's events from PostgreSQL, split into turns (user → action_listen)."""
    import psycopg2

    with psycopg2.connect(**pg) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT type_name, action_name, data FROM events WHERE sender_id = %s ORDER BY id",
            (sender,),
        )
        rows = cur.fetchall()
    conn.close()
    turns: List[Dict[str, Any]] = []
    previous: Optional[Tuple[str, Optional[str]]] = None
    for type_name, action_name, data in rows:
        event = json.loads(data)
        if type_name == "user":
            turns.append(
                {
                    "text": event.get("text"),
                    "bot_texts": [],
                    "triage": [],
                    "after_listen": previous == ("action", "action_listen"),
                    "closed": False,
                }
            )
        elif turns and not turns[-1]["closed"]:
            if type_name == "bot":
                if event.get("text"):
                    turns[-1]["bot_texts"].append(event["text"])
                custom = (event.get("data") or {}).get("custom")
                if isinstance(custom, dict) and "triage" in custom:
                    turns[-1]["triage"].append(custom["triage"])
            elif type_name == "action" and action_name == "action_listen":
                turns[-1]["closed"] = True
        if type_name != "user_featurization":
            previous = (type_name, action_name)
    return turns


def problems_in_store(pg: Dict[str, Any], plan: Plan, turns: List[Turn]) -> List[str]:
    stored = stored_turns(pg, plan.sender)
    texts_stored = [t["text"] for t in stored]
    if texts_stored != plan.messages:
        return [f"{plan.sender}: user messages in PostgreSQL {texts_stored}, sent {plan.messages}"]
    found = []
    for k, (kept, sent) in enumerate(zip(stored, turns)):
        where = f"{plan.sender} turn {k + 1}"
        if not kept["after_listen"] or not kept["closed"]:
            found.append(f"{where}: turns interleaved in PostgreSQL (not user → … → listen)")
        # Rasa sends a text's paragraphs as separate messages: compare them joined.
        received = "\n\n".join(r["text"] for r in sent.replies if r.get("text"))
        if "\n\n".join(t.strip() for t in kept["bot_texts"]) != received:
            found.append(f"{where}: the bot texts stored are not the ones the user was sent")
        expected = [plan.expected_level] if k == len(plan.messages) - 1 else []
        if kept["triage"] != expected:
            found.append(f"{where}: stored triage {kept['triage']}, expected {expected}")
    return found


# ---------------------------------------------------------------- the tests


def run_concurrently(plans: List[Plan], route_for: Callable[[int], Callable[[int], str]]):
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        futures = [pool.submit(run_self_check, plan, route_for(i)) for i, plan in enumerate(plans)]
        results = [f.result() for f in futures]
    return results, time.monotonic() - started


def check(stack: Stack, plans: List[Plan], results: List[List[Turn]], seconds: float, how: str):
    problems = []
    for plan, turns in zip(plans, results):
        problems += problems_in_replies(plan, turns)
        problems += problems_in_store(stack.pg, plan, turns)
    messages = sum(len(p.messages) for p in plans)
    answered = sum(1 for turns in results for t in turns if t.status == 200 and t.replies)
    slowest = max(t.seconds for turns in results for t in turns)
    levels = sorted({p.expected_level for p in plans})
    report(f"{how}: {len(plans)} concurrent conversations, {messages} messages, "
            f"{answered} answered, {messages - answered} lost, {len(problems)} problems; "
            f"{seconds:.1f} s, slowest reply {slowest:.1f} s; levels {levels}")  # fmt: skip
    assert not problems, "\n".join(problems)
    assert answered == messages
    assert {"self_help", "gp", "urgent"} <= set(levels)


def test_concurrent_self_checks_alternating_between_the_two_instances(stack):
    plans = make_plans(CONVERSATIONS, "ab", seed=1)
    urls = (stack.rasa_a, stack.rasa_b)

    def route_for(i: int) -> Callable[[int], str]:
        return lambda k: urls[(i + k) % 2]  # half the conversations start on A, half on B

    results, seconds = run_concurrently(plans, route_for)
    for turns in results:  # really alternated
        assert all(a.url != b.url for a, b in zip(turns, turns[1:]))
    check(stack, plans, results, seconds, "A/B alternating")


def _upstreams_logged_since(access_log: Path, line_count: int, expected: int) -> List[str]:
    """The upstream of each webhook POST nginx logged after line `line_count`. nginx writes
    a line after it has sent the response: wait until all `expected` lines are there."""

    def upstreams() -> List[str]:
        lines = access_log.read_text().splitlines()[line_count:]
        return [
            re.search(r"upstream=(\S+)", line).group(1)
            for line in lines
            if '"POST /webhooks/rest/webhook"' in line
        ]

    with contextlib.suppress(TimeoutError):  # the assertions show what was logged
        wait("nginx's access log", lambda: len(upstreams()) >= expected, None, 10)
    return upstreams()


def test_concurrent_self_checks_through_nginx_round_robin(stack):
    def logged() -> int:
        return len(stack.access_log.read_text().splitlines())

    # One conversation alone: round robin sends its messages alternately to A and B.
    before = logged()
    plan = make_plans(1, "nginx-alone", seed=2)[0]
    turns = run_self_check(plan, lambda k: stack.nginx)
    upstreams = _upstreams_logged_since(stack.access_log, before, len(plan.messages))
    assert not problems_in_replies(plan, turns) + problems_in_store(stack.pg, plan, turns)
    assert len(upstreams) == len(plan.messages) and len(set(upstreams)) == 2
    assert all(a != b for a, b in zip(upstreams, upstreams[1:])), upstreams

    before = logged()
    plans = make_plans(CONVERSATIONS, "nginx", seed=3)
    results, seconds = run_concurrently(plans, lambda i: lambda k: stack.nginx)
    messages = sum(len(p.messages) for p in plans)
    upstreams = _upstreams_logged_since(stack.access_log, before, messages)
    split = {u: upstreams.count(u) for u in sorted(set(upstreams))}
    report(f"nginx round robin: requests per instance {split}")
    check(stack, plans, results, seconds, "through nginx")
    assert len(upstreams) == messages
    assert len(split) == 2 and min(split.values()) >= 0.4 * messages, split


def test_one_instance_at_a_time_per_conversation(stack):
    """While the conversation's lock is held (here by the test, as a third instance would),
    neither instance handles its messages; then B's and A's are handled in arrival order,
    each on the state the one before wrote."""
    import redis

    from veivis.lock_store import KEY_PREFIX, AtomicRedisLockStore

    hold_s = 3.0
    client = redis.Redis(**stack.redis)
    store = AtomicRedisLockStore(redis_client=client)  # as in endpoints.yml.template
    sender = f"scaleout-lock-{uuid.uuid4().hex[:8]}"
    messages = [
        "/start_selfcheck",
        '/inform{"substance": "kokain"}',
        '/inform{"frequency": "weekly"}',
    ]

    def tickets() -> int:
        return client.zcard(KEY_PREFIX + sender)

    def post(url: str, message: str) -> Tuple[float, Any]:
        status, replies = post_json(url, {"sender": sender, "message": message})
        return time.time(), replies if status == 200 else status

    assert tickets() == 0
    _, first = post(stack.rasa_a, messages[0])
    assert tickets() == 0  # released after the turn
    issued_at = time.time()
    store.issue_ticket(sender, lock_lifetime=hold_s)
    with ThreadPoolExecutor(max_workers=2) as pool:
        on_b = pool.submit(post, stack.rasa_b, messages[1])
        wait("B's ticket in Redis", lambda: tickets() == 2, None, 30)
        on_a = pool.submit(post, stack.rasa_a, messages[2])
        wait("A's ticket in Redis", lambda: tickets() == 3, None, 30)
        assert not on_b.done() and not on_a.done()  # both wait for the lock
        (b_done, b_replies), (a_done, a_replies) = on_b.result(), on_a.result()
    report(f"lock: held {hold_s:.0f} s; B answered after {b_done - issued_at:.1f} s, "
            f"A after {a_done - issued_at:.1f} s")  # fmt: skip
    assert b_done >= issued_at + hold_s and a_done >= b_done
    assert '/inform{"frequency": "daily"}' in payloads(b_replies)  # B went on from A's state
    assert '/inform{"duration": "days"}' in payloads(a_replies)  # A went on from B's state
    assert tickets() == 0
    stored = stored_turns(stack.pg, sender)
    assert [t["text"] for t in stored] == messages
    assert all(t["after_listen"] and t["closed"] for t in stored)
    assert '/inform{"substance": "kokain"}' in payloads(first)


def test_simultaneous_messages_of_one_conversation_on_both_instances(stack):
    """Two messages of one conversation sent at the same instant, one to A, one to B (a
    double send, or the widget's retry): both answered, both stored once, not interleaved."""
    import threading

    conversations, rounds = 40, 6
    pairs = [("hei", "hva er nalokson"), ("hva er LAR", "takk"), ("hvem kan jeg ringe", "hei")]

    def conversation(i: int) -> List[str]:
        sender, sent, found = f"scaleout-pair-{i:02d}-{uuid.uuid4().hex[:8]}", [], []
        for r in range(rounds):
            messages = [f"{m} {r}" for m in pairs[r % len(pairs)]]
            barrier = threading.Barrier(2)

            def send(url: str, message: str, barrier=barrier) -> Tuple[int, Any]:
                barrier.wait()
                try:
                    return post_json(url, {"sender": sender, "message": message})
                except OSError as e:
                    return -1, repr(e)

            with ThreadPoolExecutor(max_workers=2) as pool:
                answers = list(pool.map(send, (stack.rasa_a, stack.rasa_b), messages))
            for message, (status, replies) in zip(messages, answers):
                if status != 200 or not replies or REPLY_NO_ANSWER in texts(replies):
                    found.append(f"{sender}: no answer to {message!r} ({status})")
            sent += messages
        turns = stored_turns(stack.pg, sender)
        stored = [t["text"] for t in turns]
        if not all(t["after_listen"] and t["closed"] for t in turns):
            found.append(f"{sender}: turns interleaved in PostgreSQL")
        found += [
            f"{sender}: {m!r} stored {stored.count(m)}x" for m in sent if stored.count(m) != 1
        ]
        return found

    with ThreadPoolExecutor(max_workers=10) as pool:
        problems = [p for found in pool.map(conversation, range(conversations)) for p in found]
    report(f"simultaneous pairs: {conversations} conversations x {rounds} pairs = "
            f"{conversations * rounds * 2} messages, {len(problems)} problems")  # fmt: skip
    assert not problems, "\n".join(problems)


def test_slett_samtalen_deletes_the_conversation_from_postgresql(stack):
    """«Slett samtalen» with PostgreSQL, through nginx: every row of that conversation
    goes, another conversation stays, and a second delete says there was nothing."""
    import urllib.error
    import urllib.request

    import psycopg2

    def rows(sender: str) -> int:
        with psycopg2.connect(**stack.pg) as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM events WHERE sender_id = %s", (sender,))
            n = cur.fetchone()[0]
        conn.close()
        return n

    gone, kept = (f"scaleout-delete-{k}-{uuid.uuid4().hex[:8]}" for k in ("gone", "kept"))
    for sender in (gone, kept):
        for message in ("hei", "hva er nalokson"):
            timed_send(stack.nginx, sender, message)
        wait_until_stored(stack, sender, ["hei", "hva er nalokson"])
    url = stack.nginx.rsplit("/webhook", 1)[0] + f"/conversation/{gone}"

    def delete() -> Tuple[int, Any]:
        request = urllib.request.Request(url, method="DELETE")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    assert delete() == (200, {"deleted": True})
    assert rows(gone) == 0 and rows(kept) > 0
    status, body = delete()
    assert status == 404 and body["deleted"] is False


def test_retention_deletes_old_conversations_from_postgresql(stack):
    """The «deleted after 30 days» promise with PostgreSQL: veivis.retention, as the README
    runs it (make run only runs it on SQLite). Last: it deletes every conversation."""
    import psycopg2
    from sqlalchemy.engine import URL

    from veivis.retention import delete_old_conversations

    url = URL.create(
        "postgresql",
        username=stack.pg["user"],
        password=stack.pg["password"],
        host=stack.pg["host"],
        port=stack.pg["port"],
        database=stack.pg["dbname"],
    )

    def conversations() -> int:
        with psycopg2.connect(**stack.pg) as conn, conn.cursor() as cur:
            cur.execute("SELECT COUNT(DISTINCT sender_id) FROM events")
            n = cur.fetchone()[0]
        conn.close()
        return n

    stored = conversations()
    assert stored > 0
    assert delete_old_conversations(url, 30) == 0  # nothing is 30 days old yet
    assert delete_old_conversations(url, 30, now=time.time() + 31 * 86400) == stored
    assert conversations() == 0


def timed_send(url: str, sender: str, message: str) -> Tuple[float, Any]:
    """(seconds, replies) of one message; it must be answered with 200."""
    started = time.monotonic()
    status, replies = post_json(url, {"sender": sender, "message": message})
    assert status == 200, replies
    return time.monotonic() - started, replies


def wait_until_stored(
    stack: Stack, sender: str, sent: List[str], timeout: float = 30
) -> List[Dict[str, Any]]:
    """The conversation's stored turns once they are `sent`, in order and not interleaved
    (late turns are stored when a frozen dependency answers again)."""
    wait_until(
        f"PostgreSQL holds {sent}",
        lambda: [t["text"] for t in stored_turns(stack.pg, sender)] == sent,
        timeout,
        every=0.1,
    )
    turns = stored_turns(stack.pg, sender)
    assert all(t["after_listen"] and t["closed"] for t in turns), "turns interleaved"
    return turns


def test_a_frozen_redis_never_makes_an_emergency_wait(stack):
    """Redis frozen (SIGSTOP: it accepts connections and never answers): the emergency is
    answered at once on either instance, another message clearly and soon, and once Redis
    is back the conversation is stored complete and in order."""
    redis_server = next(p for p in stack.processes if p.name == "redis").popen
    sender = f"scaleout-frozen-redis-{uuid.uuid4().hex[:8]}"

    timed_send(stack.rasa_a, sender, "hei")
    redis_server.send_signal(signal.SIGSTOP)
    try:
        took, replies = timed_send(stack.rasa_b, sender, "han puster ikke")
        assert "113" in replies[0]["text"] and triage_of(replies)[0]["triage"] == "emergency"
        assert took < 1.0, f"emergency answered after {took:.1f} s"
        took, replies = timed_send(stack.rasa_a, sender, "hva er nalokson")
        assert "Kilde:" in texts(replies) and took < 10.0, (took, replies)
    finally:
        redis_server.send_signal(signal.SIGCONT)
    _, replies = timed_send(stack.rasa_b, sender, "takk")
    assert texts(replies)
    turns = wait_until_stored(stack, sender, ["hei", "han puster ikke", "hva er nalokson", "takk"])
    assert [t["triage"] for t in turns][1] == ["emergency"]


def test_a_frozen_postgresql_never_makes_an_emergency_wait(stack):
    """PostgreSQL frozen (every process SIGSTOP'd): the emergency is answered at once,
    another message gets the clear «try again» after the turn deadline, and once the
    database answers again every message is stored, complete and in order."""
    postgres = next(p for p in stack.processes if p.name == "postgres").popen
    sender = f"scaleout-frozen-pg-{uuid.uuid4().hex[:8]}"

    timed_send(stack.rasa_a, sender, "hei")
    frozen = descendants(postgres.pid)
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        took, replies = timed_send(stack.rasa_b, sender, "han puster ikke")
        assert "113" in replies[0]["text"] and triage_of(replies)[0]["triage"] == "emergency"
        assert took < 1.0, f"emergency answered after {took:.1f} s"
        took, replies = timed_send(stack.rasa_a, sender, "hva er nalokson")
        assert took < 10.0 and "Prøv igjen" in texts(replies) and "113" in texts(replies)
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    _, replies = timed_send(stack.rasa_b, sender, "takk")
    assert texts(replies)
    wait_until_stored(stack, sender, ["hei", "han puster ikke", "hva er nalokson", "takk"], 60)


def test_a_hostile_client_is_limited_at_nginx_while_two_ordinary_ones_pass(stack):
    """nginx limits per client address (deploy/scaleout/nginx.conf.template). Every client
    here is on loopback, so each sends from its own loopback source address (Linux routes
    all of 127.0.0.0/8 to lo): nginx sees three real, different peers — nothing in a header
    has to be believed, so this is how distinct clients look to nginx in production too."""
    hostile, ordinary = "127.0.0.40", ("127.0.0.41", "127.0.0.42")
    plans = make_plans(2, "nginx-ordinary", seed=4)
    body = json.dumps({"sender": "?", "message": "hei"})
    statuses: List[Tuple[int, Optional[str]]] = []
    done = threading.Event()

    def flood() -> None:
        """One of the hostile client's 8 keep-alive connections: a new sender each time."""
        import http.client
        import urllib.parse

        url = urllib.parse.urlsplit(stack.nginx)
        connection = http.client.HTTPConnection(
            url.hostname, url.port, timeout=60, source_address=(hostile, 0)
        )
        try:
            while not done.is_set():
                sent = body.replace("?", f"hostile-{uuid.uuid4().hex}").encode()
                try:
                    connection.request("POST", url.path, sent, {"Content-Type": "application/json"})
                    response = connection.getresponse()
                    status, reply = response.status, json.loads(response.read() or b"null")
                except OSError:
                    status, reply = -1, None
                    connection.close()  # reconnects on the next request
                limit = reply.get("limit") if isinstance(reply, dict) else None
                statuses.append((status, limit))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8 + len(plans)) as pool:
        floods = [pool.submit(flood) for _ in range(8)]
        wait("the hostile client's flood", lambda: len(statuses) >= 200, None, 30)
        users = [
            pool.submit(run_self_check, plan, lambda k: stack.nginx, source)
            for plan, source in zip(plans, ordinary)
        ]
        results = [u.result() for u in users]
        done.set()
        for f in floods:
            f.result()
    by_nginx = sum(1 for status, limit in statuses if status == 429 and limit == "proxy")
    by_veivis = sum(1 for status, limit in statuses if status == 429 and limit != "proxy")
    report(f"hostile client through nginx: {len(statuses)} requests, {by_nginx} refused by "
            f"nginx, {by_veivis} by Veivis' own limits, "
            f"{sum(1 for s, _ in statuses if s == 200)} answered; 2 ordinary clients "
            f"{sum(len(t) for t in results)} messages")  # fmt: skip
    problems = []
    for plan, turns in zip(plans, results):
        problems += problems_in_replies(plan, turns) + problems_in_store(stack.pg, plan, turns)
    assert not problems, "\n".join(problems)
    assert {s for s, _ in statuses} <= {200, 429}
    assert by_nginx > 0.5 * len(statuses)
    assert by_nginx + by_veivis > 0.9 * len(statuses)
