#!/usr/bin/env bash
# Generate the test control plane's certificates into directory $1 (scripts/k8s-up.sh runs it):
#   ca.{crt,key}                      the cluster CA (also signs CSRs for the controller-manager)
#   apiserver.{crt,key}               serving certificate for 127.0.0.1, localhost and the in-cluster names
#   admin.{crt,key}                   client: O=system:masters (cluster-admin through RBAC's bootstrap binding)
#   scheduler.{crt,key}               client: CN=system:kube-scheduler
#   controller-manager.{crt,key}      client: CN=system:kube-controller-manager
#   sa.{key,pub}                      service-account token signing key pair
#   front-proxy-ca.{crt,key}          CA of the aggregation layer's request-header authentication
#   front-proxy-client.{crt,key}      the API server's client certificate towards aggregated APIs
# ECDSA P-256 keys throughout (fast to generate); valid for a year; private keys mode 600.
set -euo pipefail
dir=$1
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

# A self-signed CA $1 with common name $2.
ca() {
    key "$1"
    openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 365 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
        -out "$1.crt" 2>/dev/null
}

# Sign a certificate for key $1 with subject $2 and the X.509 extensions $3, by CA $4 (default: ca).
sign() {
    local name=$1 subject=$2 extensions=$3 by=${4:-ca}
    key "$name"
    openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
    printf '%b\n' "$extensions" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$by.crt" -CAkey "$by.key" -CAcreateserial -days 365 -sha256 \
        -extfile "$name.ext" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

ca ca icgpu-test-kubernetes-ca
ca front-proxy-ca icgpu-test-front-proxy-ca

server_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth'
client_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
sign apiserver "/CN=kube-apiserver" \
    "$server_ext\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign admin "/O=system:masters/CN=icgpu-test-admin" "$client_ext"
sign scheduler "/CN=system:kube-scheduler" "$client_ext"
sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"
sign front-proxy-client "/CN=front-proxy-client" "$client_ext" front-proxy-ca

key sa
openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
chmod 644 ./*.crt sa.pub
