"""How passwords are stored: Argon2id at the parameters the OWASP Password Storage Cheat
Sheet recommends (19 MiB of memory, 2 passes, 1 lane).

Argon2id is memory-hard, so a cracking GPU gains far less on it than on PBKDF2, which Django
uses by default at 1,000,000 rounds. That PBKDF2 cost ~0.5 s of a core for every sign-in and
token, and `make loadtest`'s mix (5 token sign-ins in every 1,000 requests) spent more CPU on
it than two cores have (bench/RESULTS.md). These parameters cost ~40 ms. Django's own Argon2
defaults (100 MiB, 8 lanes) cost ~220 ms here without a stronger guarantee than OWASP's.

Stored hashes of other parameters or algorithms still verify and are re-hashed with these at
the user's next sign-in (Django's must_update)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    # The algorithm's name stays "argon2": every Argon2 hash verifies with its own parameters.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
