"""Benchmark of the Terraform scanner: `python -m bench [--checkov]` (see __main__)."""
