data "icgpu_gpu_tiers" "all" {}

locals {
  # The cheapest tier with at least 40 GB of GPU memory and a free slot now.
  big_free = [
    for t in data.icgpu_gpu_tiers.all.tiers : t
    if t.gpu_memory_gb >= 40 && coalesce(t.available, 0) > 0
  ]
  cheapest_big = length(local.big_free) > 0 ? local.big_free[index(local.big_free[*].price_per_hour, min(local.big_free[*].price_per_hour...))].id : null
}

output "tier_prices" {
  value = { for t in data.icgpu_gpu_tiers.all.tiers : t.id => t.price_per_hour }
}

output "cheapest_big_tier" {
  value = local.cheapest_big
}
