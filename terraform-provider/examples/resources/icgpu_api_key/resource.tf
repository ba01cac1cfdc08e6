# A key for a CI pipeline that starts and stops instances, expiring in 90 days.
resource "icgpu_api_key" "ci" {
  name            = "ci-pipeline"
  scopes          = ["instances", "keys"]
  permissions     = ["read", "write"]
  expires_in_days = 90
}

# A read-only key (permissions default to ["read"]) that never expires.
resource "icgpu_api_key" "dashboard" {
  name   = "grafana"
  scopes = ["instances", "models", "tokens"]
}

# The secret is known only when the key is created; it is kept in state (sensitive).
output "ci_api_key" {
  value     = icgpu_api_key.ci.key
  sensitive = true
}
