"""The resource namespaces of ICGPU and AsyncICGPU."""
