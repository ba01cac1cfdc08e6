# The token packages on offer, smallest first.
data "icgpu_token_packages" "all" {}

# The package with the lowest price per million tokens.
locals {
  packages = data.icgpu_token_packages.all.packages
  best     = local.packages[index(local.packages[*].price_per_million, min(local.packages[*].price_per_million...))]
}

output "package_prices" {
  value = { for p in local.packages : p.id => "${p.tokens} tokens for ${p.price} ${p.currency}" }
}

output "best_value_package" {
  value = local.best.id
}
