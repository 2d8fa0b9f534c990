"""J.P. Morgan Concourse, *modelled*: J.P. Morgan publishes no Concourse API, so this wire
follows the conventions of its Global Payments v1 API (the ``payments`` envelope, endToEndId,
CoreStatus-style statuses, the error envelopes, ``{"callbacks": [...]}``, OAuth2 bearer tokens)
under ``/tsapi/v1/concourse``. The modelled specification is docs/providers/
concourse-modelled.yaml; tests/contracts/test_concourse_contract.py holds this package to it."""
