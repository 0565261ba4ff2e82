"""A model file's bytes depend on the training data and params alone, never on how many threads
the machine's BLAS may start: dvc.lock records the model's md5."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from churn.fitting import fit_logistic
from tests.code.test_model import PARAMS

LOGISTIC = dataclasses.replace(PARAMS, model="logistic_regression")


def wide_frame(rows: int = 20_000, columns: int = 30) -> pd.DataFrame:
    """Large enough that OpenBLAS splits its matrix-vector products over threads (at 5,000 x 20
    it did not, and the fits agreed)."""
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, columns))
    labels = (values[:, 0] + rng.normal(size=rows) > 1).astype(int)
    return pd.DataFrame(values, columns=[f"f{i}" for i in range(columns)]).assign(y=labels)


def test_the_logistic_fit_is_the_same_with_one_blas_thread_or_two():
    """Before, the coefficients moved in the 14th digit between 1 and 2 BLAS threads, so the
    model's md5 (and dvc.lock) depended on the machine's core count."""
    frame = wide_frame()
    fits = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads):
            fits.append(fit_logistic(frame, "y", LOGISTIC, seed=42))
    assert fits[0] == fits[1]
