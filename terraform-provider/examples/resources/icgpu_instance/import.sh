# Import an instance by its id (inst-...); state is read from its status.
terraform import icgpu_instance.notebook inst-0123456789ab
