"""The built-in development engine: an OpenAI-compatible HTTP server (`python -m
icgpu.gateway.devengine`) that answers chat completions from a small n-gram model and embeddings from
hashed features, with token counts from the project's BPE tokenizer. A development stand-in, not a
real model; `launcher.start_replica` runs one as a replica process. See docs/devengine.md."""
