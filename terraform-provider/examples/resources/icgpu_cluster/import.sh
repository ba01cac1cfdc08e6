# Import a cluster by its id (cls-...); the kubeconfig is read from the API.
terraform import icgpu_cluster.dev cls-0123456789ab
