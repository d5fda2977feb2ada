"""veivis.rasa_internals: the list of Rasa internals matches the installed Rasa, the guard
stops a start when it does not, and the server refuses to start without the patches."""

import ast
import asyncio
import threading
from pathlib import Path

import pytest
from rasa.shared.exceptions import RasaException

from veivis import rasa_internals, rasa_patches
from veivis.rasa_internals import FINGERPRINTS, INTERNALS, RASA_VERSION, Internal, drift

ROOT = Path(__file__).resolve().parents[2]


def test_every_relied_on_piece_of_rasa_is_as_recorded():
    installed = (RASA_VERSION, rasa_internals.installed_rasa())
    assert drift(INTERNALS, FINGERPRINTS, rasa_internals.fingerprint, installed) == []


def test_every_relied_on_name_has_one_fingerprint_and_none_is_left_over():
    assert sorted(FINGERPRINTS) == rasa_internals.relied_on()
    assert len({row.name for row in INTERNALS}) == len(INTERNALS)


@pytest.mark.parametrize("row", INTERNALS, ids=lambda row: row.name)
def test_every_row_names_a_test_that_exists(row):
    path, _, name = row.test.partition("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_the_fingerprints_are_of_rasas_source_not_of_the_patches(monkeypatch):
    from rasa.engine.runner.dask import DaskGraphRunner

    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
    rasa_patches.graph_plan_once()
    name = "rasa.engine.runner.dask.DaskGraphRunner.run"
    assert DaskGraphRunner.run is rasa_patches._run_graph
    assert rasa_internals.fingerprint(name) == FINGERPRINTS[name]


def test_the_source_of_a_property_has_its_getter_and_its_setter():
    source = rasa_internals.source_of("veivis.nlg.ContactsNLG.responses")
    assert source.count("def responses") == 2 and source.startswith("    @property")
    assert rasa_internals.source_of("veivis.nlg.ALSO_KEY").startswith("ALSO_KEY = ")
    assert rasa_internals.source_of("veivis.nlg.ContactsNLG.no_such_method") is None
    assert rasa_internals.source_of("rasa.no_such_module.f") is None


ROW = Internal("a row", "veivis.x.f", ("rasa.a.f", "rasa.b.g"), "why", "tests/x.py::test_x")
RECORDED = {"rasa.a.f": "1111", "rasa.b.g": "2222"}


@pytest.mark.parametrize(
    "now, version, problems",
    [
        (RECORDED, ("3.6.21", "3.6.21"), []),
        ({**RECORDED, "rasa.b.g": "3333"}, ("3.6.21", "3.6.21"),
         ["rasa.b.g changed: re-check a row (veivis.x.f)"]),
        ({"rasa.a.f": "1111"}, ("3.6.21", "3.6.21"),
         ["rasa.b.g is gone: re-check a row (veivis.x.f)"]),
        (RECORDED, ("3.6.21", "3.7.0"),
         ["Rasa 3.7.0 is installed; the list was checked against 3.6.21"]),
    ],
)  # fmt: skip
def test_drift_names_what_changed_and_what_to_re_check(now, version, problems):
    assert drift((ROW,), RECORDED, now.get, version) == problems


def test_a_row_without_a_recorded_fingerprint_is_drift():
    problems = drift((ROW,), {"rasa.a.f": "1111"}, RECORDED.get, ("1", "1"))
    assert problems == ["rasa.b.g has no recorded fingerprint: re-check a row (veivis.x.f)"]


def test_the_guard_stops_the_start_on_a_changed_fingerprint(monkeypatch):
    changed = "rasa.core.actions.action.RemoteAction.run"
    monkeypatch.setitem(FINGERPRINTS, changed, "0" * 16)
    with pytest.raises(SystemExit) as stopped:
        rasa_internals.guard()
    message = str(stopped.value.code)  # SystemExit(str): printed, exit code 1
    assert f"{changed} changed: re-check bounded action calls" in message
    assert "python -m veivis.rasa_internals --fingerprints" in message
    monkeypatch.setitem(FINGERPRINTS, changed, rasa_internals.fingerprint(changed))
    rasa_internals.guard()  # as recorded: no exit


@pytest.fixture
def patched(monkeypatch):
    """Veivis' patches applied, and Rasa's state restored after the test."""
    import rasa.telemetry
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.domain import Domain

    for owner, name in [
        (rasa.telemetry, "initialize_error_reporting"),
        (RemoteAction, "_validate_action_result"),
        (RemoteAction, "run"),
        (DaskGraphRunner, "run"),
        (Domain, "is_empty"),
    ]:
        monkeypatch.setattr(owner, name, getattr(owner, name))
    rasa_patches.apply_all()
    return monkeypatch


def test_the_channel_refuses_to_start_without_the_patches(patched):
    from rasa.engine.runner.dask import DaskGraphRunner

    from veivis.channels.rest import VeivisRestInput

    assert rasa_patches.not_applied() == []
    assert isinstance(VeivisRestInput.from_credentials({}), VeivisRestInput)
    patched.setattr(DaskGraphRunner, "run", rasa_patches._original_run)  # plain Rasa's
    assert rasa_patches.not_applied() == ["graph_plan_once"]
    with pytest.raises(RasaException, match=r"python -m veivis\.rasa_cli.*graph_plan_once"):
        VeivisRestInput.from_credentials({})


def test_the_widget_takes_rasas_root_route(monkeypatch):
    """As `rasa run` builds its app (no HTTP API): the channel's routes and the widget at /."""
    from rasa.core.run import configure_app
    from sanic import Sanic

    from veivis.channels import widget_routes
    from veivis.channels.rest import VeivisRestInput

    monkeypatch.setattr(Sanic, "test_mode", True)  # Sanic allows one app per name otherwise
    app = configure_app([VeivisRestInput()], enable_api=False)
    handlers = {route.path: route.handler for route in app.router.routes}
    assert handlers[""] is widget_routes._index  # was Rasa's «Hello from Rasa»
    assert handlers["embed.js"] is widget_routes._embed
    assert "webhooks/rest/webhook" in handlers


def test_no_lock_store_method_writes_a_whole_queue():
    """Every method of Rasa's LockStore that saves a whole ticket queue is overridden."""
    from veivis.lock_store import AtomicRedisLockStore

    tree = ast.parse(rasa_internals.source_of("rasa.core.lock_store.LockStore").strip())
    methods = [n for n in tree.body[0].body if isinstance(n, ast.FunctionDef)]
    writers = {m.name for m in methods if "save_lock" in ast.unparse(m) and m.name != "save_lock"}
    assert writers == {"issue_ticket", "update_lock", "finish_serving"}  # Rasa 3.6
    assert {name for name in writers if name not in vars(AtomicRedisLockStore)} == set()
    assert "lock" in vars(AtomicRedisLockStore)  # Rasa's lock() issues tickets on the loop


def test_rasas_sql_store_runs_in_a_worker_thread(tmp_path, monkeypatch):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from veivis.tracker_store import OffLoopSQLTrackerStore

    threads = []
    save = SQLTrackerStore.save

    async def recorded_save(self, tracker):
        threads.append(threading.current_thread())
        await save(self, tracker)

    monkeypatch.setattr(SQLTrackerStore, "save", recorded_save)
    domain = Domain.empty()
    store = OffLoopSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    events = [UserUttered("hei", {"name": "greet"}), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)

    async def round_trip():
        await store.save(tracker)
        return await store.retrieve("s")

    loaded = asyncio.run(round_trip())
    assert threads and threads[0] is not threading.main_thread()
    assert [e.as_dict() for e in loaded.events] == [e.as_dict() for e in tracker.events]
