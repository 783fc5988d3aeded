"""Reads of attachments, always through the scope of appeals (cur/scoping.py): a file of an appeal the
user may not see does not exist for them (404), like the appeal itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404

from appeals.attachments.validation import size_label, type_label
from appeals.models import Appeal, Attachment
from appeals.privacy import visible_text
from cur.scoping import can_see_personal_data, scope_appeals


@dataclass
class CardFiles:
    """The card's files: those of the appeal itself and those of its answers (each with `type_label`,
    `size_label` and `name` — the file name as the user may read it)."""

    appeal: list[Attachment] = field(default_factory=list)
    answers: list[Attachment] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.appeal or self.answers)


def card_files(*, appeal: Appeal, user) -> CardFiles:
    """All files of an appeal the user already sees (the card's own scoped appeal), in one query."""
    personal = can_see_personal_data(user)
    files = CardFiles()
    rows = (Attachment.objects.filter(appeal_id=appeal.pk).defer("sha256").order_by("created_at", "pk"))
    for attachment in rows:
        _label(attachment, personal=personal)
        (files.answers if attachment.answer_id else files.appeal).append(attachment)
    return files


def attachment_get(*, user, pk: int) -> Attachment:
    """One file whose appeal the user may see, or 404."""
    visible = scope_appeals(Appeal.objects.all(), user).values("pk")
    attachment = get_object_or_404(Attachment.objects.filter(appeal_id__in=visible), pk=pk)
    return _label(attachment, personal=can_see_personal_data(user))


def _label(attachment: Attachment, *, personal: bool) -> Attachment:
    # a file name may carry a surname («Иванов_паспорт.pdf»): masked as the card's texts are (152-ФЗ)
    # («Иванов_паспорт.pdf»: the masking reads words, so underscores are read as the spaces they stand for)
    attachment.name = attachment.original_name if personal else visible_text(
        attachment.original_name.replace("_", " "), personal=False)
    attachment.type_label = type_label(attachment.content_type)
    attachment.size_label = size_label(attachment.size)
    return attachment
