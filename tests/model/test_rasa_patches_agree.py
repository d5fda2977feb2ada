"""The graph-runner and domain patches (veivis/rasa_patches.py) change speed, not answers:
the trained model parses, and a whole conversation runs, the same with and without them."""

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


def test_same_parses_and_replies_with_and_without_the_patches(monkeypatch):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from tests.conftest import _require_model

    # with Veivis' NLG, as the server runs (help numbers filled in, payloads intact)
    agent = Agent.load(
        str(_require_model()), generator=EndpointConfig(type="veivis.nlg.ContactsNLG")
    )
    monkeypatch.setattr(Domain, "is_empty", rasa_patches._original_is_empty or Domain.is_empty)
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_patches._original_run or DaskGraphRunner.run)
    assert DaskGraphRunner.run is not rasa_patches._run_graph  # Rasa's own, with dask
    before = conversation(agent, "patches-original")
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_patches._run_graph)
    rasa_patches.domain_emptiness_once()
    after = conversation(agent, "patches-patched")
    assert after == before
    assert any(r for r in before[1])  # the conversation had answers to compare
