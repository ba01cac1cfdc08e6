"""The GPU instance state machine: which status may follow which, and the event each one emits.

    pending -> provisioning -> running -> stopping -> stopped -> (start) pending
    running|provisioning (batch) -> preempted -> (requeue) pending
    any live state -> error;  any state but terminated -> terminated (delete)
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    PREEMPTED = "preempted"
    ERROR = "error"
    TERMINATED = "terminated"


S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.STOPPING, S.ERROR, S.TERMINATED}),
    S.PROVISIONING: frozenset({S.RUNNING, S.STOPPING, S.PREEMPTED, S.ERROR, S.TERMINATED}),
    S.RUNNING: frozenset({S.STOPPING, S.PREEMPTED, S.PROVISIONING, S.ERROR, S.TERMINATED}),
    S.STOPPING: frozenset({S.STOPPED, S.ERROR, S.TERMINATED}),
    S.STOPPED: frozenset({S.PENDING, S.TERMINATED}),
    S.PREEMPTED: frozenset({S.PENDING, S.TERMINATED}),
    S.ERROR: frozenset({S.PENDING, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}

# The event written when an instance enters each status. The documented webhook events are
# instance.created/started/stopped/terminated/error/preempted; the others feed subscriptions.
EVENT_FOR: dict[Status, str] = {
    S.PENDING: "instance.pending",
    S.PROVISIONING: "instance.provisioning",
    S.RUNNING: "instance.started",
    S.STOPPING: "instance.stopping",
    S.STOPPED: "instance.stopped",
    S.PREEMPTED: "instance.preempted",
    S.ERROR: "instance.error",
    S.TERMINATED: "instance.terminated",
}

# Statuses in which the instance holds (or is acquiring) cluster capacity.
WANTS_RUNNING = frozenset({S.PENDING, S.PROVISIONING, S.RUNNING})


def can_move(current: str, target: Status) -> bool:
    return target in TRANSITIONS[Status(current)]
