"""Reads of attachments, always through the scope of appeals (cur/scoping.py): a file of an appeal the
user may not see does not exist for them (404), like the appeal itself.

The files of the appeal itself — the citizen's photos and scans, a letter with its signature — are personal
data a file cannot be masked in (152-ФЗ): roles without access to personal data (curators) see how many
there are, never the files; the files of the answers (the bodies' photo reports and acts) they do see."""

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
    # the appeal's own files a role without personal data may not open: only their number is shown
    withheld: int = 0

    def __bool__(self) -> bool:
        return bool(self.appeal or self.answers)


def card_files(*, appeal: Appeal, user) -> CardFiles:
    """All files of an appeal the user already sees (the card's own scoped appeal), in one query."""
    personal = can_see_personal_data(user)
    files = CardFiles()
    rows = (Attachment.objects.filter(appeal_id=appeal.pk).defer("sha256").order_by("created_at", "pk"))
    for attachment in rows:
        if not attachment.answer_id and not personal:
            files.withheld += 1
            continue
        _label(attachment, personal=personal)
        (files.answers if attachment.answer_id else files.appeal).append(attachment)
    return files


def attachment_get(*, user, pk: int) -> Attachment:
    """One file whose appeal the user may see, or 404."""
    visible = scope_appeals(Appeal.objects.all(), user).values("pk")
    files = Attachment.objects.filter(appeal_id__in=visible)
    personal = can_see_personal_data(user)
    if not personal:  # the citizen's own files are personal data (see the module's docstring)
        files = files.filter(answer__isnull=False)
    return _label(get_object_or_404(files, pk=pk), personal=personal)


def _label(attachment: Attachment, *, personal: bool) -> Attachment:
    # a file name may carry a surname («Иванов_паспорт.pdf»): masked as the card's texts are (152-ФЗ)
    # («Иванов_паспорт.pdf»: the masking reads words, so underscores are read as the spaces they stand for)
    attachment.name = attachment.original_name if personal else visible_text(
        attachment.original_name.replace("_", " "), personal=False)
    attachment.type_label = type_label(attachment.content_type)
    attachment.size_label = size_label(attachment.size)
    return attachment
