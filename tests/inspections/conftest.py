import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import EnforcementCertificate
from tests.factories import officer_of

CELL = "120118108-005"


@pytest.fixture
def cell_enterprise(db):
    return Enterprise.objects.filter(cell__code=CELL).order_by("pk").first() or \
        Enterprise.objects.filter(cell__isnull=False).order_by("pk").first()


@pytest.fixture
def officer(cell_enterprise):
    return officer_of(cell_enterprise.cell.code)


@pytest.fixture
def enforcers(db):
    """Two law-enforcement staff (supervisor group) with certificates valid through 2030."""
    from django.contrib.auth.models import Group

    people = []
    for i in (1, 2, 3):
        user, _ = get_user_model().objects.get_or_create(username=f"testlaw{i}", defaults={"full_name": f"执法{i}"})
        user.groups.add(Group.objects.get_or_create(name="bureau_staff")[0])
        EnforcementCertificate.objects.get_or_create(
            number=f"TEST-{i:03d}", defaults={"user": user, "issued": dt.date(2020, 1, 1),
                                              "expires": dt.date(2030, 12, 31) if i < 3 else dt.date(2021, 1, 1)})
        people.append(user)
    return people
