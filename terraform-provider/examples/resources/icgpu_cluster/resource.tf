# A virtual Kubernetes cluster on the API's default (newest) version.
resource "icgpu_cluster" "dev" {
  name = "dev"
}

# One on a pinned version, shared with a team, given more time to come up.
resource "icgpu_cluster" "ml" {
  name    = "ml"
  version = "1.30"
  team_id = "team-0123456789ab"

  timeouts {
    create = "30m"
  }
}

# The kubeconfig for kubectl: `terraform output -raw dev_kubeconfig > dev.kubeconfig`
# (it holds a credential, revoked when the cluster is deleted: keep the file private).
output "dev_kubeconfig" {
  value     = icgpu_cluster.dev.kubeconfig
  sensitive = true
}

# The parts a kubernetes provider block takes:
#   host                   = icgpu_cluster.dev.server_url
#   token                  = icgpu_cluster.dev.token
#   cluster_ca_certificate = base64decode(icgpu_cluster.dev.certificate_authority_data)
# or, where the cluster's user has a client certificate (vCluster's) and token is null:
#   client_certificate     = base64decode(icgpu_cluster.dev.client_certificate_data)
#   client_key             = base64decode(icgpu_cluster.dev.client_key_data)
output "dev_server_url" {
  value = icgpu_cluster.dev.server_url
}
