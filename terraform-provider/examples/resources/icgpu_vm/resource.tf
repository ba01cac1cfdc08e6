variable "laptop_public_key" {
  type        = string
  description = "One OpenSSH public key line, e.g. file(\"~/.ssh/id_ed25519.pub\")."
}

# A GPU VM from the CUDA template on a whole GPU, with the template's default sizes but a
# bigger boot disk, stopped automatically 8 hours after each start.
resource "icgpu_vm" "workstation" {
  name                    = "workstation"
  template_id             = "tpl-ubuntu-gpu"
  ssh_key                 = var.laptop_public_key
  disk_gb                 = 200
  auto_stop_after_minutes = 480
}

# A CPU-only build machine, kept stopped until needed:
# set state = "running" to start it in place.
resource "icgpu_vm" "builder" {
  name        = "builder"
  template_id = "tpl-ubuntu-cpu"
  cpu         = 8
  memory_gb   = 16
  ssh_key     = var.laptop_public_key
  state       = "stopped"

  timeouts {
    create = "30m"
  }
}

output "workstation_ssh" {
  value = "ssh -p ${icgpu_vm.workstation.ssh_port} ubuntu@${icgpu_vm.workstation.ssh_host}"
}
