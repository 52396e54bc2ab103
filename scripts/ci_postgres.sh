#!/usr/bin/env bash
# Installs what the store and report tests need from Debian, if it is missing:
#   - postgresql     (initdb/pg_ctl under /usr/lib/postgresql/*/bin: the tests start their own
#                     throw-away server on a free port; no system cluster is used)
#   - poppler-utils  (pdftotext/pdftoppm: the tests read and render the PDF report)
# Idempotent: installs nothing when both are present. Needs root (or passwordless sudo) only
# when something is missing. Usage: bash scripts/ci_postgres.sh
set -euo pipefail

missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
    || ! compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then
    missing+=(postgresql)
fi
if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
    missing+=(poppler-utils)
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "ci_postgres: postgresql and poppler-utils already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "ci_postgres: need root to install: ${missing[*]}" >&2
    exit 1
fi

echo "ci_postgres: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
echo "ci_postgres: done"
