"""Passwords are stored with Argon2id at OWASP's parameters; hashes stored before (Django's
PBKDF2, Argon2 at other parameters) still sign in and are re-hashed at that sign-in. The
test settings use a fast hasher, so these tests put the production list back."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, make_password

from gridmap.settings.base import PASSWORD_HASHERS

pytestmark = pytest.mark.django_db
PASSWORD = "长夜巡查-2026"


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS


def user_with(encoded: str):
    return get_user_model().objects.create(username="hash-probe", password=encoded)


def test_a_new_password_is_argon2id_at_owasp_parameters(production_hashers):
    encoded = make_password(PASSWORD)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("old_hasher", [PBKDF2PasswordHasher, Argon2PasswordHasher],
                         ids=["pbkdf2", "argon2-django-defaults"])
def test_an_older_hash_signs_in_and_is_rehashed(production_hashers, api_client, old_hasher):
    hasher = old_hasher()
    user = user_with(hasher.encode(PASSWORD, hasher.salt()))
    response = api_client.post("/api/auth/token/", {"username": "hash-probe", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_a_wrong_password_leaves_the_old_hash(production_hashers, api_client):
    hasher = PBKDF2PasswordHasher()
    old = hasher.encode(PASSWORD, hasher.salt())
    user = user_with(old)
    response = api_client.post("/api/auth/token/", {"username": "hash-probe", "password": "wrong"}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.password == old
