"""`manage.py structure` and `learn`: the command-line contract evaluations depend on."""

import csv

import pytest
from django.core.management import CommandError, call_command

from structuring.models import ModelVersion, TrainingExample

COLUMNS = ["id", "sector", "subtopic", "sector_confidence", "municipality_oktmo", "municipality_confidence", "flags"]
SECTORS = {"education", "healthcare", "social_protection", "transport", "roads", "energy", "housing_utilities",
           "waste", "other"}


def structure(tmp_path, rows, *, encoding="utf-8", header=("id", "text"), region=None, raw: bytes | None = None):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    if raw is None:
        lines = [",".join(header)] + [",".join(f'"{v}"' for v in row) for row in rows]
        raw = ("\n".join(lines) + "\n").encode(encoding)
    source.write_bytes(raw)
    args = {"input": str(source), "output": str(target)}
    if region:
        args["region"] = region
    call_command("structure", **args)
    with open(target, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        return next(reader), list(reader)


def test_it_writes_exactly_the_contract_columns(tmp_path):
    header, rows = structure(tmp_path, [("1", "В с. Пестравка на ул. Молодёжной, д. 5 нет горячей воды третий день"),
                                        ("2", "Яма на дороге у школы, пробил колесо")])
    assert header == COLUMNS
    first = dict(zip(COLUMNS, rows[0], strict=True))
    assert first["id"] == "1"
    assert first["sector"] == "housing_utilities"
    assert first["subtopic"] == "housing.hot_water"
    assert 0 < float(first["sector_confidence"]) <= 1
    assert first["municipality_oktmo"] == "36632000"
    assert float(first["municipality_confidence"]) >= 0.5
    second = dict(zip(COLUMNS, rows[1], strict=True))
    assert second["sector"] == "roads"
    assert second["municipality_oktmo"] == ""  # nothing names a place: abstain


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "koi8_r"])
def test_it_reads_every_encoding_of_regional_offices(tmp_path, encoding):
    text = "Мусор не вывозят из Новочебоксарска вторую неделю, контейнеры переполнены"
    header, rows = structure(tmp_path, [("7", text)], encoding=encoding, region="chuvashia")
    assert rows[0][0] == "7"
    assert rows[0][1] == "waste"
    assert rows[0][4] == "97710000"


def test_it_survives_empty_huge_and_html_texts(tmp_path):
    huge = ("Нет отопления в квартире, батареи холодные. " * 25_000)[:1_000_000]
    html = "<div><p>В квартире <b>холодно</b> &mdash; батареи ледяные</p><script>alert('x')</script></div>"
    header, rows = structure(tmp_path, [("e", ""), ("h", huge), ("x", html), ("s", "   ")])
    by_id = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    assert set(by_id) == {"e", "h", "x", "s"}
    assert by_id["e"]["sector"] in SECTORS and "unreadable" in by_id["e"]["flags"].split(";")
    assert by_id["h"]["sector"] == "housing_utilities"
    assert by_id["x"]["subtopic"] == "housing.heating"
    assert "unreadable" not in by_id["x"]["flags"]


def test_it_accepts_a_title_column_and_joins_flags_with_semicolons(tmp_path):
    header, rows = structure(tmp_path, [("1", "Нет света", "Ываоывал ыдвлао, суки, сожгу всё")],
                             header=("id", "title", "text"))
    flags = rows[0][6].split(";")
    assert "obscene_or_threatening" in flags


def test_it_keeps_rows_with_a_missing_text_cell(tmp_path):
    raw = "id,text\n1,Нет воды в Пестравке\n2\n3,\n".encode()
    header, rows = structure(tmp_path, [], raw=raw)
    assert [row[0] for row in rows] == ["1", "2", "3"]


def test_it_refuses_a_file_without_a_text_column(tmp_path):
    with pytest.raises(CommandError, match="text"):
        structure(tmp_path, [], raw=b"id,body\n1,hello\n")


def test_learn_stores_the_file_and_activates_a_new_version(tmp_path, capsys):
    source = tmp_path / "labelled.csv"
    source.write_text("text,sector,subtopic\n"
                      "Т Плюс опять не дал горячую воду,housing_utilities,housing.hot_water\n"
                      "Ситиматик не забрал мусор,waste,waste.collection_delay\n"
                      "Непонятная строка,no_such_sector,\n", encoding="cp1251")
    before = ModelVersion.objects.get(is_active=True)
    call_command("learn", input=str(source))
    after = ModelVersion.objects.get(is_active=True)
    assert after.pk != before.pk
    assert after.n_examples == before.n_examples + 2
    assert TrainingExample.objects.filter(source="file").count() == 2
    out = capsys.readouterr()
    assert "macro-F1" in out.out and "no_such_sector" in out.err
