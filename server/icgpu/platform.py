"""The composition root: builds every service, worker and client once from Settings."""

from __future__ import annotations

import logging

import httpx

from icgpu.auth.authenticator import Authenticator
from icgpu.auth.dev_issuer import DevIssuer
from icgpu.auth.key_cache import KeyCache
from icgpu.auth.oidc import OIDCValidator
from icgpu.db.database import Database
from icgpu.events.bus import EventBus
from icgpu.gateway.inference import InferenceGateway  # issue 11: the /v1 gateway
from icgpu.gateway.proxy import new_upstream_client  # issue 11: the /v1 gateway
from icgpu.provisioning.base import Provisioner
from icgpu.provisioning.clusters import ClusterProvisioner
from icgpu.provisioning.select import make_provisioners
from icgpu.services.accounts import AccountService
from icgpu.services.api_keys import ApiKeyService
from icgpu.services.clusters import ClusterService
from icgpu.services.function_runs import FunctionRunService
from icgpu.services.functions import FunctionService
from icgpu.services.idempotency import IdempotencyService
from icgpu.services.instances import InstanceService
from icgpu.services.model_replicas import ReplicaPool  # issue 11: model deployments
from icgpu.services.model_routing import ModelRouter  # issue 11: model deployments
from icgpu.services.models import ModelDeploymentService  # issue 11: model deployments
from icgpu.services.notifications import NotificationService  # issue 11: tokens
from icgpu.services.pagination import PageCodec
from icgpu.services.quotas import QuotaService
from icgpu.services.ratelimit import RateLimiter
from icgpu.services.signals import Signals
from icgpu.services.slurm import SlurmService
from icgpu.services.spending_alerts import SpendingAlertService  # issue 11: tokens
from icgpu.services.ssh_keys import SshKeyService
from icgpu.services.teams import TeamService
from icgpu.services.tiers import TierService
from icgpu.services.token_ledger import TokenLedger  # issue 11: metering amortised across calls
from icgpu.services.tokens import TokenService  # issue 11: tokens
from icgpu.services.vm_disks import VmDiskService
from icgpu.services.vm_networks import VmNetworkService
from icgpu.services.vm_templates import VmTemplateService
from icgpu.services.vms import VmService
from icgpu.settings import Settings
from icgpu.workers.cluster_reconciler import ClusterReconciler
from icgpu.workers.function_runner import FunctionRunner
from icgpu.workers.model_scaler import ModelScaler  # issue 11: model deployments
from icgpu.workers.reconciler import Reconciler
from icgpu.workers.slurm_reconciler import SlurmReconciler
from icgpu.workers.sweeper import Sweeper
from icgpu.workers.token_sweeper import ReservationSweeper  # issue 11: tokens
from icgpu.workers.vm_disk_network_sync import VmDiskNetworkSync
from icgpu.workers.vm_reconciler import VmReconciler

log = logging.getLogger(__name__)


class Platform:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.resolved_database_url)
        self.signals = Signals()
        self.pages = PageCodec(settings.resolved_secret_key)
        self.dev_issuer = DevIssuer(settings) if settings.dev_issuer_enabled else None
        self.http = httpx.AsyncClient(timeout=10.0)
        self.key_cache = KeyCache(settings.api_key_cache_seconds)
        self.accounts = AccountService(self.db, self.key_cache)
        self.instances = InstanceService(self.db, settings, self.pages, self.signals)
        self.idempotency = IdempotencyService(self.db, settings.idempotency_ttl_hours)
        self.rate_limiter = RateLimiter(
            {"api": settings.rate_limit_api, "llm": settings.rate_limit_llm, "graphql": settings.rate_limit_api},
            settings.rate_limit_window_seconds,
        )
        provisioners = make_provisioners(settings, self.db, self.signals)  # ICGPU_PROVISIONER: local or kubernetes
        self.provisioner: Provisioner = provisioners[0]
        self.cluster_provisioner: ClusterProvisioner = provisioners[1]
        self.tiers = TierService(self.provisioner)
        self.bus = EventBus(self.db, settings.event_poll_interval_seconds)
        self.reconciler = Reconciler(self.db, self.provisioner, self.signals,
                                     settings.reconcile_interval_seconds,
                                     auto_stop_minute_seconds=settings.auto_stop_minute_seconds)
        self.teams = TeamService(self.db, self.pages, self.signals)
        self.api_keys = ApiKeyService(self.db, self.pages, self.signals, self.key_cache)
        self.ssh_keys = SshKeyService(self.db, self.pages)
        self.quotas = QuotaService(self.db, settings)
        self.vm_disks = VmDiskService(self.db, settings, self.pages, self.signals)
        self.vm_templates = VmTemplateService()
        self.vms = VmService(self.db, settings, self.pages, self.signals)
        self.vm_networks = VmNetworkService(self.db, self.pages, self.signals, self.vms)
        self.vm_reconciler = VmReconciler(self.db, self.provisioner, self.signals, settings)
        # Disks' and networks' own objects, where the provisioner keeps them (None on the local simulator).
        self.vm_disk_network_sync = VmDiskNetworkSync.for_provisioner(self.db, self.provisioner, settings)
        self.slurm = SlurmService(self.db, settings, self.pages, self.signals, self.provisioner)
        self.slurm_reconciler = SlurmReconciler(self.db, self.provisioner, self.signals,
                                                settings.reconcile_interval_seconds)
        self.clusters = ClusterService(self.db, settings, self.pages, self.signals, self.cluster_provisioner)
        self.cluster_reconciler = ClusterReconciler(self.db, self.cluster_provisioner, self.signals,
                                                    settings.reconcile_interval_seconds)
        self.functions = FunctionService(self.db, settings, self.pages, self.signals)
        self.function_runs = FunctionRunService(self.db, settings, self.pages, self.signals)
        self.function_runner = FunctionRunner(self.db, self.provisioner, self.functions, self.signals, settings)
        self.model_deployments = ModelDeploymentService(self.db, settings, self.pages, self.signals,
                                                        cluster_serves=self.provisioner.serves_models)
        self.model_replicas = ReplicaPool()
        self.model_router = ModelRouter(self.db, settings, self.model_deployments, self.model_replicas)
        self.model_scaler = ModelScaler(self.db, self.provisioner, self.model_replicas, self.signals, settings)
        self.tokens = TokenService(self.db, settings, self.pages)
        self.spending_alerts = SpendingAlertService(self.db, self.pages)
        self.notifications = NotificationService(self.db, self.pages)
        self.token_sweeper = ReservationSweeper(self.tokens, settings.token_sweep_interval_seconds)
        self.upstream_http = new_upstream_client(settings)  # every /v1 upstream call, pooled
        self.token_ledger = TokenLedger(self.tokens, self.db, settings)  # the gateway's metering (batched or not)
        self.gateway = InferenceGateway(settings, self.db, self.upstream_http, self.model_router, self.token_ledger)
        self.sweeper = Sweeper(self.idempotency, self.api_keys, settings.sweep_interval_seconds)
        self.signals.connect(self.bus.notify)
        self.signals.connect(self.reconciler.wake)
        self.signals.connect(self.vm_reconciler.wake)
        if self.vm_disk_network_sync is not None:
            self.signals.connect(self.vm_disk_network_sync.wake)
        self.signals.connect(self.function_runner.wake)
        self.signals.connect(self.model_scaler.wake)
        self.signals.connect(self.cluster_reconciler.wake)
        self.signals.connect(self.slurm_reconciler.wake)
        self.oidc = OIDCValidator(settings, self.http)
        self.authenticator = Authenticator(self.oidc, self.accounts)

    def use_oidc_transport(self, transport: httpx.AsyncBaseTransport) -> None:
        """Fetch discovery and JWKS through ``transport`` (the app itself, for the dev issuer)."""
        self.oidc.http = httpx.AsyncClient(transport=transport, timeout=10.0)

    async def start(self, *, workers: bool) -> None:
        await self.db.migrate()
        await self.bus.start()
        self.token_ledger.start()
        await self.provisioner.start()
        await self.cluster_provisioner.start()
        if workers:
            self.reconciler.start()
            self.vm_reconciler.start()
            if self.vm_disk_network_sync is not None:
                self.vm_disk_network_sync.start()
            self.function_runner.start()
            self.model_scaler.start()
            self.cluster_reconciler.start()
            self.slurm_reconciler.start()
            self.sweeper.start()
            self.token_sweeper.start()

    async def stop(self) -> None:
        await self.reconciler.stop()
        await self.vm_reconciler.stop()
        if self.vm_disk_network_sync is not None:
            await self.vm_disk_network_sync.stop()
        await self.function_runner.stop()
        await self.model_scaler.stop()  # stops every replica process
        await self.cluster_reconciler.stop()
        await self.slurm_reconciler.stop()
        await self.sweeper.stop()
        await self.token_sweeper.stop()
        await self.token_ledger.stop()  # pending settlements written, blocks given back
        await self.cluster_provisioner.stop()  # after every worker that calls them
        await self.provisioner.stop()
        await self.bus.stop()
        if self.oidc.http is not self.http:
            await self.oidc.http.aclose()
        await self.http.aclose()
        await self.upstream_http.aclose()
        await self.db.close()
