"""Files on the card: the service (rights on the locked row, storage, the timeline), the upload and the
download views (scope: another territory's file is 404), and the answer with files whose evidence is
what was attached."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from appeals.attachments.services import attachments_add
from appeals.attachments.validation import AttachmentRefused
from appeals.lifecycle import transitions
from appeals.lifecycle.quality import NO_EVIDENCE
from appeals.models import Answer, Appeal, AppealEvent, Attachment, Status
from cur.models import Subtopic
from cur.permissions import Forbidden
from tests.attachments.conftest import EXE, docx, jpeg, pdf, png, upload
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

ZHKH = "mup_zhkh_pestravskiy"
REPORT = "Трубы заменены 14.03.2026, подача воды восстановлена в полном объёме."


@pytest.fixture
def working(make_appeal):
    """An appeal of Пестравский in the work of МУП ЖКХ, on a subtopic that requires a photo report."""
    appeal = make_appeal(PESTRAVKA, agency=ZHKH, status=Status.IN_PROGRESS,
                         registered_at=timezone.now() - timedelta(days=1))
    needs_photos = Subtopic.objects.filter(sector__code="housing_utilities", evidence_required=True).first()
    return transitions.appeal_correct(appeal=appeal, by=None, changes={"subtopic": needs_photos})


def files_on_disk(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# the service ---------------------------------------------------------------------------------------


def test_an_operator_attaches_files_kept_with_fingerprint_thumbnail_and_an_event(working, pestravka_operator,
                                                                                  media_root):
    stored = attachments_add(appeal=working, files=[upload("двор.jpg", jpeg(gps=True)), upload("акт.pdf", pdf())],
                             by=pestravka_operator)

    photo, act = stored
    assert (photo.content_type, photo.source, photo.answer_id) == ("image/jpeg", "card", None)
    assert photo.thumbnail and not act.thumbnail
    assert len(photo.sha256) == 64 and photo.uploaded_by == pestravka_operator
    assert photo.file.name.startswith(f"attachments/{working.region_id}/") and "двор" not in photo.file.name
    assert len(files_on_disk(media_root)) == 3  # two files and one thumbnail
    event = AppealEvent.objects.get(appeal=working, kind=AppealEvent.Kind.ATTACHED)
    assert event.actor == pestravka_operator and event.new_value == "2"
    assert event.reason.startswith("2 файла загружено в карточке: двор.jpg (")


def test_a_refused_upload_keeps_nothing(working, pestravka_operator, media_root):
    with pytest.raises(AttachmentRefused):
        attachments_add(appeal=working, files=[upload("a.pdf", pdf()), upload("b.pdf", EXE)], by=pestravka_operator)

    assert not Attachment.objects.filter(appeal=working).exists()
    assert files_on_disk(media_root) == []
    assert not AppealEvent.objects.filter(appeal=working, kind=AppealEvent.Kind.ATTACHED).exists()


@pytest.mark.parametrize("username", ["tolyatti_operator", "pestravka_curator", "executor_minobr"])
def test_nobody_attaches_outside_their_rights_or_territory(working, username, media_root):
    with pytest.raises(Forbidden):
        attachments_add(appeal=working, files=[upload("a.pdf", pdf())], by=user(username))

    assert not Attachment.objects.filter(appeal=working).exists()
    assert files_on_disk(media_root) == []


# the views -----------------------------------------------------------------------------------------


def test_the_card_uploads_several_files_at_once_and_answers_the_script_with_the_panel(client, working,
                                                                                      pestravka_operator):
    client.force_login(pestravka_operator)
    response = client.post(reverse("appeals:attachments_upload", args=[working.pk]),
                           {"files": [upload("a.jpg", jpeg()), upload("b.png", png()), upload("c.docx", docx())]},
                           headers={"X-Requested-With": "XMLHttpRequest"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="attachments"' in html and html.count('class="attachment attachment--image"') == 2
    assert "DOCX," in html and 'loading="lazy"' in html
    assert Attachment.objects.filter(appeal=working).count() == 3


def test_a_refused_upload_answers_400_with_the_reason_and_the_card_without_script_gets_a_message(
        client, working, pestravka_operator):
    client.force_login(pestravka_operator)
    url = reverse("appeals:attachments_upload", args=[working.pk])
    scripted = client.post(url, {"files": [upload("virus.pdf", EXE)]}, headers={"X-Requested-With": "XMLHttpRequest"})
    plain = client.post(url, {"files": [upload("virus.pdf", EXE)]}, follow=True)

    assert scripted.status_code == 400 and "«virus.pdf»" in scripted.content.decode()
    assert plain.status_code == 200 and "«virus.pdf»" in plain.content.decode()
    assert not Attachment.objects.filter(appeal=working).exists()


def test_another_municipalitys_operator_gets_404_for_the_upload_and_for_the_files(client, working,
                                                                                  pestravka_operator):
    photo, = attachments_add(appeal=working, files=[upload("a.jpg", jpeg())], by=pestravka_operator)
    client.force_login(user("tolyatti_operator"))

    assert client.post(reverse("appeals:attachments_upload", args=[working.pk]),
                       {"files": [upload("a.pdf", pdf())]}).status_code == 404
    assert client.get(reverse("appeals:attachment", args=[photo.pk])).status_code == 404
    assert client.get(reverse("appeals:attachment_thumb", args=[photo.pk])).status_code == 404


def test_a_curator_sees_the_answers_files_but_not_the_citizens_own(client, working, pestravka_operator):
    """The citizen's photos and scans are personal data no masking reaches (152-ФЗ): a role without access
    to personal data learns how many there are, never opens one; the body's photo report it does see."""
    scan, = attachments_add(appeal=working, files=[upload("Петров_заявление.pdf", pdf())], by=pestravka_operator)
    answer = transitions.answer_submit(appeal=working, text=REPORT, by=user("executor_pestravka_zhkh"),
                                       files=[upload("после.jpg", jpeg())])
    report = answer.attachments.get()
    client.force_login(user("pestravka_curator"))

    assert client.get(reverse("appeals:attachment", args=[scan.pk])).status_code == 404
    assert client.get(reverse("appeals:attachment_thumb", args=[scan.pk])).status_code == 404
    assert client.get(reverse("appeals:attachment", args=[report.pk])).status_code == 200
    html = client.get(working.get_absolute_url()).content.decode()
    assert "Файлов заявителя: 1" in html and "Петров" not in html
    assert reverse("appeals:attachment", args=[report.pk]) in html
    assert reverse("appeals:attachment", args=[scan.pk]) not in html


def test_an_executor_sees_only_the_files_of_their_bodys_appeals(client, working, make_appeal, pestravka_operator):
    own, = attachments_add(appeal=working, files=[upload("a.pdf", pdf())], by=pestravka_operator)
    school = make_appeal(PESTRAVKA, "education", agency="minobr_so", status=Status.IN_PROGRESS,
                         registered_at=timezone.now())
    other, = attachments_add(appeal=school, files=[upload("b.pdf", pdf())], by=None)

    client.force_login(user("executor_pestravka_zhkh"))
    assert client.get(reverse("appeals:attachment", args=[own.pk])).status_code == 200
    assert client.get(reverse("appeals:attachment", args=[other.pk])).status_code == 404


def test_a_download_names_the_file_sniffs_nothing_and_is_inline_only_for_images_and_pdf(client, working,
                                                                                        pestravka_operator):
    photo, act, sheet = attachments_add(
        appeal=working, by=pestravka_operator,
        files=[upload("фото двора.jpg", jpeg()), upload("photo.jpg", pdf()), upload("смета.docx", docx())])
    client.force_login(pestravka_operator)

    answers = {a.pk: client.get(reverse("appeals:attachment", args=[a.pk])) for a in (photo, act, sheet)}

    assert all(r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff" for r in answers.values())
    assert answers[photo.pk]["Content-Type"] == "image/jpeg"
    assert answers[photo.pk]["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%D1%84%D0%BE%D1%82%D0%BE" in answers[photo.pk]["Content-Disposition"]
    assert answers[act.pk]["Content-Type"] == "application/pdf"  # by content, whatever the name said
    assert answers[act.pk]["Content-Disposition"] == 'inline; filename="photo.jpg.pdf"'
    assert answers[sheet.pk]["Content-Disposition"].startswith("attachment;")
    assert b"".join(answers[act.pk].streaming_content) == pdf()
    thumb = client.get(reverse("appeals:attachment_thumb", args=[photo.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert client.get(reverse("appeals:attachment_thumb", args=[act.pk])).status_code == 404


def test_nothing_serves_the_media_folder(client, working, pestravka_operator):
    photo, = attachments_add(appeal=working, files=[upload("a.jpg", jpeg())], by=pestravka_operator)
    client.force_login(pestravka_operator)

    assert client.get(f"/media/{photo.file.name}").status_code == 404
    assert default_storage.exists(photo.file.name)


def test_the_card_shows_thumbnails_and_file_rows_in_one_query(client, working, pestravka_operator,
                                                              django_assert_max_num_queries):
    attachments_add(appeal=working, files=[upload("a.jpg", jpeg()), upload("акт.pdf", pdf())], by=pestravka_operator)
    client.force_login(pestravka_operator)
    page = client.get(working.get_absolute_url()).content.decode()
    assert 'id="attachments"' in page and "attachment__thumb" in page and "PDF, " in page and "акт.pdf" in page
    assert 'type="file"' in page and "multiple" in page

    attachments_add(appeal=working, files=[upload(f"{n}.pdf", pdf(n)) for n in range(8)], by=pestravka_operator)
    with django_assert_max_num_queries(60) as more:
        client.get(working.get_absolute_url())
    attachments_add(appeal=working, files=[upload(f"x{n}.pdf", pdf(n)) for n in range(8)], by=pestravka_operator)
    with django_assert_max_num_queries(len(more.captured_queries)):  # more files, not more queries
        client.get(working.get_absolute_url())


# the answer with files -----------------------------------------------------------------------------


def test_an_answer_with_two_photos_and_a_pdf_has_evidence_and_no_evidence_flag(client, working):
    executor = user("executor_pestravka_zhkh")
    client.force_login(executor)
    fresh = Appeal.objects.get(pk=working.pk)

    response = client.post(reverse("appeals:action", args=[working.pk, "answer_final"]), {
        "version": fresh.version, "text": REPORT,
        "files": [upload("до.jpg", jpeg()), upload("после.jpg", jpeg(color=(10, 10, 10))), upload("акт.pdf", pdf())],
    })

    assert response.status_code == 302
    answer = Answer.objects.get(appeal=working)
    assert answer.has_evidence and NO_EVIDENCE not in answer.flags
    assert sorted(answer.attachments.values_list("content_type", flat=True)) == [
        "application/pdf", "image/jpeg", "image/jpeg"]
    assert Appeal.objects.get(pk=working.pk).status == Status.ANSWERED
    page = client.get(working.get_absolute_url()).content.decode()
    assert page.count("attachment__thumb") == 2 and "фотоотчёт приложен" not in page


def test_an_answer_without_files_or_with_a_document_only_has_no_evidence(working):
    executor = user("executor_pestravka_zhkh")

    answer = transitions.answer_submit(appeal=working, text=REPORT, by=executor, is_interim=False,
                                       files=[upload("смета.docx", docx())])

    assert not answer.has_evidence and NO_EVIDENCE in answer.flags  # a spreadsheet proves no work done
    assert answer.attachments.count() == 1


def test_a_refused_file_refuses_the_answer_and_nothing_is_written(client, working, media_root):
    client.force_login(user("executor_pestravka_zhkh"))
    fresh = Appeal.objects.get(pk=working.pk)

    page = client.post(reverse("appeals:action", args=[working.pk, "answer_final"]), {
        "version": fresh.version, "text": REPORT, "files": [upload("photo.jpg", EXE)]}, follow=True)

    assert "«photo.jpg»" in page.content.decode()
    assert not Answer.objects.filter(appeal=working).exists()
    assert Appeal.objects.get(pk=working.pk).status == Status.IN_PROGRESS
    assert files_on_disk(media_root) == []


def test_the_answer_form_has_no_evidence_checkbox_but_a_multiple_file_field():
    from appeals.workspace.forms import AnswerForm

    form = AnswerForm()
    assert "has_evidence" not in form.fields
    assert form.is_multipart()
    assert "multiple" in str(form["files"])


def test_the_service_refuses_the_same_rights_as_the_answer(working):
    """Attaching to another body's appeal through answer_submit fails before anything is written."""
    with pytest.raises(Forbidden):
        transitions.answer_submit(appeal=working, text=REPORT, by=user("executor_minobr"),
                                  files=[upload("a.jpg", jpeg())])
    assert not Attachment.objects.filter(appeal=working).exists()
