terraform {
  required_providers {
    icgpu = {
      source = "registry.terraform.io/ic-gpu/icgpu"
    }
  }
}

# Credentials from the environment (ICGPU_API_KEY, ICGPU_BASE_URL) ...
provider "icgpu" {}

# ... or written out. Keep the key out of version control: use a variable.
variable "icgpu_api_key" {
  type      = string
  sensitive = true
}

provider "icgpu" {
  alias    = "staging"
  base_url = "https://gpu.staging.example.com"
  api_key  = var.icgpu_api_key
}
