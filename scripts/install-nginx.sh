#!/usr/bin/env bash
# Installs Debian's nginx for the benchmark (as root), without letting the package start its own
# service: the bench runs its own nginx on 127.0.0.1, and a system nginx left listening on port 80
# of every interface is not something a test run should leave behind. An existing policy-rc.d
# (Docker images ship one) is left exactly as it was.
set -euo pipefail
command -v nginx >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "nginx is missing; as root: apt-get update && apt-get install -y nginx" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx
