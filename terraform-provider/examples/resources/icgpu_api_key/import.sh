# Import an API key by its id (ak-...). The secret (`key`) and `expires_in_days` are never
# returned by the API, so they stay null after an import.
terraform import icgpu_api_key.ci ak-0123456789ab
