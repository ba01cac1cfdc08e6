"""The VM state machine: which status may follow which, and the event each one emits.

    pending -> provisioning -> running -> stopping -> stopped -> (start) pending
    running -> (reboot) rebooting -> running
    any live state -> error -> (start) pending;  any state but terminated -> terminated (delete)

A GPU VM takes a slot of its tier on the provisioner (interactive priority: it may preempt batch
instances, and is itself never preempted; an eviction is an error). A CPU-only VM needs no slot:
the reconciler moves it pending -> provisioning -> running after the simulated boot time, and
stopping -> stopped after the simulated stop time.
"""

from __future__ import annotations

from enum import StrEnum


class VmStatus(StrEnum):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    RUNNING = "running"
    REBOOTING = "rebooting"
    STOPPING = "stopping"
    STOPPED = "stopped"
    ERROR = "error"
    TERMINATED = "terminated"


S = VmStatus
TRANSITIONS: dict[VmStatus, frozenset[VmStatus]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.STOPPING, S.ERROR, S.TERMINATED}),
    S.PROVISIONING: frozenset({S.RUNNING, S.STOPPING, S.ERROR, S.TERMINATED}),
    S.RUNNING: frozenset({S.REBOOTING, S.STOPPING, S.PROVISIONING, S.ERROR, S.TERMINATED}),
    S.REBOOTING: frozenset({S.RUNNING, S.STOPPING, S.PROVISIONING, S.ERROR, S.TERMINATED}),
    S.STOPPING: frozenset({S.STOPPED, S.ERROR, S.TERMINATED}),
    S.STOPPED: frozenset({S.PENDING, S.TERMINATED}),
    S.ERROR: frozenset({S.PENDING, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}

# The documented webhook events are vm.created/started/stopped/terminated/error; the others feed
# subscriptions and the event stream.
EVENT_FOR: dict[VmStatus, str] = {
    S.PENDING: "vm.pending",
    S.PROVISIONING: "vm.provisioning",
    S.RUNNING: "vm.started",
    S.REBOOTING: "vm.rebooting",
    S.STOPPING: "vm.stopping",
    S.STOPPED: "vm.stopped",
    S.ERROR: "vm.error",
    S.TERMINATED: "vm.terminated",
}

# Statuses in which a VM holds (or is acquiring) capacity.
WANTS_RUNNING = frozenset({S.PENDING, S.PROVISIONING, S.RUNNING, S.REBOOTING})
# Statuses the reconciler works on.
ACTIVE = frozenset({*WANTS_RUNNING, S.STOPPING})
# What each user action needs.
CAN_START = ("stopped", "error")
CAN_STOP = ("pending", "provisioning", "running", "rebooting")
CAN_REBOOT = ("running",)


def can_move(current: str, target: VmStatus) -> bool:
    return target in TRANSITIONS[VmStatus(current)]
