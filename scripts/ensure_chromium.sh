#!/usr/bin/env bash
# Make sure /usr/bin/chromium exists for the browser tests (Debian's package; Playwright drives
# it, and never downloads a browser of its own). Installs it with apt-get when running as root.
# If it cannot be had, this only warns: the browser tests then skip, or fail when CI=true.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
  echo "ensure_chromium: $CHROMIUM found."
  exit 0
fi

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: installing Debian's chromium with apt-get (once; takes a minute)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; then
    if [[ -x "$CHROMIUM" ]]; then
      echo "ensure_chromium: $CHROMIUM installed."
      exit 0
    fi
  fi
fi

cat >&2 <<EOF
ensure_chromium: WARNING: $CHROMIUM is missing and could not be installed here.
  Install your distribution's Chromium at $CHROMIUM (Debian/Ubuntu: 'apt-get install chromium')
  to run the browser tests; without it they are skipped (and fail when CI=true).
EOF
exit 0
