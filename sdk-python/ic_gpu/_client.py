"""ICGPU and AsyncICGPU: configuration, the generated client underneath, and the namespaces."""

from __future__ import annotations

from types import TracebackType

from ._config import Config
from ._transport import AsyncTransport, SyncTransport
from .generated import aio as a
from .generated import sync as g
from .resources.api_keys import ApiKeys, AsyncApiKeys
from .resources.clusters import AsyncClusters, Clusters
from .resources.events import AsyncEvents, Events
from .resources.functions import AsyncFunctions, Functions
from .resources.gpu_tiers import AsyncGpuTiers, GpuTiers
from .resources.instances import AsyncInstances, Instances
from .resources.llm import AsyncLlm, Llm  # issue 11: the /v1 gateway
from .resources.model_deployments import AsyncModelDeployments, ModelDeployments
from .resources.notifications import AsyncNotifications, Notifications  # issue 11: tokens
from .resources.quotas import AsyncQuotas, Quotas
from .resources.slurm import AsyncSlurmEnvironments, SlurmEnvironments
from .resources.spending_alerts import AsyncSpendingAlerts, SpendingAlerts  # issue 11: tokens
from .resources.ssh_keys import AsyncSshKeyGroups, AsyncSshKeys, SshKeyGroups, SshKeys
from .resources.teams import AsyncTeams, Teams
from .resources.tokens import AsyncTokens, Tokens  # issue 11: tokens
from .resources.vm_disks import AsyncVmDisks, VmDisks
from .resources.vm_networks import AsyncVmNetworks, VmNetworks
from .resources.vms import AsyncVms, AsyncVmTemplates, Vms, VmTemplates


class ICGPU:
    """The IC GPU API from sync code.

    ``api_key`` and ``base_url`` default to ICGPU_API_KEY and ICGPU_BASE_URL (then
    http://127.0.0.1:8000). ``timeout`` is per HTTP request in seconds; ``max_retries`` is how
    often a 429, 502, 503 or connection failure is retried (with backoff, honouring Retry-After).
    """

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float | None = None,
                 max_retries: int | None = None) -> None:
        self.config = Config.resolve(api_key, base_url, timeout, max_retries)
        self._transport = SyncTransport(self.config)
        gen = g.GeneratedClient(url=self.config.graphql_url, http_client=self._transport)
        self._gen = gen
        self.gpu_tiers = GpuTiers(gen, self.config)
        self.instances = Instances(gen, self.config)
        self.teams = Teams(gen, self.config)
        self.api_keys = ApiKeys(gen, self.config)
        self.ssh_keys = SshKeys(gen, self.config)
        self.ssh_key_groups = SshKeyGroups(gen, self.config)
        self.events = Events(gen, self.config)
        self.clusters = Clusters(gen, self.config)
        self.slurm_environments = SlurmEnvironments(gen, self.config)
        self.functions = Functions(gen, self.config)
        self.model_deployments = ModelDeployments(gen, self.config)
        self.vm_disks = VmDisks(gen, self.config)
        self.vm_templates = VmTemplates(gen, self.config)
        self.vms = Vms(gen, self.config)
        self.vm_networks = VmNetworks(gen, self.config)
        self.quotas = Quotas(gen, self.config)
        self.tokens = Tokens(gen, self.config)
        self.spending_alerts = SpendingAlerts(gen, self.config)
        self.notifications = Notifications(gen, self.config)
        self.llm = Llm(gen, self.config)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    def me(self) -> g.ViewerFields:
        """Who is calling: account, tenant, teams, and the API key in use."""
        return self._gen.get_viewer().viewer

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> ICGPU:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncICGPU:
    """The IC GPU API from async code: the same namespaces and methods as ICGPU, awaited."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float | None = None,
                 max_retries: int | None = None) -> None:
        self.config = Config.resolve(api_key, base_url, timeout, max_retries)
        self._transport = AsyncTransport(self.config)
        gen = a.AsyncGeneratedClient(url=self.config.graphql_url, http_client=self._transport,
                                     ws_url=self.config.ws_url,
                                     ws_connection_init_payload=self.config.ws_init_payload())
        self._gen = gen
        self.gpu_tiers = AsyncGpuTiers(gen, self.config)
        self.instances = AsyncInstances(gen, self.config)
        self.teams = AsyncTeams(gen, self.config)
        self.api_keys = AsyncApiKeys(gen, self.config)
        self.ssh_keys = AsyncSshKeys(gen, self.config)
        self.ssh_key_groups = AsyncSshKeyGroups(gen, self.config)
        self.events = AsyncEvents(gen, self.config)
        self.clusters = AsyncClusters(gen, self.config)
        self.slurm_environments = AsyncSlurmEnvironments(gen, self.config)
        self.functions = AsyncFunctions(gen, self.config)
        self.model_deployments = AsyncModelDeployments(gen, self.config)
        self.vm_disks = AsyncVmDisks(gen, self.config)
        self.vm_templates = AsyncVmTemplates(gen, self.config)
        self.vms = AsyncVms(gen, self.config)
        self.vm_networks = AsyncVmNetworks(gen, self.config)
        self.quotas = AsyncQuotas(gen, self.config)
        self.tokens = AsyncTokens(gen, self.config)
        self.spending_alerts = AsyncSpendingAlerts(gen, self.config)
        self.notifications = AsyncNotifications(gen, self.config)
        self.llm = AsyncLlm(gen, self.config)

    @property
    def base_url(self) -> str:
        return self.config.base_url

    async def me(self) -> a.ViewerFields:
        """Who is calling: account, tenant, teams, and the API key in use."""
        return (await self._gen.get_viewer()).viewer

    async def close(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncICGPU:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()
