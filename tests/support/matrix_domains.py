"""The row generators of the authorization matrix beyond instances, teams and keys: one
``rows()`` per resource family, in its own module (``tests/support/matrix_<family>.py``), built from
``tests/support/matrix_cases``. A new family adds its import and one entry here."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tests.support import matrix_clusters, matrix_functions, matrix_slurm, matrix_vm_disks, matrix_vms
from tests.support.matrix_cases import Case
from tests.support.matrix_models import rows as model_rows  # issue 11: model deployments
from tests.support.matrix_tokens import rows as token_rows  # issue 11: prepaid tokens and spending alerts

DOMAIN_ROWS: list[Callable[[], Iterator[Case]]] = [
    matrix_slurm.rows,
    matrix_clusters.rows,
    matrix_functions.rows,
    matrix_vm_disks.rows,
    matrix_vms.rows,
    token_rows,
    model_rows,
]
