#!/usr/bin/env bash
# The load benchmark drives the server with wrk, a Debian package. Install it when it is missing
# and this user can (root with apt-get); otherwise say what to run.
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing wrk (apt-get)"
  apt-get install -y -q wrk >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null
  }
  exit 0
fi
echo "The load benchmark needs wrk: sudo apt-get install wrk" >&2
exit 1
