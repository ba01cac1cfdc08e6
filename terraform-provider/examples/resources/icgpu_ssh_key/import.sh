# Import an SSH key by its id (key-...).
terraform import icgpu_ssh_key.laptop key-0123456789ab
