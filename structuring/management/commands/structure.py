import csv

from django.core.management.base import BaseCommand, CommandError

from structuring.commands import ensure_ready, read_rows
from structuring.flags import Citizen
from structuring.pipeline import StructInput, structure_texts

COLUMNS = ["id", "sector", "subtopic", "sector_confidence", "municipality_oktmo", "municipality_confidence", "flags"]
BATCH = 500
CITIZEN_COLUMNS = {"citizen_name", "citizen_address", "citizen_email"}


class Command(BaseCommand):
    help = ("Structure texts of a CSV file (id,text[,title]) into id,sector,subtopic,sector_confidence,"
            "municipality_oktmo,municipality_confidence,flags. Works on a fresh database: whatever is missing "
            "(schema, territory, rubricator, a model) is made first.")

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="CSV: id,text[,title] — UTF-8, cp1251 or KOI8-R")
        parser.add_argument("--output", required=True, help="CSV to write (UTF-8)")
        parser.add_argument("--region", default="samara", choices=["samara", "chuvashia"])

    def handle(self, *args, input: str, output: str, region: str, **options):
        try:
            fields, rows = read_rows(input)
        except OSError as error:
            raise CommandError(f"Не удалось прочитать {input}: {error}") from error
        if "text" not in fields:
            raise CommandError(f"Во входном файле нет колонки text (колонки: {', '.join(fields) or 'нет'}).")
        label = ensure_ready(region=region, stdout=self.stderr)
        # ст. 11 ч. 1 is judged only when the file carries the citizen's details
        with_citizen = bool(CITIZEN_COLUMNS & set(fields))
        written = 0
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for start in range(0, len(rows), BATCH):
                batch = rows[start:start + BATCH]
                inputs = [StructInput(
                    text=row.get("text") or "", title=row.get("title") or "",
                    citizen=Citizen(row.get("citizen_name") or "", row.get("citizen_address") or "",
                                    row.get("citizen_email") or "") if with_citizen else None,
                ) for row in batch]
                for row, result in zip(batch, structure_texts(inputs, region), strict=True):
                    writer.writerow([
                        row.get("id") or "", result.sector, result.subtopic or "", f"{result.sector_confidence:.4f}",
                        result.municipality_oktmo or "", f"{result.municipality_confidence:.4f}",
                        ";".join(result.flags),
                    ])
                    written += 1
        self.stderr.write(f"Текстов структурировано: {written} (модель {label}) → {output}\n")
