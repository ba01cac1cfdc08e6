"""client.functions (Python SDK, sync and async) against a live server, through the SDK only."""

from __future__ import annotations

import pytest
from ic_gpu import ICGPU, AsyncICGPU, ConflictError, NotFoundError, ValidationError

from tests.support.server import Server

pytestmark = pytest.mark.db_independent

ECHO = ("python3 -c 'import json,os,sys; d=json.load(sys.stdin); "
        "print(json.dumps({\"n\": d[\"n\"], \"s\": os.environ[\"S\"]}))'")


def test_function_lifecycle(client: ICGPU) -> None:
    fns = client.functions
    dry = fns.create(name="dry", image="a/b:1", entrypoint="true", dry_run=True)
    assert dry.dry_run and dry.valid and dry.function.status == "active"
    made = fns.create(name="classifier", image="registry.gpu.local/t/c:v1", entrypoint=ECHO, gpu_tier="mig",
                      timeout_seconds=60, env_vars={"P": "1"}, secret_env_vars={"S": "hidden-value"})
    fn = made.function
    assert fn.id.startswith("fn-") and fn.gpu_tier == "mig" and fn.env_vars == {"P": "1"}
    assert fn.secret_env_var_names == ["S"] and "hidden-value" not in fn.model_dump_json()
    assert [f.id for f in fns.list()] == [fn.id] and fns.get(fn.id).name == "classifier"

    run = fns.run(fn.id, {"n": 3}).run
    assert run.id.startswith("run-") and run.status.value == "QUEUED"
    done = fns.wait_run(run.id, timeout=30, interval=0.1)
    assert done.status.value == "SUCCEEDED" and done.output == {"n": 3, "s": "hidden-value"}
    assert done.cost is not None and done.exit_code == 0
    assert [r.id for r in fns.runs(fn.id, status="succeeded")] == [run.id]
    assert list(fns.runs(fn.id, status="failed")) == []

    updated = fns.update(fn.id, entrypoint="sleep 60").function
    assert updated.entrypoint == "sleep 60"
    slow = fns.run(fn.id).run
    cancelled = fns.cancel_run(slow.id).run
    assert cancelled.status.value == "CANCELLED"
    with pytest.raises(ConflictError):
        fns.cancel_run(slow.id)

    assert fns.delete(fn.id).function.status == "deleted"
    with pytest.raises(ConflictError):
        fns.run(fn.id)
    with pytest.raises(NotFoundError):
        fns.get("fn-doesnotexist")


def test_function_validation_errors(client: ICGPU) -> None:
    for kwargs, field in (({"gpu_tier": "h100"}, "gpuTier"), ({"timeout_seconds": 0}, "timeoutSeconds"),
                          ({"env_vars": {"1X": "y"}}, "envVars"), ({"name": "Bad Name"}, "name")):
        args = {"name": "ok", "image": "a/b", "entrypoint": "true", **kwargs}
        with pytest.raises(ValidationError) as info:
            client.functions.create(**args)  # type: ignore[arg-type]
        assert info.value.field == field, (kwargs, info.value)
    assert list(client.functions.list()) == []


async def test_async_functions(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        fns = client.functions
        fn = (await fns.create(name="async-fn", image="a/b", entrypoint="cat")).function
        run = (await fns.run(fn.id, {"x": [1, 2]})).run
        done = await fns.wait_run(run.id, timeout=30, interval=0.1)
        assert done.status.value == "SUCCEEDED" and done.output == {"x": [1, 2]}
        assert [r.id async for r in fns.runs(fn.id)] == [run.id]
        assert [f.id async for f in fns.list()] == [fn.id]
        assert (await fns.get_run(run.id)).id == run.id
        assert (await fns.update(fn.id, timeout_seconds=5)).function.timeout_seconds == 5
        assert (await fns.delete(fn.id)).function.status == "deleted"
