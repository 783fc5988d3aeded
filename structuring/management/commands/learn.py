from django.core.management.base import BaseCommand, CommandError

from structuring.classifier import Example
from structuring.commands import ensure_ready, read_rows
from structuring.models import TrainingExample
from structuring.services import examples_add, examples_validate, model_train


class Command(BaseCommand):
    help = ("Learn from a labelled CSV (text,sector[,subtopic]): the examples are stored and a new model version "
            "is trained on everything stored, as operators' corrections are; the new version becomes active.")

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="CSV: text,sector[,subtopic] — UTF-8, cp1251 or KOI8-R")

    def handle(self, *args, input: str, **options):
        try:
            fields, rows = read_rows(input)
        except OSError as error:
            raise CommandError(f"Не удалось прочитать {input}: {error}") from error
        if not {"text", "sector"} <= set(fields):
            raise CommandError(f"Нужны колонки text и sector (колонки: {', '.join(fields) or 'нет'}).")
        ensure_ready(region="samara", stdout=self.stderr)
        examples = [Example((r.get("text") or "").strip(), (r.get("sector") or "").strip(),
                            (r.get("subtopic") or "").strip()) for r in rows]
        valid, errors = examples_validate(examples)
        for error in errors[:20]:
            self.stderr.write(f"Пропущено — {error}\n")
        if len(errors) > 20:
            self.stderr.write(f"… и ещё {len(errors) - 20} строк\n")
        if not valid:
            raise CommandError("В файле нет ни одного годного примера.")
        examples_add(examples=valid, source=TrainingExample.Source.FILE)
        version = model_train()
        m = version.metrics
        self.stdout.write(f"Добавлено примеров: {len(valid)}; обучена и действует версия {version.label} "
                          f"({version.n_examples} примеров)\n")
        self.stdout.write(f"Отложенная выборка {m.get('held_out')}: точность тематики {m.get('sector_accuracy')}, "
                          f"macro-F1 {m.get('sector_macro_f1')}, точность подтемы {m.get('subtopic_accuracy')}\n")
        for sector, figures in (m.get("per_sector") or {}).items():
            self.stdout.write(f"  {sector:20} P {figures['precision']:.2f}  R {figures['recall']:.2f}  "
                              f"F1 {figures['f1']:.2f}  n {figures['support']}\n")
