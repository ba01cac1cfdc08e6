variable "huggingface_token" {
  type        = string
  sensitive   = true
  description = "A Hugging Face token with access to the gated Llama weights (hf_...)."
}

# Llama 3.1 8B on vLLM: no replica until the first /v1 call, at most two under load, back to zero
# when idle. Call it as model "my-llama" on <base_url>/v1/chat/completions.
resource "icgpu_model_deployment" "llama" {
  name              = "my-llama"
  model             = "meta-llama/Llama-3.1-8B-Instruct"
  engine            = "vllm"
  min_replicas      = 0
  max_replicas      = 2
  resource_profile  = "nvidia-gpu-dedicated"
  huggingface_token = var.huggingface_token # write-only on the API: kept (sensitive) in the state
}

# An embedding model kept warm on a shared GPU: create (and any change of the bounds) waits until
# one replica answers. min_replicas and max_replicas change in place; the rest replaces it.
resource "icgpu_model_deployment" "embeddings" {
  name             = "team-embeddings"
  model            = "BAAI/bge-large-en-v1.5"
  kind             = "embedding"
  min_replicas     = 1
  max_replicas     = 3
  resource_profile = "nvidia-gpu-timesliced"

  timeouts {
    create = "30m"
  }
}

output "llama_status" {
  value = "${icgpu_model_deployment.llama.status}: ${icgpu_model_deployment.llama.ready_replicas}/${icgpu_model_deployment.llama.desired_replicas} replicas ready"
}
