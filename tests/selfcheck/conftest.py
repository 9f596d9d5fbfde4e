import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from gridmap.enterprises.models import Enterprise
from gridmap.grids.models import GridAssignment
from tests.factories import officer_of


def sample_enterprise(*, exclude_cell=None, criteria_sector: bool = False) -> Enterprise:
    """A sample enterprise with a cell on duty, risk points and its sample account."""
    queryset = (Enterprise.objects.filter(cell__isnull=False, risk_points__isnull=False,
                                          cell__in=GridAssignment.objects.filter(role="cell_officer").values("grid"))
                .distinct().order_by("id"))
    if exclude_cell is not None:
        queryset = queryset.exclude(cell=exclude_cell)
    return queryset.select_related("cell").first()


@pytest.fixture
def enterprise(db):
    return sample_enterprise()


@pytest.fixture
def other_enterprise(db, enterprise):
    return sample_enterprise(exclude_cell=enterprise.cell)


@pytest.fixture
def account(enterprise):
    return get_user_model().objects.get(username=enterprise.credit_code)


@pytest.fixture
def enterprise_api(account):
    client = APIClient()
    client.force_authenticate(account)
    return client


@pytest.fixture
def cell_officer(enterprise):
    return officer_of(enterprise.cell.code)


@pytest.fixture
def other_officer(other_enterprise):
    return officer_of(other_enterprise.cell.code)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
