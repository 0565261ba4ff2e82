"""Which way a metric named by train's summary is better (surviving mutant of comparison)."""

from churn.comparison import direction


def test_the_saved_models_validation_auc_and_log_loss_are_judged():
    assert direction("valid_roc_auc") == 1
    assert direction("valid_log_loss") == -1
    assert direction("boosted_rounds") == 0
