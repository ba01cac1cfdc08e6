# Import a spending alert by its id (alert-...).
terraform import icgpu_spending_alert.low alert-0123456789ab
