from enum import Enum


class ClusterStatus(str, Enum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    ERROR = "ERROR"
    DELETING = "DELETING"
    TERMINATED = "TERMINATED"


class FunctionRunStatus(str, Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    CANCELLED = "CANCELLED"


class InstanceStatus(str, Enum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    PREEMPTED = "PREEMPTED"
    ERROR = "ERROR"
    TERMINATED = "TERMINATED"


class NotifyVia(str, Enum):
    WEBHOOK = "WEBHOOK"
    IN_APP = "IN_APP"


class SlurmEnvironmentStatus(str, Enum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    READY = "READY"
    ERROR = "ERROR"
    TERMINATED = "TERMINATED"


class TeamRole(str, Enum):
    VIEWER = "VIEWER"
    MEMBER = "MEMBER"
    ADMIN = "ADMIN"
    OWNER = "OWNER"


class VmDiskStatus(str, Enum):
    AVAILABLE = "AVAILABLE"
    ATTACHED = "ATTACHED"
    DELETED = "DELETED"


class VmStatus(str, Enum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    REBOOTING = "REBOOTING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    ERROR = "ERROR"
    TERMINATED = "TERMINATED"


class WorkloadType(str, Enum):
    INTERACTIVE = "INTERACTIVE"
    BATCH = "BATCH"
