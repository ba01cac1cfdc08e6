"""The second table: does a page of 100 cost the same whatever the tenant's size?

One tenant per size (100, 10,000 and 100,000 instances by default), all in the run's database and
served by the same ``icgpu serve``. People, teams and memberships go through the CLI and the REST
API; the instances are inserted directly with SQLAlchemy Core bulk inserts on the server's own
table definition (``icgpu.db.tables.Instance``), after the server migrated the database and before
anything is measured, because creating 100,000 instances over the API would take far too long.

Who owns what, in every tenant (exact shares, shuffled with a fixed seed, so the caller's rows are
spread over the whole creation history rather than bunched at one end):

* 10% belong to a teammate and are shared with a team the caller is in (the caller sees them);
* the rest, in a tenant of 100 (one page), are the caller's own: the caller sees all 100, a full page;
* in bigger tenants the rest are split: 30% of all the caller's own, 20% the teammate's private
  ones, 30% an outsider's private ones, 10% the outsider's shared with a team the caller is not in;
  and 5% of all are terminated (the list leaves them out). The caller sees about 38% of the tenant.

Every response is checked against the page the rules above give: exactly these 100 ids, in this
order (created_at, id), and a nextToken exactly when more visible instances exist.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from backends import tenant_id
from harness import BenchError, Deadline, Proc, Result, Target, cli, verdict

SIZES = (100, 10_000, 100_000)
PAGE = 100
CHUNK = 5_000  # rows per bulk INSERT transaction
SEED = 7
TARGET_RATIO = 1.5  # issue 7: latency at 100,000 instances within 1.5x of the latency at 100
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJlbmNoLWtleS1mb3ItbGlzdC1pbnN0YW5jZXMtMzJi bench@host"
ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # icgpu.ids: lowercase letters and digits


@dataclass
class SizedTenant:
    size: int
    name: str
    tenant_id: str
    caller: str  # account id
    api_key: str
    teammate: str
    outsider: str
    team: str  # the caller's team, with the teammate in it
    other_team: str  # the outsider's team, without the caller
    expected: list[str] | None = None  # the ids of the caller's first page
    visible: int = 0  # live instances the caller can see
    shared: int = 0  # of which shared with the caller's team

    def check(self, r: httpx.Response) -> None:
        if r.status_code != 200:
            raise BenchError(f"HTTP {r.status_code}: {r.text[:500]}")
        body = r.json()
        ids = [i["id"] for i in body["instances"]]
        if ids != self.expected:
            raise BenchError(f"tenant of {self.size}: not the expected page "
                             f"({len(ids)} items, first {ids[:2]}, expected first {(self.expected or [])[:2]})")
        if bool(body.get("nextToken")) != (self.visible > PAGE):
            raise BenchError(f"tenant of {self.size}: nextToken {body.get('nextToken')!r} "
                             f"with {self.visible} visible instances")


# --- people and teams (CLI and REST API) ----------------------------------------------------------


def create_people(env: dict[str, str], url: str, deadline: Deadline, size: int) -> SizedTenant:
    name = f"bench-size-{size}"
    boot = {who: json.loads(cli(env, deadline, "admin", "bootstrap", "--tenant", name,
                                "--email", f"{who}@example.com"))
            for who in ("caller", "teammate", "outsider")}
    team = _post(url, boot["caller"]["api_key"], "/api/v1/teams", {"name": "shared"})["id"]
    _post(url, boot["caller"]["api_key"], f"/api/v1/teams/{team}/members",
          {"account_id": boot["teammate"]["account_id"], "role": "member"})
    other = _post(url, boot["outsider"]["api_key"], "/api/v1/teams", {"name": "others"})["id"]
    return SizedTenant(size=size, name=name, tenant_id="", caller=boot["caller"]["account_id"],
                       api_key=boot["caller"]["api_key"], teammate=boot["teammate"]["account_id"],
                       outsider=boot["outsider"]["account_id"], team=team, other_team=other)


def _post(url: str, key: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(url + path, json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30.0)
    if r.status_code != 201:
        raise BenchError(f"POST {path}: HTTP {r.status_code}: {r.text[:500]}")
    out: dict[str, Any] = r.json()
    return out


# --- instances (bulk insert) ----------------------------------------------------------------------


# Who owns an instance and which team it is shared with, by share of the tenant (see the docstring).
MIX_SMALL = (("teammate", "team", 0.10), ("caller", None, 0.90))
MIX = (("teammate", "team", 0.10), ("caller", None, 0.30), ("teammate", None, 0.20), ("outsider", None, 0.30),
       ("outsider", "other_team", 0.10))
TERMINATED = 0.05  # of the instances of tenants bigger than a page


def instance_rows(t: SizedTenant, rng: random.Random, start: datetime) -> list[dict[str, Any]]:
    """Every instance of ``t``'s tenant, as rows of the instances table, oldest first: exact shares,
    in a seeded random order."""
    kinds: list[tuple[str, str | None]] = []
    for who, team, share in MIX_SMALL if t.size <= PAGE else MIX:
        kinds += [(who, team)] * round(share * t.size)
    kinds = (kinds + [kinds[-1]] * t.size)[:t.size]  # whatever rounding left over or under
    rng.shuffle(kinds)
    terminated = set(rng.sample(range(t.size), round(TERMINATED * t.size))) if t.size > PAGE else set()
    rows = []
    for i, (who, team_of) in enumerate(kinds):
        owner = getattr(t, who)
        team = getattr(t, team_of) if team_of else None
        dead = i in terminated
        created = start + timedelta(seconds=i, microseconds=rng.randrange(1_000_000))
        rows.append({
            "id": "inst-" + "".join(rng.choice(ID_ALPHABET) for _ in range(12)),
            "tenant_id": t.tenant_id,
            "account_id": owner,
            "name": f"size-{i:06d}",
            "tier": "timesliced",
            "workload_type": "interactive",
            "storage_gb": 10,
            "ssh_key": SSH,
            "ssh_key_group_id": None,
            "team_id": team,
            "status": "terminated" if dead else "pending",
            "status_reason": None,
            "ssh_host": None,
            "ssh_port": None,
            "created_at": created,
            "updated_at": created,
            "terminated_at": created + timedelta(minutes=5) if dead else None,
        })
    return rows


def expect(t: SizedTenant, rows: list[dict[str, Any]]) -> None:
    """What the caller's first page must be, from the visibility rule (own, or shared with my team)."""
    seen = [r for r in rows if r["status"] != "terminated" and (r["account_id"] == t.caller or r["team_id"] == t.team)]
    seen.sort(key=lambda r: (r["created_at"], r["id"]))
    t.expected = [r["id"] for r in seen[:PAGE]]
    t.visible = len(seen)
    t.shared = sum(1 for r in seen if r["team_id"] == t.team)
    if len(t.expected) != min(PAGE, t.visible) or (t.size >= PAGE and len(t.expected) < PAGE):
        raise BenchError(f"tenant of {t.size}: the caller sees only {t.visible} instances, less than a page")


async def _insert(database_url: str, tenants: list[SizedTenant], deadline: Deadline) -> None:
    from sqlalchemy import insert, text

    from icgpu.db.engine import make_engine
    from icgpu.db.tables import Instance

    engine = make_engine(database_url, immediate=True)
    rng = random.Random(SEED)
    start = datetime.now(UTC) - timedelta(days=30)
    try:
        for t in tenants:
            rows = instance_rows(t, rng, start)
            expect(t, rows)
            for i in range(0, len(rows), CHUNK):
                deadline.left(1)
                async with engine.begin() as conn:
                    await conn.execute(insert(Instance), rows[i:i + CHUNK])
        if engine.dialect.name == "postgresql":
            # What autovacuum's analyze would have done by then in a live deployment; without it the
            # plan would depend on whether autovacuum happened to run before the measurement.
            async with engine.begin() as conn:
                await conn.execute(text("ANALYZE instances"))
    finally:
        await engine.dispose()


def populate(env: dict[str, str], url: str, database_url: str, sizes: list[int],
             deadline: Deadline) -> list[SizedTenant]:
    """The tenants, their people and teams (CLI, API), then their instances (bulk insert)."""
    tenants = [create_people(env, url, deadline, size) for size in sizes]
    for t in tenants:
        t.tenant_id = tenant_id(database_url, t.name)
    asyncio.run(_insert(database_url, tenants, deadline))
    return tenants


# --- measuring and reporting ----------------------------------------------------------------------


def targets(tenants: list[SizedTenant], url: str, server: Proc) -> list[Target]:
    return [Target(f"{t.size:,} instances", "API key", url, "GET", f"/api/v1/instances?maxResults={PAGE}",
                   t.check, headers={"Authorization": f"Bearer {t.api_key}"}, proc=server) for t in tenants]


def report(tenants: list[SizedTenant], results: list[Result], *, concurrency: int, duration: float, rounds: int,
           warmup: float, backend: str) -> list[str]:
    """Print the table and the ratio line; return the MISSes."""
    print()
    print(f"List latency by tenant size — REST GET /api/v1/instances?maxResults={PAGE}, API key, {backend}, "
          f"concurrency {concurrency}, {duration:g} s measured per size ({rounds} interleaved slices) "
          f"after {warmup:g} s warm-up")
    head = (f"{'instances in tenant':>19} {'visible to caller':>17} {'team-shared':>11} {'req/s':>8} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'server CPU ms/req':>17}")
    print(head)
    print("-" * len(head))
    for t, r in zip(tenants, results, strict=True):
        cpu = f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "n/a"
        print(f"{t.size:>19,} {t.visible:>17,} {t.shared:>11,} {r.rps:8.1f} {r.pct(0.5):7.2f} {r.pct(0.99):7.2f} "
              f"{cpu:>17}")
    if len(results) < 2:
        return []
    small, big = results[0], results[-1]
    ratios = [("p50", big.pct(0.5) / small.pct(0.5)), ("p99", big.pct(0.99) / small.pct(0.99))]
    if small.cpu_ms and big.cpu_ms is not None:
        ratios.append(("server CPU/req", big.cpu_ms / small.cpu_ms))
    misses = []
    print()
    for what, value in ratios:
        mark = verdict(value, TARGET_RATIO, at_most=True)
        print(f"{what:<15} at {tenants[-1].size:,} / at {tenants[0].size:,} = {value:5.2f}   "
              f"(target ≤ {TARGET_RATIO:.2f})  {mark}")
        if mark == "MISS":
            misses.append(f"tenant size {what} ratio {value:.2f} > {TARGET_RATIO}")
    return misses
