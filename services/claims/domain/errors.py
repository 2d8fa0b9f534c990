"""Claims' named domain errors: subclasses of the platform's ``DomainError``, each with its
stable ``code`` (the problem type's slug) and ``kind``.
"""

from __future__ import annotations

# The base, its kinds and the table's refusal are the platform's; re-exported so the service's
# code names every error it raises from one module.
from shared.domain.errors import DomainError as DomainError
from shared.domain.errors import ErrorKind as ErrorKind
from shared.domain.errors import IllegalTransition as IllegalTransition
from shared.domain.errors import NotFound as NotFound

# Contracts and service work


class NotEntitled(DomainError):
    code = "not-entitled"
    title = "Contract not entitled to service"


class ItemNotCovered(DomainError):
    code = "item-not-covered"
    title = "Item not covered"
    kind = ErrorKind.INVALID


class OrderClosed(DomainError):
    code = "order-closed"
    title = "Service order is closed"


class OrderHasOpenClaim(DomainError):
    code = "order-has-open-claim"
    title = "A claim is in progress"


class NoActiveJob(DomainError):
    code = "no-active-job"
    title = "No active service job"


class ReasonRequired(DomainError):
    code = "reason-required"
    title = "A reason is required"
    kind = ErrorKind.INVALID


class JobNotStale(DomainError):
    code = "job-not-stale"
    title = "Job is not old enough to expire"


class NotByopJob(DomainError):
    code = "not-byop-job"
    title = "Not a BYOP job"


# Options


class InvalidOptions(DomainError):
    code = "invalid-options"
    title = "Options are not valid"
    kind = ErrorKind.INVALID


class OptionsAlreadyPosted(DomainError):
    code = "options-already-posted"
    title = "Options already posted"


# Payment option


class ReviewNotOpen(DomainError):
    code = "review-exception-not-open"
    title = "No open SS-Claim Credit Review exception"


class EmailRequired(DomainError):
    code = "email-required"
    title = "A valid email is required"
    kind = ErrorKind.INVALID


class PlaceholderEmail(DomainError):
    code = "placeholder-email"
    title = "Email is a placeholder"
    kind = ErrorKind.INVALID


class TermsNotAccepted(DomainError):
    code = "terms-not-accepted"
    title = "Terms and Conditions not accepted"
    kind = ErrorKind.INVALID


class UnknownTermsVersion(DomainError):
    code = "unknown-terms-version"
    title = "Terms and Conditions version not published"
    kind = ErrorKind.INVALID


class TermsVersionSuperseded(DomainError):
    code = "terms-version-superseded"
    title = "Terms and Conditions version superseded"
    kind = ErrorKind.INVALID


class PaymentNotConfirmed(DomainError):
    code = "payment-not-confirmed"
    title = "The customer has not accepted the payment confirmation"


class AddressRequired(DomainError):
    code = "mailing-address-required"
    title = "A mailing address is required"
    kind = ErrorKind.INVALID


class RailNotAllowed(DomainError):
    code = "rail-not-allowed"
    title = "Payment method not allowed"
    kind = ErrorKind.INVALID


class ServiceProInfoMissing(DomainError):
    code = "service-pro-info-missing"
    title = "Service pro information missing"
    kind = ErrorKind.INVALID


class RailLimitExceeded(DomainError):
    code = "rail-limit-exceeded"
    title = "Amount above what the payment method carries"
    kind = ErrorKind.INVALID


class PayeeMustConfirm(DomainError):
    code = "payee-must-confirm"
    title = "Only the payee's side may choose this"
    kind = ErrorKind.FORBIDDEN


# Adjudication and approval


class PaymentOptionMissing(DomainError):
    code = "payment-option-missing"
    title = "No payment option selected"


class NothingPayable(DomainError):
    code = "nothing-payable"
    title = "Nothing payable"


class SelfApproval(DomainError):
    code = "self-approval"
    title = "Cannot approve own claim"
    kind = ErrorKind.FORBIDDEN


class ApprovalLimitExceeded(DomainError):
    code = "approval-limit-exceeded"
    title = "Above the approval limit"
    kind = ErrorKind.FORBIDDEN


class OverrideNotPermitted(DomainError):
    code = "override-not-permitted"
    title = "Only a supervisor may override"
    kind = ErrorKind.FORBIDDEN


class AggregateLimitExceeded(DomainError):
    code = "aggregate-limit-exceeded"
    title = "Annual aggregate limit reached"


class InvalidAmount(DomainError):
    code = "invalid-amount"
    title = "Amount not allowed"
    kind = ErrorKind.INVALID


# Payout events (answered by parking the message: no retry can fix them)


class UnknownPayout(DomainError):
    code = "unknown-payout"
    title = "Unknown payout"
    kind = ErrorKind.NOT_FOUND


class PayoutConflict(DomainError):
    code = "payout-conflict"
    title = "Payout event contradicts the record"


# Requests
class IdempotencyKeyReused(DomainError):
    code = "idempotency-key-reused"
    title = "Idempotency key used for another request"
    kind = ErrorKind.INVALID


# Limits


class ReplacementCreditUsed(DomainError):
    code = "replacement-credit-used"
    title = "One-time replacement credit already used"


class ReplacementCreditExceeded(DomainError):
    code = "replacement-credit-exceeded"
    title = "Above the one-time replacement credit"


# Service requests and exceptions


class TechnicianAlreadyOut(DomainError):
    code = "technician-already-out"
    title = "A technician has been out"


class RequestNotCancellable(DomainError):
    code = "request-not-cancellable"
    title = "Service request cannot be cancelled"


class InvalidException(DomainError):
    code = "invalid-exception"
    title = "Exception type and comment code do not match"
    kind = ErrorKind.INVALID


class PaymentLocked(DomainError):
    code = "payment-locked"
    title = "A payout was already requested"
