# The platform's pre-tested models, callable on /v1 by alias without a deployment of your own.
data "icgpu_model_catalogue" "all" {}

locals {
  # The cheapest chat model (lowest token multiplier) with at least a 32k context.
  long_chat = [
    for m in data.icgpu_model_catalogue.all.models : m
    if m.kind == "chat" && m.context_length >= 32768
  ]
  cheapest_long_chat = local.long_chat[index(local.long_chat[*].token_multiplier, min(local.long_chat[*].token_multiplier...))].alias
}

output "embedding_models" {
  value = [for m in data.icgpu_model_catalogue.all.models : m.alias if m.kind == "embedding"]
}

output "cheapest_long_chat_model" {
  value = local.cheapest_long_chat
}

# A deployment of your own of a catalogue model's weights, on the catalogue's engine and profile
# (its name may not be the catalogue's alias).
locals {
  mistral = one([for m in data.icgpu_model_catalogue.all.models : m if m.alias == "mistral-7b"])
}

resource "icgpu_model_deployment" "my_mistral" {
  name             = "my-mistral"
  model            = local.mistral.huggingface_id
  engine           = local.mistral.engine
  resource_profile = local.mistral.resource_profile
  max_replicas     = 2
}
