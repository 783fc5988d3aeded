"""Property-based tests of the whole REST API (issue 18): schemathesis reads /api/schema/ from the running test
server and sends generated requests to every operation — GETs with generated parameters, POSTs with generated
bodies, valid and invalid — first with a ЦУР operator's token over every operation, then with an executor's token
over the answers (the operator may not answer). Ids come from a dictionary of real ones part of the time, so the
cases reach the operations' logic, not only their 404. Each run must end with no server error and every answer
conforming to the documented schema, status code and content type. The figures (operations, cases) are printed
and kept in var/schemathesis/ for the closing note."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from appeals.problems.services import problem_join
from tests.personas import PESTRAVKA, TOLYATTI, client_token, user

REPORT = Path(settings.BASE_DIR) / "var" / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
EXAMPLES = os.environ.get("CUR_SCHEMATHESIS_EXAMPLES", "40")
ANSWERS = r"/(answer|interim-answer|request-clarification)/$"


def _config(ids: list[int], agencies: list[str]) -> Path:
    """Real ids and agency codes offered to the generator (70 % of the cases), beside what it invents."""
    path = REPORT / "schemathesis.toml"
    path.write_text(
        f"[dictionaries.ids]\nvalues = {json.dumps(ids)}\n\n"
        f"[dictionaries.agencies]\nvalues = {json.dumps(agencies)}\n\n"
        '[parameters]\n"path.id" = { dictionary = "ids", probability = 0.7 }\n'
        '"body.agency" = { dictionary = "agencies", probability = 0.7 }\n', encoding="utf-8")
    return path


def _run(url: str, token: str, config: Path, name: str, *extra: str) -> dict:
    junit = REPORT / f"junit-{name}.xml"
    run = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "run", url,
         "--header", f"Authorization: Bearer {token}", "--checks", CHECKS, "--max-examples", EXAMPLES,
         "--phases", "examples,coverage,fuzzing", "--workers", "1", "--seed", "18", "--no-color",
         "--request-timeout", "30", "--generation-database", "none", "--suppress-health-check", "all",
         "--report", "junit", "--report-junit-path", str(junit), *extra],
        capture_output=True, text=True, timeout=1800, cwd=REPORT,  # its own cache (.schemathesis/) lands there
    )
    (REPORT / f"stdout-{name}.txt").write_text(run.stdout + run.stderr)
    cases = ET.parse(junit).getroot().findall(".//testcase") if junit.exists() else []
    generated = re.search(r"(\d+) generated", run.stdout)
    summary = {"run": name, "returncode": run.returncode, "operations": len(cases),
               "generated": int(generated.group(1)) if generated else None,
               "failures": sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)}
    print("SCHEMATHESIS", json.dumps(summary, ensure_ascii=False))
    return summary | {"output": run.stdout[-12000:] + run.stderr[-3000:]}


@pytest.mark.django_db(transaction=True)
def test_every_operation_survives_generated_requests(live_server, reference, make_appeal):
    made = [make_appeal(oktmo) for oktmo in (PESTRAVKA, TOLYATTI, PESTRAVKA)]
    made += [make_appeal(PESTRAVKA, agency="mup_zhkh_pestravskiy", status="in_progress") for _ in range(3)]
    problem = problem_join(appeal=made[0], other=made[2], by=user("cur_operator"))
    ids = sorted({a.pk for a in made} | {problem.pk} | {a.municipality_id for a in made})
    REPORT.mkdir(parents=True, exist_ok=True)
    config = _config(ids, ["mup_zhkh_pestravskiy", "adm_pestravskiy_mr", "minenergo_so"])
    url = f"{live_server.url}/api/schema/"
    with override_settings(CUR_API_RATE="100000/minute"):  # the limit is tested on its own (tests/api/test_tokens.py)
        runs = [_run(url, client_token("cur_operator"), config, "operator"),
                _run(url, client_token("executor_pestravka_zhkh"), config, "executor", "--include-path-regex", ANSWERS)]
    for summary in runs:
        assert summary["returncode"] == 0 and summary["failures"] == 0, summary["output"]
    assert runs[0]["operations"] >= 24 and runs[1]["operations"] == 3
