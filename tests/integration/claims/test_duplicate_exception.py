"""Regression (issue 17, item 2c): opening a second open exception of the same type on a job
broke the partial unique index ``uq_job_exceptions_open_per_type``; the IntegrityError was not
mapped and the API answered 500. Any unique violation on commit is a 409 conflict problem that
names neither the SQL nor the constraint's values."""

from __future__ import annotations

from tests.integration.api import ok, problem
from tests.integration.claims.conftest import Flow


async def test_a_second_open_exception_of_a_type_is_a_conflict(flow: Flow) -> None:
    job_id = (await flow.request_service())["jobs"][0]["id"]
    url = f"/v1/service-jobs/{job_id}/exceptions"
    body = {"type": "ss_credit_debit_memo_request", "comment_code": "DBT",
            "note": "Pro billed $40.00 twice to jane.doe@homemail.net"}
    ok(await flow.client.post(url, headers=flow.actors.support, json=body), 201)
    second = await flow.client.post(url, headers=flow.actors.support, json=body)
    conflict = problem(second, 409, "conflict")
    assert conflict["title"] == "Conflicts with an existing resource"
    text = f"{conflict['title']} {conflict.get('detail')} {sorted(conflict)}".lower()
    for leak in ("insert", "uq_job_exceptions", "job_id", str(job_id), "homemail", "sql"):
        assert leak not in text, f"the problem leaks {leak!r}: {second.text}"
    job = ok(await flow.client.get(f"/v1/service-jobs/{job_id}", headers=flow.actors.support))
    assert [e["type"] for e in job["exceptions"]] == ["ss_credit_debit_memo_request"]
