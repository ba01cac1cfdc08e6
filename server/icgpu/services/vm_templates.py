"""The VM template catalogue: fixed, readable ids, each with the image it boots, its default GPU tier
(None: a CPU-only template) and the default and maximum size of a VM made from it. Public, like the
GPU tier list: no authentication needed."""

from __future__ import annotations

from dataclasses import dataclass

from icgpu.errors import NotFound


@dataclass(frozen=True)
class VmTemplate:
    id: str
    name: str
    description: str
    os: str
    gpu_tier: str | None  # the default tier of a VM made from it; None: CPU only
    default_cpu: int
    max_cpu: int
    default_memory_gb: int
    max_memory_gb: int
    default_disk_gb: int
    min_disk_gb: int  # the image's size: a boot disk cannot be smaller
    max_disk_gb: int

    @property
    def gpu(self) -> bool:
        return self.gpu_tier is not None


TEMPLATES: dict[str, VmTemplate] = {
    t.id: t
    for t in (
        VmTemplate(
            id="tpl-ubuntu-gpu",
            name="Ubuntu 22.04 with CUDA",
            description="Ubuntu 22.04 LTS with the NVIDIA driver, CUDA 12 and cuDNN; a whole GPU by default.",
            os="ubuntu-22.04",
            gpu_tier="dedicated",
            default_cpu=8, max_cpu=32,
            default_memory_gb=32, max_memory_gb=256,
            default_disk_gb=100, min_disk_gb=30, max_disk_gb=2000,
        ),
        VmTemplate(
            id="tpl-ubuntu-mig",
            name="Ubuntu 22.04 with CUDA on a MIG slice",
            description="Ubuntu 22.04 LTS with the NVIDIA driver and CUDA 12 on a Multi-Instance GPU slice.",
            os="ubuntu-22.04",
            gpu_tier="mig",
            default_cpu=4, max_cpu=16,
            default_memory_gb=16, max_memory_gb=64,
            default_disk_gb=50, min_disk_gb=30, max_disk_gb=1000,
        ),
        VmTemplate(
            id="tpl-ubuntu-cpu",
            name="Ubuntu 22.04 (CPU only)",
            description="Ubuntu 22.04 LTS without a GPU, for build machines, bastions and services.",
            os="ubuntu-22.04",
            gpu_tier=None,
            default_cpu=2, max_cpu=16,
            default_memory_gb=4, max_memory_gb=64,
            default_disk_gb=20, min_disk_gb=10, max_disk_gb=500,
        ),
    )
}


def get_template(template_id: str) -> VmTemplate:
    template = TEMPLATES.get(template_id)
    if template is None:
        raise NotFound(f"VM template {template_id} not found")
    return template


class VmTemplateService:
    """The public catalogue (a service so every adapter reads it the same way)."""

    def list(self) -> list[VmTemplate]:
        return list(TEMPLATES.values())

    def get(self, template_id: str) -> VmTemplate:
        return get_template(template_id)
