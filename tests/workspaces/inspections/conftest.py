# The inspections app's fixtures (an enterprise in a cell, its officer, enforcement staff).
from tests.inspections.conftest import cell_enterprise, enforcers, officer  # noqa: F401
