"""``make bench``: the money path's throughput, latency and cost on this machine."""
