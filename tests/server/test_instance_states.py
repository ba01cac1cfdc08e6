"""The instance state machine over REST: illegal transitions are 409s that change nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest

from icgpu.db.tables import Event
from tests.support.contracts import (
    Caller,
    act,
    assert_error,
    caller,
    count_rows,
    create,
    get,
    listed_ids,
    new_instance,
    wait_status,
)
from tests.support.server import Server


@pytest.fixture
def me(server: Server) -> Caller:
    return caller(server, "states-" + uuid.uuid4().hex[:8])


def events_of(server: Server, inst_id: str) -> int:
    return count_rows(server, Event, resource_id=inst_id)


def assert_refused(server: Server, api: httpx.Client, inst_id: str, verb: str) -> None:
    """``verb`` is a 409 ConflictException and leaves the status and the event log as they were."""
    before, events = get(api, inst_id), events_of(server, inst_id)
    r = act(api, inst_id, verb)
    err = assert_error(r, 409, "ConflictException", code="InvalidStateTransition")
    assert before["status"] in err["message"], err
    after = get(api, inst_id)
    assert after["status"] == before["status"] and after["updated_at"] == before["updated_at"]
    assert events_of(server, inst_id) == events


def test_start_and_requeue_of_a_running_instance_are_refused(server: Server, me: Caller) -> None:
    inst = new_instance(me.api, "runner", tier="dedicated")
    wait_status(me.api, inst["id"], "running")
    assert_refused(server, me.api, inst["id"], "start")
    assert_refused(server, me.api, inst["id"], "requeue")
    assert act(me.api, inst["id"], "delete").status_code == 200


def test_requeue_of_a_pending_or_stopped_instance_is_refused(server: Server, me: Caller) -> None:
    # A batch instance too: only a preempted one can be requeued.
    inst = new_instance(me.api, "batcher", tier="timesliced", workload_type="batch")
    assert_error(act(me.api, inst["id"], "requeue"), 409, "ConflictException", code="InvalidStateTransition")
    assert act(me.api, inst["id"], "stop").status_code == 200
    wait_status(me.api, inst["id"], "stopped")
    assert_refused(server, me.api, inst["id"], "requeue")


def test_stop_of_a_stopped_instance_is_refused_and_start_resumes_it(server: Server, me: Caller) -> None:
    inst = new_instance(me.api, "stopper", tier="mig")
    wait_status(me.api, inst["id"], "running")
    r = act(me.api, inst["id"], "stop")
    assert r.status_code == 200 and r.json()["status"] == "stopping", r.text
    wait_status(me.api, inst["id"], "stopped")
    assert_refused(server, me.api, inst["id"], "stop")
    r = act(me.api, inst["id"], "start")
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    # Pending (or already provisioning) is not stopped: a second start is refused.
    assert_error(act(me.api, inst["id"], "start"), 409, "ConflictException", code="InvalidStateTransition")
    wait_status(me.api, inst["id"], "running")
    assert act(me.api, inst["id"], "delete").status_code == 200


def test_a_terminated_instance_accepts_no_action(server: Server, me: Caller) -> None:
    inst = new_instance(me.api, "doomed", tier="mig")
    r = act(me.api, inst["id"], "delete")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "terminated" and r.json()["terminated_at"]
    for verb in ("delete", "stop", "start", "requeue"):
        assert_refused(server, me.api, inst["id"], verb)
    assert count_rows(server, Event, resource_id=inst["id"], type="instance.terminated") == 1
    # Still readable, but gone from the list.
    shown = get(me.api, inst["id"])
    assert shown["status"] == "terminated" and shown["terminated_at"] == r.json()["terminated_at"]
    assert shown["ssh_host"] is None and shown["ssh_port"] is None
    assert inst["id"] not in listed_ids(me.api)


def test_live_names_are_unique_and_terminated_names_reusable(server: Server, me: Caller) -> None:
    first = new_instance(me.api, "same-name", tier="mig")
    dup = create(me.api, "same-name", tier="dedicated")
    assert_error(dup, 409, "ConflictException", code="ResourceAlreadyExists")
    # A stopped instance is still live: its name stays taken.
    assert act(me.api, first["id"], "stop").status_code == 200
    wait_status(me.api, first["id"], "stopped")
    assert_error(create(me.api, "same-name"), 409, "ConflictException", code="ResourceAlreadyExists")
    assert listed_ids(me.api) == [first["id"]]
    assert act(me.api, first["id"], "delete").status_code == 200
    second = new_instance(me.api, "same-name", tier="mig")
    assert second["id"] != first["id"]
    assert listed_ids(me.api) == [second["id"]]
    assert get(me.api, first["id"])["status"] == "terminated"
    # Names are per account: another tenant may use the same one.
    other = caller(server, "states-" + uuid.uuid4().hex[:8])
    theirs = new_instance(other.api, "same-name", tier="mig")
    assert act(me.api, second["id"], "delete").status_code == 200
    assert act(other.api, theirs["id"], "delete").status_code == 200


def test_another_accounts_instance_is_not_found(server: Server, me: Caller) -> None:
    inst = new_instance(me.api, "private", tier="mig")
    other = caller(server, "states-" + uuid.uuid4().hex[:8])
    assert_error(other.api.get(f"/api/v1/instances/{inst['id']}"), 404, "ResourceNotFoundException")
    for verb in ("stop", "start", "requeue", "delete"):
        assert_error(act(other.api, inst["id"], verb), 404, "ResourceNotFoundException")
    assert_error(act(me.api, "inst-doesnotexist", "stop"), 404, "ResourceNotFoundException")
    assert get(me.api, inst["id"])["status"] != "terminated"
    assert act(me.api, inst["id"], "delete").status_code == 200
