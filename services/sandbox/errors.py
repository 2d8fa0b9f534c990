"""The sandbox's problem details: the errors a provider client must be written to handle."""

from __future__ import annotations

from typing import Any

from shared.problems import TYPE_PREFIX, ProblemError, problem_responses

from .state import Payment

# (slug, title) per status where the sandbox's problem is more specific than the shared default.
_SPECIFIC = {
    404: ("payment-not-found", "Payment not found"),
    409: ("duplicate-end-to-end-id", "End-to-end id already used"),
    4090: ("check-state-conflict", "Not possible in the check's current state"),
    429: ("too-many-requests", "Too many requests"),
    503: ("provider-unavailable", "Provider unavailable"),
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``problem_responses`` with this service's own slugs as the OpenAPI examples."""
    out = problem_responses(*statuses)
    for status in statuses:
        if status in _SPECIFIC:
            slug, title = _SPECIFIC[status]
            out[status]["description"] = title
            example = {"type": TYPE_PREFIX + slug, "title": title, "status": status}
            out[status]["content"]["application/problem+json"]["example"] = example
    return out


def _problem(status: int, detail: str, **kwargs: Any) -> ProblemError:
    slug, title = _SPECIFIC[status]
    return ProblemError(status, slug, title, detail, **kwargs)


def payment_not_found(end_to_end_id: str) -> ProblemError:
    return _problem(404, f"No payment has endToEndId {end_to_end_id}.")


def duplicate_end_to_end_id(existing: Payment) -> ProblemError:
    return _problem(
        409,
        f"endToEndId {existing.end_to_end_id} belongs to payment {existing.payment_id} with a "
        "different amount or payee; a repeat must be identical (it is a status query).",
        extra={"paymentId": existing.payment_id},
    )


def check_state_conflict(payment: Payment, action: str, hint: str) -> ProblemError:
    slug, title = _SPECIFIC[4090]
    return ProblemError(
        409, slug, title,
        f"check {payment.end_to_end_id} is {payment.status.value}: cannot {action}; {hint}",
        extra={"checkStatus": payment.status.value},
    )


def rate_limited() -> ProblemError:
    return _problem(
        429, "Too many requests; retry after the delay.", headers={"Retry-After": "1"}
    )


def provider_unavailable(
    detail: str = "The provider is unavailable (injected fault); nothing was recorded.",
) -> ProblemError:
    return _problem(503, detail)
