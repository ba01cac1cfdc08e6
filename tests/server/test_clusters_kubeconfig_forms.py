"""A cluster kubeconfig's JSON (REST, ``Accept: application/json``) and GraphQL forms carry the user's
credential as the YAML does: a bearer ``token``, or a client certificate and its key
(``client_certificate_data``/``client_key_data``, GraphQL ``clientCertificateData``/``clientKeyData``, base64
PEM as kubeconfig's ``client-certificate-data``/``client-key-data``); exactly one of the two kinds is set, the
other null. A token's JSON is what it was before certificates were served, plus the two null fields. Both
forms, and the YAML, match the OpenAPI document, which refuses a body with both kinds or neither.

``check_against_document`` is used by test_clusters.py (a real server's token kubeconfig) and
tests/k8s/test_vcluster.py (vCluster's certificate kubeconfig) too."""

from __future__ import annotations

import base64
import json
from typing import Any

import jsonschema_rs
import pytest
import yaml

from icgpu.api.graphql.types.cluster import Kubeconfig as GraphqlKubeconfig
from icgpu.api.rest.clusters import kubeconfig_json
from icgpu.provisioning.clusters import ClientCertificate
from icgpu.services.kubeconfig import Kubeconfig
from tests.server.test_kubeconfig_writer import CA_PEM, pem_key, self_signed, token_config
from tests.server.test_openapi import document

pytestmark = pytest.mark.db_independent  # no database

PATH = "/api/v1/clusters/{cluster_id}/kubeconfig"
NEW = ("client_certificate_data", "client_key_data")


def b64(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()


def validator(media_type: str) -> jsonschema_rs.Draft202012Validator:
    doc = document()
    schema = doc["paths"][PATH]["get"]["responses"]["200"]["content"][media_type]["schema"]
    return jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]})


def errors(media_type: str, body: Any) -> list[str]:
    return [str(e) for e in validator(media_type).iter_errors(body)]


def check_against_document(as_json: dict[str, Any], as_yaml: str) -> None:
    """The JSON form and the YAML download are what the OpenAPI document declares for the route."""
    assert errors("application/json", as_json) == [], as_json
    assert errors("application/yaml", yaml.safe_load(as_yaml)) == [], as_yaml


def certificate_config() -> tuple[Kubeconfig, ClientCertificate]:
    ca_pem, cert_pem, key = self_signed("vcluster-user")
    credential = ClientCertificate(cert_pem, pem_key(key))
    return Kubeconfig(cluster_id="cls-abc123", context="dev", server_url="https://vc.example.com:8443",
                      ca_cert_pem=ca_pem, credential=credential), credential


def test_a_tokens_json_is_as_before_plus_two_null_fields_and_graphql_says_the_same() -> None:
    config = token_config()
    body = kubeconfig_json(config)
    # What the JSON form was before client certificates were served (same keys, same order, same values).
    before = {"cluster_id": "cls-abc123", "context": 'dev "x"', "namespace": "icgpu-cluster-cls-abc123",
              "server_url": "https://10.0.0.1:6443", "certificate_authority_data": b64(CA_PEM),
              "token": "icgpu-kc-t0ken", "kubeconfig": config.yaml()}
    assert {k: v for k, v in body.items() if k not in NEW} == before
    assert [k for k in body if k not in NEW] == list(before)
    assert body["client_certificate_data"] is None and body["client_key_data"] is None
    check_against_document(body, config.yaml())

    view = GraphqlKubeconfig.from_view(config)
    assert (view.token, view.client_certificate_data, view.client_key_data) == ("icgpu-kc-t0ken", None, None)
    assert view.certificate_authority_data == body["certificate_authority_data"] and view.kubeconfig == config.yaml()


def test_a_client_certificates_json_and_graphql_carry_the_pair_and_a_null_token() -> None:
    config, credential = certificate_config()
    body = kubeconfig_json(config)
    assert body["token"] is None
    assert base64.b64decode(body["client_certificate_data"]).decode() == credential.certificate_pem
    assert base64.b64decode(body["client_key_data"]).decode() == credential.key_pem
    # The same base64 text as the kubeconfig's own fields.
    user = yaml.safe_load(body["kubeconfig"])["users"][0]["user"]
    assert user == {"client-certificate-data": body["client_certificate_data"],
                    "client-key-data": body["client_key_data"]}
    check_against_document(body, config.yaml())

    view = GraphqlKubeconfig.from_view(config)
    assert view.token is None
    assert (view.client_certificate_data, view.client_key_data) == (body["client_certificate_data"],
                                                                    body["client_key_data"])


def test_the_document_allows_exactly_one_kind_of_credential() -> None:
    token, (certificate, _) = kubeconfig_json(token_config()), certificate_config()
    pair = {k: kubeconfig_json(certificate)[k] for k in NEW}
    assert errors("application/json", {**token, **pair}), "both kinds at once"
    assert errors("application/json", {**token, "token": None}), "neither kind"
    assert errors("application/json", {**token, "client_certificate_data": pair["client_certificate_data"]})
    # The YAML: a token, or a certificate with its key; not both, not a certificate alone.
    loaded = yaml.safe_load(certificate.yaml())
    assert errors("application/yaml", loaded) == []
    user = loaded["users"][0]["user"]
    for wrong in ({**user, "token": "t"}, {"client-certificate-data": user["client-certificate-data"]}, {}):
        bad = json.loads(json.dumps(loaded))
        bad["users"][0]["user"] = wrong
        assert errors("application/yaml", bad), wrong
