"""One example payload per contract: shown in the AsyncAPI document and checked by the tests."""

from __future__ import annotations

from typing import Any

_SOURCE = {"claim_id": "6f1c0c3e-7d1a-4a53-9a51-0d2f3a4b5c6d", "kind": "claim_credit",
           "service_job_id": "0b7d1c2e-1111-4a53-9a51-0d2f3a4b5c6d",
           "contract_id": "9a8b7c6d-2222-4a53-9a51-0d2f3a4b5c6d"}
_PAYOUT = {"payout_id": "3c2b1a09-3333-4a53-9a51-0d2f3a4b5c6d",
           "payout_key": "claim:6f1c0c3e-7d1a-4a53-9a51-0d2f3a4b5c6d:payout:1",
           "source": _SOURCE, "amount": "250.00", "currency": "USD", "rail": "concourse"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "payouts.request_payout": {
        "payout_key": _PAYOUT["payout_key"], "source": _SOURCE, "amount": "250.00",
        "currency": "USD", "rail": "concourse",
        "payee": {"kind": "customer", "name": "Jane Doe", "email": "jane.doe@homemail.net",
                  "mobile": "+15125550123"},
        "memo": "Claim credit 6F1C0C3E", "requested_by": "support-sam",
    },
    "payouts.payout_submitted": {**_PAYOUT, "attempt_id": "K3V9Q2M7X1B4C8D5",
                                 "provider_reference": "CNC-3f9a1c2b7d4e"},
    "payouts.payout_paid": {**_PAYOUT, "attempt_id": "K3V9Q2M7X1B4C8D5",
                            "provider_reference": "CNC-3f9a1c2b7d4e"},
    "payouts.payout_failed": {**_PAYOUT, "reason": "payee email is a placeholder",
                              "attempt_id": None},
    "payouts.payout_returned": {**_PAYOUT, "rail": "check", "reason": "returned to sender",
                                "attempt_id": "CHK0000000000042"},
    "payouts.payout_cancelled": {**_PAYOUT, "final_status": "cancelled",
                                 "reason": "voided before mailing"},
    "payouts.payout_decided": {**_PAYOUT, "decision": "released", "decided_by": "payables-pat",
                               "decided_at": "2026-11-22T12:05:00Z",
                               "reason": "amount checked against the invoice"},
    "payouts.payout_sla_breached": {**_PAYOUT, "rail": "zelle",
                                    "deadline": "2026-11-23T12:00:00Z", "status": "submitted"},
    "claims.service_job_dispatched": {
        "job_id": "0b7d1c2e-1111-4a53-9a51-0d2f3a4b5c6d",
        "service_order_id": "1c8e2d3f-4444-4a53-9a51-0d2f3a4b5c6d",
        "service_request_id": "2d9f3e4a-5555-4a53-9a51-0d2f3a4b5c6d",
        "contract_id": _SOURCE["contract_id"], "customer_id": "cust-1001",
        "trade": "microwave", "service_fee": "100.00", "currency": "USD",
        "dispatched_at": "2026-11-22T12:00:00Z",
    },
    "claims.service_job_cancelled": {
        "job_id": "0b7d1c2e-1111-4a53-9a51-0d2f3a4b5c6d",
        "service_order_id": "1c8e2d3f-4444-4a53-9a51-0d2f3a4b5c6d",
        "service_request_id": "2d9f3e4a-5555-4a53-9a51-0d2f3a4b5c6d",
        "contract_id": _SOURCE["contract_id"], "customer_id": "cust-1001",
        "reason": "service request cancelled: the customer fixed it",
        "cancelled_at": "2026-11-22T15:00:00Z",
    },
    "claims.state_changed": {
        "entity": "claim", "entity_id": _SOURCE["claim_id"], "action": "approve",
        "from_status": "under_review", "to_status": "approved", "actor": "support-sam",
        "reason": None, "at": "2026-11-22T12:00:00Z",
    },
    "billing.payment_received": {
        "payment_id": "4e0a4f5b-6666-4a53-9a51-0d2f3a4b5c6d", "account_id": "cust-1001",
        "amount": "150.00", "currency": "USD",
        "allocations": [{"invoice_id": "5f1b5a6c-7777-4a53-9a51-0d2f3a4b5c6d",
                         "invoice_number": "INV-1001", "amount": "100.00"},
                        {"invoice_id": "6a2c6b7d-8888-4a53-9a51-0d2f3a4b5c6d",
                         "invoice_number": "INV-1002", "amount": "50.00"}],
        "received_at": "2026-11-22T12:00:00Z",
    },
    "billing.invoice_paid": {
        "invoice_id": "5f1b5a6c-7777-4a53-9a51-0d2f3a4b5c6d", "invoice_number": "INV-1001",
        "account_id": "cust-1001", "amount": "100.00", "currency": "USD",
        "paid_at": "2026-11-22T12:00:00Z",
    },
    "billing.payment_refunded": {
        "payment_id": "4e0a4f5b-6666-4a53-9a51-0d2f3a4b5c6d", "account_id": "cust-1001",
        "amount": "150.00", "currency": "USD",
        "reversals": [{"invoice_id": "5f1b5a6c-7777-4a53-9a51-0d2f3a4b5c6d", "amount": "100.00"},
                      {"invoice_id": "6a2c6b7d-8888-4a53-9a51-0d2f3a4b5c6d", "amount": "50.00"}],
        "reason": "charged twice by the customer's bank", "refunded_at": "2026-11-22T12:00:00Z",
    },
}
