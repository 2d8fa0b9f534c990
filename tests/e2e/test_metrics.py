"""After a flow, the business series answer operators' questions with the right values."""

from __future__ import annotations

from decimal import Decimal

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.stack import Stack
from warranty_client.claim_credit import claim_credit_flow
from warranty_client.http import Urls


def scrape(*urls: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Samples summed over processes, as Prometheus sums a service's API and worker."""
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for url in urls:
        text = httpx.get(url + "/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                key = (sample.name, frozenset(sample.labels.items()))
                samples[key] = samples.get(key, 0.0) + sample.value
    return samples


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_business_series_after_a_paid_claim_credit(urls: Urls, stack: Stack) -> None:
    # Provider callbacks land on the payouts API, commands on its worker: read both.
    payouts = (stack.url("payouts"), stack.url("payouts-worker"))
    claims_worker = stack.url("claims-worker")
    before_p, before_c = scrape(*payouts), scrape(claims_worker)

    await claim_credit_flow(urls, lambda _: None, amount="333.33")

    after_p, after_c, api = scrape(*payouts), scrape(claims_worker), scrape(urls.claims)
    paid = ("payouts_status_total", {"rail": "concourse", "status": "paid"})
    assert value(after_p, paid[0], **paid[1]) - value(before_p, paid[0], **paid[1]) == 1
    amount = "payouts_paid_amount_usd_total"
    assert Decimal(str(value(after_p, amount, rail="concourse")
                       - value(before_p, amount, rail="concourse"))).quantize(
        Decimal("0.01")) == Decimal("333.33")
    assert (value(after_c, "claims_paid_total", kind="claim_credit")
            - value(before_c, "claims_paid_total", kind="claim_credit")) == 1
    assert (value(after_c, "claims_approval_to_paid_seconds_count")
            - value(before_c, "claims_approval_to_paid_seconds_count")) == 1
    assert value(after_c, "outbox_published_total", exchange="payouts") >= 1
    assert value(after_p, "messages_consumed_total",
                 queue=stack.env["MQ_NAMESPACE"] + "payouts.commands", outcome="ok") >= 1
    assert value(api, "http_requests_total", service="claims", method="POST",
                 route="/v1/claims/{claim_id}/approve", status="200") >= 1
