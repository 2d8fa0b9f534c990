"""Developer scripts: the devstack supervisor and the demo."""
