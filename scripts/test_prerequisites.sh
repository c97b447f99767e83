#!/usr/bin/env bash
# What the end-to-end tests need from outside PyPI and npm: Debian's Chromium (the browser tests) and
# nginx (the scale-out tests). PostgreSQL and Redis come from PyPI wheels (requirements-dev.txt).
# Installs the missing ones with apt-get when running as root; otherwise stops and names them.
set -euo pipefail
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get (needed by the end-to-end tests) ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "The end-to-end tests need Debian packages that are not installed: ${missing[*]}" >&2
echo "Install them, then run make test again:  sudo apt-get install ${missing[*]}" >&2
exit 1
