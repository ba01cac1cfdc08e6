"""ic_gpu: the Python SDK of the IC GPU API.

    from ic_gpu import ICGPU
    client = ICGPU()  # ICGPU_API_KEY, ICGPU_BASE_URL
    for inst in client.instances.list():
        print(inst.name, inst.status)
"""

from ._client import ICGPU, AsyncICGPU
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    ICGPUError,
    InsufficientTokensError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SecretUnavailableError,
    ServiceUnavailableError,
    ValidationError,
)
from ._pagination import AsyncPage, SyncPage

__version__ = "0.1.0"

__all__ = [
    "ICGPU",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncICGPU",
    "AsyncPage",
    "AuthenticationError",
    "ConflictError",
    "ICGPUError",
    "InsufficientTokensError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SecretUnavailableError",
    "ServiceUnavailableError",
    "SyncPage",
    "ValidationError",
    "__version__",
]
