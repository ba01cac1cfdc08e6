# Import a model deployment by its name, as the API addresses it. The Hugging Face token is never
# returned by the API: the configured one is recorded at the next apply, without a replacement.
terraform import icgpu_model_deployment.llama my-llama
