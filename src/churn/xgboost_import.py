"""XGBoost for scoring, imported without scikit-learn: xgboost.compat loads scikit-learn when it
is installed (about 1.3 s of the 3 s that batch scoring, drift and the API took to start), for
sklearn-style wrappers churn never uses. Stages that use scikit-learn import it themselves."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def xgboost_without_sklearn() -> ModuleType:
    """The xgboost module; when neither it nor scikit-learn is loaded yet, imported with
    scikit-learn hidden (xgboost then takes its branch for a machine without it), which a
    later `import sklearn` does not notice."""
    if "xgboost" in sys.modules or "sklearn" in sys.modules:
        return importlib.import_module("xgboost")
    sys.modules["sklearn"] = None  # type: ignore[assignment]  # import fails: no sklearn
    try:
        return importlib.import_module("xgboost")
    finally:
        del sys.modules["sklearn"]


xgb = xgboost_without_sklearn()
