from enum import Enum


class InstanceStatus(str, Enum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    PREEMPTED = "PREEMPTED"
    ERROR = "ERROR"
    TERMINATED = "TERMINATED"


class TeamRole(str, Enum):
    VIEWER = "VIEWER"
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"
    OWNER = "OWNER"


class WorkloadType(str, Enum):
    INTERACTIVE = "INTERACTIVE"
    BATCH = "BATCH"
