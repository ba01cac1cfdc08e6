# A balance.low event for your webhooks when the token balance falls below 100,000 tokens (once
# each time it crosses), and balance.depleted at zero.
resource "icgpu_spending_alert" "low" {
  name      = "Low balance warning"
  threshold = 100000
}

# An in-app notification too, at a lower threshold. Every argument changes in place.
resource "icgpu_spending_alert" "critical" {
  name       = "Critical balance"
  threshold  = 10000
  notify_via = "in_app"
}

output "low_alert_armed" {
  value = icgpu_spending_alert.low.armed
}
