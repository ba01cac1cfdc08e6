# The VM template catalogue, with defaults and maxima.
data "icgpu_vm_templates" "all" {}

# The GPU templates, by id, with their default tier.
output "gpu_templates" {
  value = { for t in data.icgpu_vm_templates.all.templates : t.id => t.gpu_tier if t.gpu }
}

variable "laptop_public_key" {
  type        = string
  description = "One OpenSSH public key line, e.g. file(\"~/.ssh/id_ed25519.pub\")."
}

# The largest CPU-only VM the catalogue allows.
locals {
  cpu_only = [for t in data.icgpu_vm_templates.all.templates : t if !t.gpu][0]
}

resource "icgpu_vm" "big_builder" {
  name        = "big-builder"
  template_id = local.cpu_only.id
  cpu         = local.cpu_only.max_cpu
  memory_gb   = local.cpu_only.max_memory_gb
  ssh_key     = var.laptop_public_key
}
