"""Names the tests share: demo accounts by role and the municipalities they work in."""

from django.contrib.auth import get_user_model

PESTRAVKA = "36632000"  # OKTMO of Пестравский район — МЦУ of the seed decree No 530
TOLYATTI = "36740000"


def user(username: str):
    return get_user_model().objects.get(username=username)


def client_token(username: str, *, name: str | None = None) -> str:
    """A token of an integration client with the role and organisation of the demo account `username`
    (cur/api_clients.py): what that account's system would send as `Authorization: Bearer …`."""
    from cur.api_clients import CLIENT_ROLES, api_client_create, api_token_issue

    membership = user(username).membership
    # a machine is an integrator, an operator or an executor: a centre's other roles act as its operator
    role = membership.role if membership.role in CLIENT_ROLES else "operator"
    client = api_client_create(name=name or f"Система {username}", role=role, centre=membership.centre,
                               agency=membership.agency)
    return api_token_issue(client=client).raw
