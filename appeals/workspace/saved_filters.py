"""The operators' saved queue views: a name and the filters of the queue, one user's own."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from appeals.models import SavedFilter
from appeals.workspace.filters import filter_query_normalize

MAX_SAVED_FILTERS = 30


@transaction.atomic
def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Keep the user's current queue view under a name; saving under a taken name overwrites it.

    Only the filters and the order are kept (no paging cursor, no empty fields). A saved filter is
    applied as an ordinary query string through the list's filters, so it never shows more than the
    user's scope. Raises ValidationError with a message for the user.
    """
    name = " ".join((name or "").split())
    longest = SavedFilter._meta.get_field("name").max_length
    if not name:
        raise ValidationError("Укажите название фильтра.")
    if len(name) > longest:
        raise ValidationError(f"Название фильтра — не длиннее {longest} знаков.")
    query = filter_query_normalize(query)
    if not query:
        raise ValidationError("Сначала задайте условия: без них фильтр совпадает со всей очередью.")
    if len(query) > SavedFilter._meta.get_field("query").max_length:
        raise ValidationError("Условия фильтра слишком длинные.")
    # Saves of one user are serialised, so the limit holds and a name is never taken twice at once.
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    saved = SavedFilter.objects.filter(user=user, name=name).first()
    if saved is not None:
        saved.query = query
        saved.save(update_fields=["query"])
        return saved
    if SavedFilter.objects.filter(user=user).count() >= MAX_SAVED_FILTERS:
        raise ValidationError(f"Сохранить можно не больше {MAX_SAVED_FILTERS} фильтров — удалите ненужный.")
    return SavedFilter.objects.create(user=user, name=name, query=query)


@transaction.atomic
def saved_filter_delete(*, user, pk: int) -> bool:
    """Delete one of the user's own saved filters; False when there is none such (another user's
    filter is not theirs to delete and is left alone)."""
    deleted, _ = SavedFilter.objects.filter(user=user, pk=pk).delete()
    return deleted > 0
