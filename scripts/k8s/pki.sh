#!/usr/bin/env bash
# Generate the test control plane's certificates into directory $1 (scripts/k8s-up.sh runs it):
#   ca.{crt,key}                      the cluster CA (also signs CSRs for the controller-manager)
#   apiserver.{crt,key}               serving certificate for 127.0.0.1, localhost and the in-cluster names
#   admin.{crt,key}                   client: O=system:masters (cluster-admin through RBAC's bootstrap binding)
#   scheduler.{crt,key}               client: CN=system:kube-scheduler
#   controller-manager.{crt,key}      client: CN=system:kube-controller-manager
#   sa.{key,pub}                      service-account token signing key pair
# ECDSA P-256 keys throughout (fast to generate); valid for a year; private keys mode 600.
set -euo pipefail
dir=$1
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

# Sign a certificate for key $1 with subject $2 and the X.509 extensions $3.
sign() {
    local name=$1 subject=$2 extensions=$3
    key "$name"
    openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
    printf '%b\n' "$extensions" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha256 \
        -extfile "$name.ext" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

key ca
openssl req -x509 -new -key ca.key -subj "/CN=icgpu-test-kubernetes-ca" -days 365 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out ca.crt 2>/dev/null

server_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth'
client_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
sign apiserver "/CN=kube-apiserver" \
    "$server_ext\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign admin "/O=system:masters/CN=icgpu-test-admin" "$client_ext"
sign scheduler "/CN=system:kube-scheduler" "$client_ext"
sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"

key sa
openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
chmod 644 ./*.crt sa.pub
