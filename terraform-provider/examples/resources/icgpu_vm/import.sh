# Import a VM by its id (vm-...); state is read from its status.
terraform import icgpu_vm.workstation vm-0123456789ab
