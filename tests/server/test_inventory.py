"""The simulated node's inventory syntax (ICGPU_LOCAL_INVENTORY), as pure unit tests."""

from __future__ import annotations

from collections import Counter

import pytest

from icgpu.provisioning.local.inventory import TIERS, Slot, parse_inventory
from icgpu.services.tiers import TIERS as CATALOGUE
from icgpu.settings import Settings

pytestmark = pytest.mark.db_independent  # runs once, not once per database


def by_tier(slots: list[Slot]) -> dict[str, int]:
    return dict(Counter(s.tier for s in slots))


def test_default_inventory() -> None:
    slots = parse_inventory(Settings.model_fields["local_inventory"].default)
    assert by_tier(slots) == {"dedicated": 4, "mig": 14, "timesliced": 8}
    assert [s.index for s in slots] == list(range(len(slots)))
    assert len({s.name for s in slots}) == len(slots), "every slot has its own name"


def test_whole_gpus_mig_slices_and_time_sliced_shares() -> None:
    slots = parse_inventory("dedicated=2,mig=1x3,timesliced=2x2")
    assert [(s.name, s.tier) for s in slots] == [
        ("gpu0", "dedicated"), ("gpu1", "dedicated"),
        ("gpu2/mig0", "mig"), ("gpu2/mig1", "mig"), ("gpu2/mig2", "mig"),
        ("gpu3/ts0", "timesliced"), ("gpu3/ts1", "timesliced"),
        ("gpu4/ts0", "timesliced"), ("gpu4/ts1", "timesliced"),
    ]
    assert [s.index for s in slots] == list(range(9))


def test_gpus_are_numbered_in_the_order_written() -> None:
    slots = parse_inventory("timesliced=1x2, mig=1x2 ,dedicated=1")
    assert [s.name for s in slots] == ["gpu0/ts0", "gpu0/ts1", "gpu1/mig0", "gpu1/mig1", "gpu2"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", {}),
    ("dedicated=1", {"dedicated": 1}),
    ("mig=1x2", {"mig": 2}),
    ("timesliced=1x1", {"timesliced": 1}),
    ("mig=2", {"mig": 2}),  # one slice per GPU when the share count is left out
    ("dedicated=0,mig=0x7", {}),
    ("dedicated=1x1", {"dedicated": 1}),
    ("dedicated=1,,mig=1x2,", {"dedicated": 1, "mig": 2}),
])
def test_valid_entries(text: str, expected: dict[str, int]) -> None:
    assert by_tier(parse_inventory(text)) == expected


@pytest.mark.parametrize("text", [
    "gpu=1",  # unknown tier
    "dedicated",  # no count
    "dedicated=two",
    "mig=1xseven",
    "mig=x7",
    "mig=1x",  # a share count promised but not given
    "dedicated=-1",
    "mig=1x0",
    "timesliced=1x-2",
    "dedicated=1x2",  # a dedicated GPU is never shared
    "dedicated=1,dedicated=2",  # each tier once
    "=3",
])
def test_invalid_entries_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bad inventory entry"):
        parse_inventory(text)


def test_every_catalogue_tier_can_be_stocked() -> None:
    assert set(TIERS) == set(CATALOGUE)
    for tier in TIERS:
        assert by_tier(parse_inventory(f"{tier}=1")) == {tier: 1}
