"""The benchmark (``python -m tests.bench``) and the tools only it needs."""
