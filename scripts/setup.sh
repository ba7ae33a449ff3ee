#!/usr/bin/env bash
# Installs what Fluxdesk's build, run and tests need, and nothing that is
# already there, so a second run takes seconds. Used by scripts/run.sh and
# scripts/test.sh; safe to run by hand.
#
#   Debian/Ubuntu: apt packages for Tauri/WebKitGTK, Xvfb, WebKitWebDriver and
#                  PostgreSQL (as root, or through sudo).
#   Everywhere:    the wasm32 target and pinned cargo tools (wasm-bindgen-cli
#                  matching Cargo.lock, tauri-driver on Linux), and the
#                  Tauri bundler from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*" >&2; }

TAURI_DRIVER_VERSION=2.1.0
TAURI_CLI_VERSION=2.12.5
APT_PACKAGES=(
  # Building the Tauri shell (WebKitGTK 4.1, GTK 3) and the test crate (OpenSSL).
  build-essential pkg-config file libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  # The OS keyring: Secret Service over D-Bus (libdbus to build the keyring
  # crate; gnome-keyring in a private D-Bus session for the tests).
  libdbus-1-dev dbus dbus-x11 gnome-keyring libsecret-tools
  # Running the window headless and driving it over WebDriver.
  xvfb xauth webkit2gtk-driver
  # Throwaway PostgreSQL clusters for the demo and the tests; network
  # namespaces for the unroutable-host test.
  postgresql postgresql-contrib iproute2
)

install_apt_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    say "apt packages: all present"
    return 0
  fi
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { say "need root or sudo to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  say "apt packages: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_wasm_target() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "rust target wasm32-unknown-unknown: present"
  else
    say "rust target wasm32-unknown-unknown: installing"
    rustup target add wasm32-unknown-unknown
  fi
}

install_cargo_tools() {
  # wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly.
  local wasm_bindgen_version
  wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  if [[ $(wasm-bindgen --version 2>/dev/null) == "wasm-bindgen $wasm_bindgen_version" ]]; then
    say "wasm-bindgen $wasm_bindgen_version: present"
  else
    say "wasm-bindgen $wasm_bindgen_version: installing (about 3.5 min on 2 cores)"
    # Not --locked: its lock file names a webpki-roots release the registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
  fi
  if [[ $(uname) == Linux ]]; then
    # tauri-driver has no --version; ask cargo what it installed.
    if command -v tauri-driver >/dev/null && cargo install --list | grep -qx "tauri-driver v$TAURI_DRIVER_VERSION:"; then
      say "tauri-driver $TAURI_DRIVER_VERSION: present"
    else
      say "tauri-driver $TAURI_DRIVER_VERSION: installing (about 40 s)"
      cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
    fi
  fi
}

# The Tauri bundler, for scripts/package.sh: npm's prebuilt CLI, pinned, in
# .tools/ (a cargo install would compile for ten minutes).
install_tauri_cli() {
  local cli=.tools/node_modules/.bin/tauri
  if [[ -x $cli && $($cli --version 2>/dev/null) == "tauri-cli $TAURI_CLI_VERSION" ]]; then
    say "tauri-cli $TAURI_CLI_VERSION: present"
    return 0
  fi
  if ! command -v npm >/dev/null; then
    command -v apt-get >/dev/null || { say "the Tauri bundler needs npm (Node.js 18 or later)"; exit 1; }
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    say "npm: installing (Debian's nodejs and npm)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
  fi
  say "tauri-cli $TAURI_CLI_VERSION: installing from npm"
  mkdir -p .tools
  npm install --prefix .tools --no-save --no-audit --no-fund "@tauri-apps/cli@$TAURI_CLI_VERSION" >&2
}

started=$SECONDS
install_apt_packages
install_wasm_target
install_cargo_tools
install_tauri_cli
say "done in $((SECONDS - started)) s"
