import os

import pytest
from django.db import connection

from gridmap.demo.sample import sample_load

# Playwright's sync API runs an event loop in the test thread; our tests touch the database
# only outside browser calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The sample district, loaded once into the test database (committed)."""
    with django_db_blocker.unblock():
        sample_load(log=lambda *args: None)


def table_checksum(*tables: str) -> dict[str, str]:
    """Row count and a digest of every row, to prove an operation changed nothing."""
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) "
                           f"FROM {table} t")
            result[table] = cursor.fetchone()
    return result


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def supervisor(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="supervisor")


@pytest.fixture
def supervisor_client(api_client, supervisor):
    api_client.force_authenticate(supervisor)
    return api_client


def pytest_collection_modifyitems(config, items):
    # Playwright's sync API leaves an asyncio loop running in the test thread once it has
    # started; code that calls async_to_sync there (Procrastinate's defer, in the jobs tests)
    # would then refuse to run. The browser tests go last, in their own order.
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
