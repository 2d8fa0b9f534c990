"""The contract-test harness: the providers' own examples pass it, invented fields do not, and
each load-time patch of an incomplete specification does what it says."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.contracts.spec import SpecViolation, jpm, lob

PAYMENTS = ("post", "/payments")
STATUS = ("get", "/payments/status")
# Filed under the 202 answer in v1.1.11 although it is an error body ({"errors": ...}).
MISFILED_202_EXAMPLES = {"PaymentInitiationResponseAU400"}


@pytest.mark.parametrize("name", sorted(jpm().examples(*PAYMENTS)))
def test_every_jpm_payment_example_is_a_valid_request(name: str) -> None:
    jpm().validate_request(*PAYMENTS, jpm().examples(*PAYMENTS)[name])


def test_jpm_answer_examples_validate_except_the_misfiled_error() -> None:
    for status in (202, 400):
        for name, example in jpm().examples(*PAYMENTS, status).items():
            if name in MISFILED_202_EXAMPLES:
                with pytest.raises(SpecViolation, match="errors"):
                    jpm().validate_response(*PAYMENTS, status, example)
                continue
            jpm().validate_response(*PAYMENTS, status, example)


def test_jpm_status_answer_examples_validate() -> None:
    examples = jpm().examples(*STATUS, 200)
    assert examples, "the spec documents status answers"
    for example in examples.values():
        jpm().validate_response(*STATUS, 200, example)


def _us_rtp() -> dict[str, Any]:
    return copy.deepcopy(jpm().examples(*PAYMENTS)["Payment Initiation - US RTP"])


@pytest.mark.parametrize("where", ["root", "payments", "creditorAccount", "paymentIdentifiers"])
def test_an_invented_field_anywhere_is_refused(where: str) -> None:
    body = _us_rtp()
    target = {"root": body, "payments": body["payments"],
              "creditorAccount": body["payments"]["creditor"]["creditorAccount"],
              "paymentIdentifiers": body["payments"]["paymentIdentifiers"]}[where]
    target["inventedField"] = "x"
    with pytest.raises(SpecViolation, match="inventedField"):
        jpm().validate_request(*PAYMENTS, body)


def test_a_field_of_a_sibling_composition_member_is_allowed_and_checked() -> None:
    # CreditorAccount = allOf[AccountIdWrapper (oneOf), {accountType, ...}]: strictness must
    # not refuse the sibling's accountType, and must still check its value.
    body = _us_rtp()
    account = body["payments"]["creditor"]["creditorAccount"]
    account["accountType"] = "DDA"
    jpm().validate_request(*PAYMENTS, body)
    account["accountType"] = "NOT-A-TYPE"
    with pytest.raises(SpecViolation, match="accountType"):
        jpm().validate_request(*PAYMENTS, body)


def test_patch_an_empty_answer_is_not_a_202_nor_a_status() -> None:
    with pytest.raises(SpecViolation, match="paymentInitiationResponse"):
        jpm().validate_response(*PAYMENTS, 202, {})
    with pytest.raises(SpecViolation, match="paymentStatus"):
        jpm().validate_response(*STATUS, 200, {})
    with pytest.raises(SpecViolation, match="status"):
        jpm().validate_response(*STATUS, 200, {"paymentStatus": {}})


def test_patch_the_status_query_parameters_have_schemas() -> None:
    jpm().validate_request(*STATUS, None, query={"endToEndId": "A833I0EVUCJUNGLY"})
    with pytest.raises(SpecViolation, match="no query parameter"):
        jpm().validate_request(*STATUS, None, query={"end_to_end_id": "x"})
    assert jpm().parameters(*STATUS, "query")["endToEndId"]["schema"]


def test_patch_future_dated_payments_may_be_warehoused() -> None:
    jpm().validate_response(*STATUS, 200, {"paymentStatus": {"status": "WAREHOUSED"}})
    with pytest.raises(SpecViolation):
        jpm().validate_response(*STATUS, 200, {"paymentStatus": {"status": "LOST"}})


def test_the_lob_check_example_is_a_valid_request_and_strictness_holds() -> None:
    [example] = lob().examples("post", "/checks").values()
    lob().validate_request("post", "/checks", example)
    with pytest.raises(SpecViolation, match="inventedField"):
        lob().validate_request("post", "/checks", {**example, "inventedField": 1})


def test_lobs_check_answer_example_validates_but_for_the_one_field_its_schema_lacks() -> None:
    # Lob's example check carries ``sla``, which its ``check`` schema does not define: strict
    # mode finds exactly that, and nothing else.
    [example] = lob().examples("post", "/checks", 200).values()
    with pytest.raises(SpecViolation, match=r"\('sla' was unexpected\)$"):
        lob().validate_response("post", "/checks", 200, example)
    lob().validate_response("post", "/checks", 200,
                            {k: v for k, v in example.items() if k != "sla"})


def test_patch_lob_signed_links_match_lobs_own_links() -> None:
    link = {"$ref": "#/components/schemas/signed_link"}
    url = "https://lob-assets.com/checks/chk_534f10783683daa0.pdf?expires=1540372221&signature=x1"
    lob().validate(link, url)
    lob().validate(link, url.replace("?", "?version=v2&"))
    with pytest.raises(SpecViolation, match="does not match"):
        lob().validate(link, "https://evil.example/checks/chk_534f10783683daa0.pdf")
