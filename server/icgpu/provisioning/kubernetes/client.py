"""One kubernetes-asyncio API client for the process, from ``ICGPU_KUBECONFIG`` or, unset, the
in-cluster service account (the control plane running as a pod)."""

from __future__ import annotations

from kubernetes_asyncio import client, config

from icgpu.settings import Settings


class KubeClient:
    def __init__(self, settings: Settings) -> None:
        self.kubeconfig = settings.kubeconfig
        self._api: client.ApiClient | None = None

    async def start(self) -> None:
        """Idempotent: both Kubernetes provisioners start (and close) the one client they share."""
        if self._api is not None:
            return
        configuration = client.Configuration()
        if self.kubeconfig is not None:
            await config.load_kube_config(config_file=str(self.kubeconfig), client_configuration=configuration)
        else:
            config.load_incluster_config(client_configuration=configuration)
        self._api = client.ApiClient(configuration)

    @property
    def api(self) -> client.ApiClient:
        if self._api is None:
            raise RuntimeError("the Kubernetes client is not started")
        return self._api

    async def close(self) -> None:
        if self._api is not None:
            await self._api.close()
            self._api = None
