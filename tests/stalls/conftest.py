"""The stall tablet's tests use the ordering tests' three-stall market, resident and owners."""
from tests.ordering.conftest import owners, resident, shop  # noqa: F401  (pytest fixtures)
