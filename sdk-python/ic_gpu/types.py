"""Result types by resource name (the sync client's classes; AsyncICGPU returns same-shaped ones
from ``ic_gpu.generated.aio``). Every attribute is snake_case: ``inst.storage_gb``, ``inst.ssh_host``."""

from .generated.aio.fragments import EventFields as Event
from .generated.aio.fragments import InstanceStatusEventFields as InstanceStatusEvent
from .generated.sync.enums import InstanceStatus, TeamRole, WorkloadType
from .generated.sync.fragments import AccountFields as Account
from .generated.sync.fragments import ApiKeyFields as ApiKey
from .generated.sync.fragments import GpuTierFields as GpuTier
from .generated.sync.fragments import InstanceFields as Instance
from .generated.sync.fragments import SshKeyFields as SshKey
from .generated.sync.fragments import SshKeyGroupFields as SshKeyGroup
from .generated.sync.fragments import TeamFields as Team
from .generated.sync.fragments import TeamMemberFields as TeamMember
from .generated.sync.fragments import ViewerFields as Viewer

__all__ = ["Account", "ApiKey", "Event", "GpuTier", "Instance", "InstanceStatus", "InstanceStatusEvent", "SshKey",
           "SshKeyGroup", "Team", "TeamMember", "TeamRole", "Viewer", "WorkloadType"]
