"""The speed patches (veivis/rasa_patches.py) change speed, not answers: the trained model
parses, and a whole conversation runs, the same with and without them; the rule lookup
finds the same rules as Rasa's for every state of those conversations and every rule."""

import asyncio

from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain

from veivis import rasa_patches

MESSAGES = [
    "hei",
    "hva er nalokson",
    "/start_selfcheck",
    "kokain og alkohol",
    "hver helg",
    "noen måneder",
    "hjertet hamrer og jeg svetter",
    "hun puster ikke",
    "lagrer du det jeg skriver?",
    "xyzzy plugh",
]


def conversation(agent, sender: str):
    import numpy as np

    np.random.seed(0)  # Rasa picks one of a response's variations at random
    loop = asyncio.new_event_loop()
    parses, replies = [], []
    for text in MESSAGES:
        parse = loop.run_until_complete(agent.parse_message(text))
        parses.append({k: parse[k] for k in ("intent", "entities", "intent_ranking")})
        answer = loop.run_until_complete(agent.handle_text(text, sender_id=sender))
        replies.append([{k: v for k, v in r.items() if k != "recipient_id"} for r in answer])
    loop.close()
    return parses, replies


def speed_patched(monkeypatch):
    """The patches that change only speed, as in the server; Rasa's own back after the test."""
    from rasa.core.actions.forms import FormAction
    from rasa.core.policies.rule_policy import RulePolicy

    for owner, name in [
        (DaskGraphRunner, "run"),
        (Domain, "is_empty"),
        (RulePolicy, "_get_possible_keys"),
        (FormAction, "_create_unique_entity_mappings"),
        (Domain, "states_for_tracker_history"),
    ]:
        monkeypatch.setattr(owner, name, getattr(owner, name))
    rasa_patches.graph_plan_once()
    rasa_patches.domain_emptiness_once()
    rasa_patches.indexed_rule_lookup()
    rasa_patches.unique_entity_mappings_once()
    rasa_patches.incremental_tracker_states()


def rasa_originals():
    """(owner, name, Rasa's function) for each patch that changes only speed."""
    from rasa.core.actions.forms import FormAction
    from rasa.core.policies.rule_policy import RulePolicy

    return [
        (DaskGraphRunner, "run", rasa_patches._original_run),
        (Domain, "is_empty", rasa_patches._original_is_empty),
        (RulePolicy, "_get_possible_keys", rasa_patches._original_possible_keys),
        (FormAction, "_create_unique_entity_mappings", rasa_patches._original_unique_mappings),
        (Domain, "states_for_tracker_history", rasa_patches._original_states),
    ]


def test_same_parses_and_replies_with_and_without_the_patches(monkeypatch):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from tests.conftest import _require_model

    # with Veivis' NLG, as the server runs (help numbers filled in, payloads intact)
    agent = Agent.load(
        str(_require_model()), generator=EndpointConfig(type="veivis.nlg.ContactsNLG")
    )
    speed_patched(monkeypatch)
    applied = set(rasa_patches.not_applied())
    for owner, name, original in rasa_originals():
        monkeypatch.setattr(owner, name, original)
    assert DaskGraphRunner.run is not rasa_patches._run_graph  # Rasa's own, with dask
    assert len(set(rasa_patches.not_applied()) - applied) == len(rasa_originals())
    before = conversation(agent, "patches-original")
    speed_patched(monkeypatch)
    assert set(rasa_patches.not_applied()) == applied
    after = conversation(agent, "patches-patched")
    assert after == before
    assert any(r for r in before[1])  # the conversation had answers to compare


def play_every_conversation():
    """MESSAGES and the bench's conversations (the self-check by buttons and by text,
    emergencies inside it), each in a conversation of its own, with the trained model."""
    from rasa.core.agent import Agent

    from bench.conversations import VEIVIS
    from tests.conftest import _require_model

    agent = Agent.load(str(_require_model()))
    loop = asyncio.new_event_loop()
    try:
        for k, texts in enumerate([MESSAGES, *([t for t, _ in turns] for _, turns in VEIVIS)]):
            for text in texts:
                loop.run_until_complete(agent.handle_text(text, sender_id=f"agree-{k}"))
    finally:
        loop.close()


def test_tracker_states_agree_with_rasas(monkeypatch):
    speed_patched(monkeypatch)
    calls = []

    def both(self, tracker, *args, **kwargs):
        ours = rasa_patches._states_for_tracker_history(self, tracker, *args, **kwargs)
        assert ours == rasa_patches._original_states(self, tracker, *args, **kwargs)
        calls.append(len(ours))
        return ours

    monkeypatch.setattr(Domain, "states_for_tracker_history", both)
    play_every_conversation()
    assert len(calls) > 100 and max(calls) > 10  # long enough conversations


def test_rule_lookup_agrees_with_rasas(monkeypatch):
    """Every rule lookup of play_every_conversation gives Rasa's set of rules; so does
    each rule's own states, and each with the conversation's start in front."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy

    speed_patched(monkeypatch)
    rasa_lookup = rasa_patches._original_possible_keys
    seen = {"lookups": 0, "policy": None, "found": 0}

    def both(self, lookup, states):
        ours, rasas = (
            rasa_patches._possible_keys(self, lookup, states),
            rasa_lookup(self, lookup, states),
        )
        assert ours == rasas, (RulePolicy.format_tracker_states(states), ours ^ rasas)
        seen["lookups"] += 1
        seen["found"] += bool(rasas)
        seen["policy"] = self
        return ours

    monkeypatch.setattr(RulePolicy, "_get_possible_keys", both)
    play_every_conversation()
    assert seen["lookups"] > 100 and seen["found"] > 50
    policy = seen["policy"]
    start = [{}, {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]
    checked = 0
    for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        lookup = policy.lookup[name]
        for key in lookup:
            states = [dict(s) for s in policy._rule_key_to_state(key)]
            for variant in (states, start + states, states[1:], states[-1:]):
                both(policy, lookup, variant)
                checked += 1
    assert checked > 4 * 200  # every rule, in four shapes
