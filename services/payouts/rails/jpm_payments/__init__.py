"""J.P. Morgan Global Payments v1 (``/tsapi/v1``): Zelle today, ACH as the same client with
another ``paymentType``. The vendored specification is tests/contracts/providers/
jpm-global-payments-v1.yaml; the contract tests hold this package to it."""
