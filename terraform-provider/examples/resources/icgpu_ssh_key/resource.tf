variable "laptop_public_key" {
  type        = string
  description = "One OpenSSH public key line, e.g. file(\"~/.ssh/id_ed25519.pub\")."
}

resource "icgpu_ssh_key" "laptop" {
  name       = "laptop"
  public_key = var.laptop_public_key # a trailing newline (file() output) is not a change
}

output "laptop_fingerprint" {
  value = icgpu_ssh_key.laptop.fingerprint
}
