"""Property-based tests of the whole REST API (issue 18): schemathesis reads /api/schema/ from the running test
server and sends generated requests to every operation — GETs with generated parameters, POSTs with generated
bodies, valid and invalid — with a ЦУР operator's token. The run must end with no server error, every answer
conforming to the documented schema, status code and content type. The figures of the run (operations, cases)
are printed and kept in var/schemathesis/ (the JSON report) for the closing note."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests.personas import client_token

REPORT = Path(settings.BASE_DIR) / "var" / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
EXAMPLES = os.environ.get("CUR_SCHEMATHESIS_EXAMPLES", "40")


@pytest.mark.django_db(transaction=True)
def test_every_operation_survives_generated_requests(live_server, reference, make_appeal):
    from tests.personas import PESTRAVKA, TOLYATTI

    for oktmo in (PESTRAVKA, TOLYATTI, PESTRAVKA):  # something for the lists, the cards and the actions to find
        make_appeal(oktmo)
    token = client_token("cur_operator")
    REPORT.mkdir(parents=True, exist_ok=True)
    with override_settings(CUR_API_RATE="100000/minute"):  # the limit is tested on its own (tests/api/test_tokens.py)
        run = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "run", f"{live_server.url}/api/schema/",
             "--header", f"Authorization: Bearer {token}", "--checks", CHECKS, "--max-examples", EXAMPLES,
             "--phases", "examples,coverage,fuzzing", "--workers", "1", "--seed", "18", "--no-color",
             "--request-timeout", "30", "--generation-database", "none", "--suppress-health-check", "all",
             "--report", "junit", "--report-junit-path", str(REPORT / "junit.xml")],
            capture_output=True, text=True, timeout=1800, cwd=REPORT,  # its own cache (.schemathesis/) lands there
        )
    (REPORT / "stdout.txt").write_text(run.stdout + run.stderr)
    summary = _summary(REPORT / "junit.xml", run.stdout)
    print("SCHEMATHESIS", json.dumps(summary, ensure_ascii=False))
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-3000:]
    assert summary["operations"] >= 4 and summary["failures"] == 0


def _summary(junit: Path, stdout: str) -> dict:
    """Operations and failures from the JUnit report (one test case per operation), generated cases from the
    run's summary («Test cases: N generated»)."""
    import re
    import xml.etree.ElementTree as ET

    cases = ET.parse(junit).getroot().findall(".//testcase") if junit.exists() else []
    generated = re.search(r"(\d+) generated", stdout)
    return {"operations": len(cases), "generated": int(generated.group(1)) if generated else None,
            "failures": sum(1 for case in cases if case.find("failure") is not None or case.find("error") is not None)}
