#!/usr/bin/env bash
# Installs pre-commit (https://pre-commit.com) for test/precommit, only when it is missing: Debian's
# `pre-commit` package (it brings nodeenv, which pre-commit's node hooks use). Idempotent.
# Run by `npm run test:precommit` (part of `npm test`), so a clean CI machine tests the hook for real.
set -euo pipefail

log() { printf '[setup-precommit] %s\n' "$*" >&2; }

if command -v pre-commit >/dev/null 2>&1; then
  log "pre-commit present ($(pre-commit --version))"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
log "installing the Debian package pre-commit"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pre-commit >&2
log "installed $(pre-commit --version)"
