"""Claims service: contracts, service requests/orders/jobs, options and claim credits, BYOP jobs,
exceptions, claims and their adjudication; it asks payouts to pay and learns when it did."""
