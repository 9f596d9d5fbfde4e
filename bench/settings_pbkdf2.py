"""The benchmark settings with Django's default password hashers (PBKDF2, 1,000,000 rounds):
`make loadtest`'s baseline, what the platform stored passwords with before Argon2id."""

from django.conf import global_settings

from bench.settings import *  # noqa: F403

PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
