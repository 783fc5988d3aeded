"""The installation's administrator: created once with a generated password, never a fixed one."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

ADMIN_USERNAME = "admin"


@transaction.atomic
def administrator_ensure(*, stdout=None) -> str | None:
    """Create the superuser `admin` when the installation has no superuser yet and return its password,
    generated here and written to `stdout` this once (the database keeps only its hash); None, and
    nothing written, when a superuser exists."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(15)
    User.objects.create_superuser(username=ADMIN_USERNAME, email="", password=password)
    if stdout is not None:
        stdout.write(
            f"Создан администратор: логин {ADMIN_USERNAME}, пароль: {password} — показан один раз, "
            f"сохраните его (сменить: manage.py changepassword {ADMIN_USERNAME})."
        )
    return password
