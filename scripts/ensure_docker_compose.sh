#!/usr/bin/env bash
# The tests validate deploy/docker-compose.yml with `docker-compose config` (Debian's package; it
# needs no Docker engine). Install it when missing and we may; otherwise say how.
set -euo pipefail
command -v docker-compose >/dev/null && exit 0
as_root=()
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then as_root=(sudo -n); else
    echo "docker-compose is missing: install it with 'sudo apt-get install docker-compose'" >&2
    exit 1
  fi
fi
echo "installing docker-compose (Debian package) to validate deploy/docker-compose.yml"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
