"""Runtime configuration: every setting comes from an ``ICGPU_`` environment variable."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEV_ISSUER_PATH = "/dev-oidc"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ICGPU_", extra="ignore")

    data_dir: Path = Path(".icgpu")
    database_url: str | None = None
    public_url: str | None = Field(
        default=None,
        description="the server's public URL; unset, the dev issuer advertises the URL each request reached",
    )
    secret_key: str | None = Field(default=None, description="signs page tokens; generated in data_dir if unset")

    # OIDC: when ``oidc_issuer`` is unset the built-in development issuer is used.
    oidc_issuer: str | None = None
    oidc_audience: str = "icgpu"
    oidc_tenant_claim: str = "tenant"
    oidc_email_claim: str = "email"
    oidc_algorithms: list[str] = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
    oidc_leeway_seconds: int = 30
    oidc_jwks_min_refresh_seconds: float = 5.0
    dev_token_ttl_seconds: int = 12 * 3600

    api_key_cache_seconds: float = Field(
        default=5.0, ge=0, le=300,
        description="how long a checked API key is trusted without a database read; a key revoked by "
                    "another server process still works at most this long (0: no cache)")

    # Shared API contracts.
    rate_limit_api: int = 120
    rate_limit_llm: int = 60
    rate_limit_window_seconds: float = 60.0
    idempotency_ttl_hours: int = 24
    graphql_max_depth: int = 10
    graphql_max_cost: int = 5000
    # The /v1 gateway (issue 11, docs/inference.md).
    llm_max_reservation_tokens: int = Field(
        default=4096, ge=1,
        description="completion tokens held for a /v1 call without max_tokens (capped by the model's context "
                    "length); the hold is settled to what the call used")
    llm_upstream_connect_timeout_seconds: float = Field(default=5.0, gt=0,
                                                        description="connecting to a model's server")
    llm_upstream_read_timeout_seconds: float = Field(
        default=300.0, gt=0, description="longest wait for the next bytes of a model's answer (a stream's chunk)")
    llm_upstream_pool_timeout_seconds: float = Field(
        default=10.0, gt=0, description="longest wait for a free upstream connection when all are busy")
    llm_upstream_max_connections: int = Field(default=512, ge=1,
                                              description="open connections to model servers, all upstreams together")
    llm_upstream_retry_after_seconds: int = Field(
        default=2, ge=1, description="Retry-After of a 502 when a model's server failed or could not be reached")
    llm_metering_flush_ms: int = Field(  # issue 11: metering amortised across calls (services/token_ledger.py)
        default=50, ge=0, le=60_000,
        description="write the /v1 calls' settlements in batches this often, the calls holding their tokens from a "
                    "block the process reserves once (a crash loses at most one interval of charges); 0 meters "
                    "every call in the database")

    # Where workloads run (issue 12, docs/kubernetes.md): the local simulator, or a Kubernetes cluster.
    provisioner: Literal["local", "kubernetes"] = Field(
        default="local",
        description="local: one simulated GPU node in this process (the embedded default); kubernetes: pods, "
                    "PVCs, Services and custom resources in the cluster of ICGPU_KUBECONFIG")
    kubeconfig: Path | None = Field(
        default=None, description="the kubeconfig of the Kubernetes provisioner (in-cluster config when unset)")
    kubeai_url: str = Field(
        default="http://kubeai/openai/v1",
        description="with the Kubernetes provisioner: the base URL of KubeAI's OpenAI-compatible endpoint, which "
                    "serves the model deployments' replicas (each a KubeAI Model; calls name the Model)")

    # Instances and the local provisioner (a simulated GPU node).
    tenant_storage_quota_gb: int = 2000
    tenant_gpu_limit: int = Field(
        default=128, ge=0,
        description="GPUs a tenant's live workloads may hold at once (instances, VMs, Slurm nodes, function "
                    "runs; a slot of any tier counts as one); per-tenant overrides: icgpu admin quota set")
    auto_stop_minute_seconds: float = Field(
        default=60.0, gt=0,
        description="the length of one minute of auto_stop_after_minutes, in seconds (tests shorten it)")
    local_inventory: str = "dedicated=4,mig=2x7,timesliced=2x4"
    local_provision_seconds: float = 1.0
    local_stop_seconds: float = 0.5
    local_ssh_host: str = "127.0.0.1"
    # GPU functions: runs execute on this host only when the operator says so (docs/functions.md).
    local_function_exec: bool = Field(
        default=False,
        description="with the local provisioner, run GPU function entrypoints as subprocesses of this server "
                    "(simulating the container runtime); off, every run fails at once saying host execution is "
                    "disabled. The Kubernetes provisioner runs each run as its Job and ignores this")
    function_output_limit_bytes: int = Field(default=1024 * 1024, ge=1024,
                                             description="stdout kept as a run's output (the first bytes)")
    function_log_limit_bytes: int = Field(default=64 * 1024, ge=1024,
                                          description="stderr kept as a run's logs (the last bytes)")
    reconcile_interval_seconds: float = 0.5
    event_poll_interval_seconds: float = 0.2
    sweep_interval_seconds: float = 30.0  # key.expired announcements; idempotency records hourly
    # Prepaid tokens (issue 11, docs/tokens.md).
    token_self_purchase: bool = Field(
        default=True,
        description="POST /api/v1/tokens/purchase credits the caller's tenant; false refuses it (403 "
                    "SelfPurchaseDisabled) and operators credit tenants with 'icgpu admin tokens grant'")
    token_reservation_seconds: float = Field(
        default=600.0, gt=0,
        description="how long a call's token reservation holds the balance before the sweep gives it back "
                    "(a crashed call); a call that outlives it is charged only what is still available")
    token_sweep_interval_seconds: float = Field(default=30.0, gt=0,
                                                description="how often expired token reservations are swept")
    # Model deployments (issue 11, docs/models.md).
    model_upstreams: dict[str, str] = Field(
        default_factory=dict,
        description="operator mapping of a catalogue alias or a Hugging Face id to an external OpenAI-compatible "
                    "base URL (e.g. a real vLLM's http://host:8000/v1), as JSON; no replica is started for it")
    model_idle_seconds: float = Field(
        default=300.0, gt=0,
        description="a deployment with minReplicas 0 scales to zero after this long without a call")
    model_wake_wait_seconds: float = Field(
        default=30.0, ge=0,
        description="how long a call to a deployment at zero replicas waits for one before 502 with Retry-After")
    model_target_inflight_per_replica: int = Field(
        default=4, ge=1, description="in-flight calls per replica the scaler aims at (scales up beyond it)")
    model_scale_down_seconds: float = Field(
        default=30.0, ge=0, description="the load must stay lower this long before replicas are taken away")
    model_health_interval_seconds: float = Field(
        default=2.0, gt=0, description="how often each ready replica's /health is checked")
    model_replica_start_seconds: float = Field(
        default=30.0, gt=0, description="how long a replica may take to answer /health after it is started")
    model_replica_drain_seconds: float = Field(
        default=60.0, ge=0,
        description="a replica taken away by a scale-down while calls are in flight serves them this long at most")
    model_max_local_replicas: int = Field(
        default=8, ge=0,
        description="development-engine replica processes this host runs at most, over every deployment (more wait)")
    model_route_cache_seconds: float = Field(
        default=2.0, ge=0,
        description="how long a caller's deployments are kept for routing /v1 calls without a database read "
                    "(any change in this process clears them; 0: read on every call)")
    run_workers: bool = True
    fast_paths: bool = Field(
        default=True,
        description="orjson responses and the GraphQL plain-field executor; false gives the reference path "
                    "(same bytes, slower), for diagnosis and the response-equality test")

    @property
    def dev_issuer_enabled(self) -> bool:
        return self.oidc_issuer is None

    @property
    def issuer(self) -> str:
        return self.oidc_issuer or self.dev_issuer_url

    @property
    def dev_issuer_url(self) -> str:
        """The dev issuer's own identity (``iss`` of the tokens the CLI mints; the validator's anchor)."""
        return (self.public_url or DEFAULT_PUBLIC_URL).rstrip("/") + DEV_ISSUER_PATH

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'icgpu.db').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> bytes:
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()
