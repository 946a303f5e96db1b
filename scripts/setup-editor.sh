#!/usr/bin/env bash
# Installs what the in-editor tests need, only when it is missing:
#   - Debian packages: chromium (driven by playwright-core), ripgrep (code-server's search),
#     libkrb5-dev (a native dependency of code-server), neovim (the Neovim LSP test);
#   - code-server@4.100.3 from the npm registry into a version-keyed cache outside the repo.
# Idempotent: a marker file makes the second run instant. Prints the code-server directory on its last line.
#
# Environment:
#   FTAUDIT_CACHE         cache root (default: $XDG_CACHE_HOME/ftaudit or ~/.cache/ftaudit)
#   CODE_SERVER_VERSION   default 4.100.3 (the newest release whose engines accept Node 20)
#
# `npm install code-server` cannot be used as is (it refuses its postinstall as root, and a ripgrep
# dependency downloads a binary from GitHub), so the steps of shared/notes/real-editor-testing.md are
# followed by hand: install without scripts, rebuild the native modules, use Debian's rg.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${FTAUDIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftaudit}"
DEST="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
MARKER="$DEST/.ftaudit-installed"

log() { printf '[setup-editor] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- Debian packages
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in chromium ripgrep libkrb5-dev neovim; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  log "Debian packages present (chromium ripgrep libkrb5-dev neovim)"
fi

# ---------------------------------------------------------------- code-server
if [ -f "$MARKER" ] && [ -x "$DEST/node_modules/.bin/code-server" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $DEST"
  echo "$DEST"
  exit 0
fi

start=$(date +%s)
log "installing code-server@$CODE_SERVER_VERSION into $DEST (first run only; a few minutes)"
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
echo '{"name":"ftaudit-code-server","private":true}' > package.json

# A user npmrc with yes=false blocks node-pty's npx step; never prompt, never audit, never fund.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel="${npm_config_loglevel:-error}"

# 1. the package without its install scripts, then the one native module at the top level
npm install --no-save --ignore-scripts "code-server@$CODE_SERVER_VERSION" >&2
npm rebuild argon2 >&2

CS="$DEST/node_modules/code-server"
VS="$CS/lib/vscode"

# 2. VS Code's own production dependencies, again without scripts
(cd "$VS" && npm install --omit=dev --ignore-scripts >&2)

# 3. Debian's ripgrep where @vscode/ripgrep expects its downloaded binary
RG="$(command -v rg)"
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp "$RG" "$VS/node_modules/@vscode/ripgrep/bin/rg"

# 4. build the native modules (node-pty, spdlog, kerberos, ...) now that ripgrep will not download
(cd "$VS" && npm rebuild >&2)

# 5. the layout the packaged VS Code server expects
(cd "$VS" && ln -sfn node_modules node_modules.asar)
(cd "$VS/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$VS/bin/helpers" && ln -sfn browser-linux.sh browser.sh)

# 6. the built-in extensions' dependencies
(cd "$VS/extensions" && npm install --omit=dev >&2)

# A quick check that it runs (with throwaway XDG dirs: code-server writes a default config file).
tmp_xdg="$(mktemp -d)"
XDG_CONFIG_HOME="$tmp_xdg" XDG_DATA_HOME="$tmp_xdg" XDG_STATE_HOME="$tmp_xdg" \
  "$DEST/node_modules/.bin/code-server" --version >&2
rm -rf "$tmp_xdg"

end=$(date +%s)
echo "code-server $CODE_SERVER_VERSION installed in $((end - start)) s on $(date -u +%FT%TZ)" > "$MARKER"
log "done in $((end - start)) s"
echo "$DEST"
