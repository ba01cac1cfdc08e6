"""A cluster kubeconfig's parts as the JSON (REST, ``Accept: application/json``) and GraphQL forms show
them beside the whole YAML: the CA and the user's credential, each PEM written base64 as kubeconfig's own
``certificate-authority-data``, ``client-certificate-data`` and ``client-key-data`` are.

The user authenticates one way only (provisioning/clusters.py: ``UserCredential``), so exactly one kind of
credential is set and the other is null: a bearer ``token``, or a client certificate and its key. One
function builds the parts for both adapters, so REST and GraphQL cannot disagree on them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from icgpu.provisioning.clusters import BearerToken
from icgpu.services.kubeconfig import Kubeconfig


def _b64(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()


@dataclass(frozen=True)
class KubeconfigParts:
    certificate_authority_data: str
    token: str | None = field(repr=False)
    client_certificate_data: str | None
    client_key_data: str | None = field(repr=False)

    @classmethod
    def of(cls, k: Kubeconfig) -> KubeconfigParts:
        user = k.credential
        ca = _b64(k.ca_cert_pem)
        if isinstance(user, BearerToken):
            return cls(ca, token=user.token, client_certificate_data=None, client_key_data=None)
        return cls(ca, token=None, client_certificate_data=_b64(user.certificate_pem),
                   client_key_data=_b64(user.key_pem))
