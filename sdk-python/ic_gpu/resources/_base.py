"""What every resource namespace holds: the generated client and the configuration."""

from __future__ import annotations

from .._config import Config
from ..generated.aio import AsyncGeneratedClient
from ..generated.sync import GeneratedClient


class SyncResource:
    def __init__(self, gen: GeneratedClient, config: Config) -> None:
        self._gen = gen
        self._config = config


class AsyncResource:
    def __init__(self, gen: AsyncGeneratedClient, config: Config) -> None:
        self._gen = gen
        self._config = config
