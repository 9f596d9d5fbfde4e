"""The audit trail: written by triggers, never editable by the application."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from gridmap.accounts.models import UserEvent
from gridmap.grids.models import GridAssignment, GridAssignmentEvent, GridEvent
from gridmap.patrols.models import PatrolEvent

pytestmark = pytest.mark.django_db
EVENT_MODELS = [UserEvent, GridEvent, GridAssignmentEvent, PatrolEvent]


@pytest.fixture
def a_patrol():
    from gridmap.patrols.services import patrol_record
    from tests.factories import inside, officer_of

    lon, lat = inside("120118106-001")
    return patrol_record(actor=officer_of("120118106-001"), lon=lon, lat=lat)


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda m: m.__name__)
def test_event_tables_refuse_update_and_delete_through_the_orm(model, a_patrol):
    assert model.objects.exists()
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        model.objects.update(pgh_label="forged")
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        model.objects.all().delete()


def test_event_tables_refuse_raw_sql_too():
    table = GridAssignmentEvent._meta.db_table
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET pgh_label = 'forged'")


def test_user_history_keeps_no_password_and_ignores_sign_ins(django_user_model):
    assert not {"password", "last_login"} & {f.name for f in UserEvent._meta.fields}
    user = django_user_model.objects.create(username="hist-user", full_name="甲")
    user.set_password("another-secret-1")
    user.save()
    from django.utils import timezone

    user.last_login = timezone.now()
    user.save()
    assert UserEvent.objects.filter(pgh_obj=user).count() == 1
    user.phone = "13800000000"
    user.save()
    assert list(UserEvent.objects.filter(pgh_obj=user).values_list("pgh_label", flat=True)) == ["insert", "update"]


def test_assignment_changes_outside_services_are_recorded_too():
    assignment = GridAssignment.objects.first()
    assignment.note = "直接修改"
    assignment.save()
    assert GridAssignmentEvent.objects.filter(pgh_obj=assignment, pgh_label="update", note="直接修改").exists()
