"""churn-dvc: reproducible e-commerce churn prediction with DVC."""
