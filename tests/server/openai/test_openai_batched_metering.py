"""The gateway's metering suites again, on a server that batches settlements
(``ICGPU_LLM_METERING_FLUSH_MS``, services/token_ledger.py): the same assertions hold — headers,
usage rows, the balance read right after a call (a read writes the pending batch first), 402 before
the upstream is called, nothing charged for a refused call, a small balance never overdrawn by a
burst of parallel calls, a stream cut short settled. The tests are the other modules' own,
collected here against this module's server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.openai.conftest import gateway_env
from tests.server.openai.test_openai_client import (  # noqa: F401  (collected here again)
    test_chat_completion,
    test_chat_completion_async,
    test_max_tokens_beyond_the_context_length_reserves_the_context_length,
    test_stream_with_usage,
    test_usage_counted_by_the_tokenizer_when_the_upstream_reports_none,
)
from tests.server.openai.test_openai_errors import (  # noqa: F401
    test_insufficient_tokens_is_402,
    test_upstream_down_is_502_with_retry_after,
    test_upstream_refusal_is_400_and_failure_502_nothing_charged,
)
from tests.server.openai.test_openai_streaming import (  # noqa: F401
    test_client_disconnect_cancels_the_upstream_and_settles_what_was_used,
    test_parallel_calls_never_overdraw_a_small_balance,
)
from tests.server.openai.upstreams import Upstream
from tests.support.server import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fast: Upstream, slow: Upstream,
           quiet: Upstream) -> Iterator[Server]:
    env = gateway_env(fast, slow, quiet, ICGPU_LLM_METERING_FLUSH_MS="200")
    srv = Server(tmp=Path(tmp_path_factory.mktemp("gw-batched")), extra_env=env).start()
    try:
        yield srv
    finally:
        srv.stop()
