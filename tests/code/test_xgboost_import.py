"""Batch scoring, drift, the API and XGBoost training start without scikit-learn (xgboost.compat
loaded it: 1.3 s of a 3 s start), and scikit-learn imported after them works as ever."""

import subprocess
import sys

from tests.helpers import REPO

CHECK = """
import sys
import churn.predict, churn.serve, churn.train
assert "sklearn" not in sys.modules, "scikit-learn loaded by scoring's or training's imports"
import sklearn.metrics
import churn.fitting
assert sklearn.metrics.roc_auc_score([0, 1], [0.2, 0.8]) == 1.0
print("ok")
"""


def test_scoring_imports_leave_sklearn_unloaded_and_importable():
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
