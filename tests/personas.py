"""Names the tests share: demo accounts by role and the municipalities they work in."""

from django.contrib.auth import get_user_model

PESTRAVKA = "36632000"  # OKTMO of Пестравский район — МЦУ of the seed decree No 530
TOLYATTI = "36740000"


def user(username: str):
    return get_user_model().objects.get(username=username)
