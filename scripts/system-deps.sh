#!/usr/bin/env bash
# Debian packages the test suite needs, installed when missing (as root), before `npm test` runs.
#   docker-compose: to check docker-compose.yml where the Docker CLI has no compose plugin.
#   chromium: the browser the portal tests drive (playwright-core, /usr/bin/chromium).
set -euo pipefail
missing=()
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then missing+=(docker-compose); fi
if ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "== apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
