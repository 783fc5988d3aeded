"""`manage.py api_token "Портал г. о. Самара" [--create --role integrator --centre ЦУР] [--days 365]` — issue a
token of an integration client (created first with --create), printed once: the same as the admin's action, for
scripts and first setups."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cur.api_clients import CLIENT_ROLES, api_client_create, api_token_issue
from cur.models import Agency, ApiClient, Centre


class Command(BaseCommand):
    help = "Выпустить токен клиента интеграции (с --create — создать клиента)."

    def add_arguments(self, parser):
        parser.add_argument("client", help="название клиента")
        parser.add_argument("--create", action="store_true", help="создать клиента, если его нет")
        parser.add_argument("--role", choices=[str(role) for role in CLIENT_ROLES], default="integrator")
        parser.add_argument("--centre", help="краткое название центра (ЦУР или МЦУ)")
        parser.add_argument("--agency", help="код органа (для исполнителя)")
        parser.add_argument("--days", type=int, help="срок действия токена, дней (по умолчанию — бессрочно)")

    def handle(self, *args, client, create, role, centre, agency, days, **options):
        found = ApiClient.objects.filter(name=client).first()
        try:
            if found is None:
                if not create:
                    raise CommandError(f"Клиента «{client}» нет: добавьте --create --role … --centre …")
                found = api_client_create(
                    name=client, role=role,
                    centre=Centre.objects.get(short_name=centre) if centre else None,
                    agency=Agency.objects.get(code=agency) if agency else None)
            expires = timezone.now() + timedelta(days=days) if days else None
            issued = api_token_issue(client=found, expires_at=expires)
        except (Centre.DoesNotExist, Agency.DoesNotExist) as error:
            raise CommandError(f"Не найден центр или орган: {error}") from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(issued.raw)
