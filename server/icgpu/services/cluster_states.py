"""The virtual Kubernetes cluster state machine: which status may follow which, and its events.

    pending -> provisioning -> running          (the reconciler, as the control plane comes up)
    pending|provisioning|running -> error       (the provisioner reports a failure)
    running -> provisioning                     (the control plane was lost: provisioned again)
    any state but deleting/terminated -> deleting (delete: the credential is revoked at once)
    deleting -> terminated                      (the control plane is gone)
"""

from __future__ import annotations

from enum import StrEnum


class ClusterStatus(StrEnum):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    RUNNING = "running"
    ERROR = "error"
    DELETING = "deleting"
    TERMINATED = "terminated"


S = ClusterStatus
TRANSITIONS: dict[ClusterStatus, frozenset[ClusterStatus]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.ERROR, S.DELETING}),
    S.PROVISIONING: frozenset({S.RUNNING, S.ERROR, S.DELETING}),
    S.RUNNING: frozenset({S.PROVISIONING, S.ERROR, S.DELETING}),
    S.ERROR: frozenset({S.DELETING}),
    S.DELETING: frozenset({S.TERMINATED}),
    S.TERMINATED: frozenset(),
}

# The event written when a cluster enters each status (creation writes ``cluster.created``).
EVENT_FOR: dict[ClusterStatus, str] = {
    S.PENDING: "cluster.pending",
    S.PROVISIONING: "cluster.provisioning",
    S.RUNNING: "cluster.running",
    S.ERROR: "cluster.error",
    S.DELETING: "cluster.deleting",
    S.TERMINATED: "cluster.terminated",
}

# Statuses in which the cluster has (or is getting) a control plane.
WANTS_CONTROL_PLANE = frozenset({S.PENDING, S.PROVISIONING, S.RUNNING})
# Statuses in which the cluster's credential is valid and its kubeconfig served.
CREDENTIAL_LIVE = frozenset({S.PENDING, S.PROVISIONING, S.RUNNING, S.ERROR})


def can_move(current: str, target: ClusterStatus) -> bool:
    return target in TRANSITIONS[ClusterStatus(current)]
