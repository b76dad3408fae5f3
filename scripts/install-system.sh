#!/usr/bin/env bash
# Install the Debian packages the browser tests drive (Chromium and its driver), if missing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && { echo "system packages ready"; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
  echo "missing ${missing[*]}: install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
echo "system packages ready"
