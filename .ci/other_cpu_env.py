"""Print the environment that makes this machine compute like another CPU, one ``KEY=VALUE`` a line.

CI runs the golden tests a second time under it, so digests that depend on the CPU fail here, not on a
user's machine:
- numpy: every SIMD target it dispatches to at run time on this machine is disabled
  (``NPY_DISABLE_CPU_FEATURES``; on an AVX-512 machine that is the AVX-512 targets and AVX2, here AVX2),
  so its loops run the baseline code another CPU would;
- numba: ``NUMBA_CPU_NAME=generic``, code compiled for no particular CPU;
- OpenBLAS: another core type than the one it picked (``OPENBLAS_CORETYPE``: Haswell, or Sandybridge where
  this machine already runs the Haswell kernels, as Haswell and Zen CPUs do).
"""

from __future__ import annotations

import os

import numpy as np
from threadpoolctl import threadpool_info

try:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # numpy < 2
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__

#: OpenBLAS core types that run the same kernels (Zen uses Haswell's).
SAME_KERNELS = {"haswell": "haswell", "zen": "haswell"}


def openblas_core() -> str:
    """The core type numpy's OpenBLAS runs here (OPENBLAS_CORETYPE when set, else what it detected)."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return os.environ["OPENBLAS_CORETYPE"]
    np.ones(1) @ np.ones(1)  # loads OpenBLAS
    cores = [i.get("architecture", "") for i in threadpool_info() if i.get("internal_api") == "openblas"]
    return cores[0] if cores else ""


def other_cpu_env() -> dict[str, str]:
    here = openblas_core().lower()
    other = "Sandybridge" if SAME_KERNELS.get(here, here) == "haswell" else "Haswell"
    dispatched = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    env = {"NUMBA_CPU_NAME": "generic", "OPENBLAS_CORETYPE": other}
    if dispatched:
        env["NPY_DISABLE_CPU_FEATURES"] = ",".join(dispatched)
    return env


if __name__ == "__main__":
    for key, value in other_cpu_env().items():
        print(f"{key}={value}")
