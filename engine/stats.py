"""Small statistics helpers for reports and series."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def percentiles(values: Sequence[float], qs: Sequence[float]) -> tuple[float, ...]:
    """The qs percentiles of values (linear interpolation); zeros when there are none."""
    if len(values) == 0:
        return tuple(0.0 for _ in qs)
    arr = np.frombuffer(values, dtype=np.float64) if hasattr(values, "typecode") else np.asarray(values, float)
    return tuple(float(v) for v in np.percentile(arr, qs))
