variable "laptop_public_key" {
  type        = string
  description = "One OpenSSH public key line, e.g. file(\"~/.ssh/id_ed25519.pub\")."
}

# An interactive instance on a MIG slice, reachable with one key, running.
resource "icgpu_instance" "notebook" {
  name       = "notebook"
  tier       = "mig"
  ssh_key    = var.laptop_public_key
  storage_gb = 100
}

# Batch work on a dedicated GPU (half price, may be preempted), authorizing an uploaded key,
# kept stopped until it is needed: set state = "running" to start it in place.
resource "icgpu_ssh_key" "ci" {
  name       = "ci"
  public_key = var.laptop_public_key
}

resource "icgpu_instance" "trainer" {
  name          = "trainer"
  tier          = "dedicated"
  ssh_key       = icgpu_ssh_key.ci.public_key
  workload_type = "batch"
  state         = "stopped"

  timeouts {
    create = "30m"
    update = "30m"
  }
}

output "notebook_ssh" {
  value = "ssh -p ${icgpu_instance.notebook.ssh_port} root@${icgpu_instance.notebook.ssh_host}"
}
