#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (native and wasm), the unit
# and database tests against one throwaway PostgreSQL cluster and a real
# Secret Service, the CLI tests (the unroutable-host test makes a network
# namespace, so the run needs root, as CI has), and the end-to-end tests of
# the real window under Xvfb over WebDriver.
# .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;36m[test]\033[0m %s\n' "$*" >&2; }
timed() {
  local label=$1
  shift
  local step=$SECONDS
  "$@"
  say "$label: $((SECONDS - step)) s"
}

scripts/setup.sh
target_dir=${CARGO_TARGET_DIR:-target}

timed "rustfmt" cargo fmt --all --check
timed "architecture invariants" scripts/check-invariants.sh
timed "clippy (native)" cargo clippy --workspace --all-targets --locked -- -D warnings
timed "clippy (wasm)" cargo clippy -p fluxdesk-ui -p fluxdesk-types --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
timed "UI build" scripts/build-ui.sh
timed "build" cargo build --workspace --all-targets --locked
timed "test build" cargo test --workspace --locked --no-run

# cargo may replace target/debug/fluxdesk-sandbox while it runs; use a copy.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$target_dir/debug/fluxdesk-sandbox" "$scratch/fluxdesk-sandbox"
# A private D-Bus session with an unlocked gnome-keyring (the real Secret
# Service), an X server, and one PostgreSQL cluster for the whole run.
timed "tests" scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$scratch/fluxdesk-sandbox" test-run -- cargo test --workspace --locked

# The installers, then the installed .deb driven like the debug build was.
timed "installers" scripts/package.sh deb
deb=$(find "$target_dir/release/bundle/deb" -name '*.deb' -newer Cargo.lock | head -n 1)
[[ -n $deb ]] || { say "no .deb was built"; exit 1; }
as_root=()
[[ $(id -u) == 0 ]] || as_root=(sudo)
timed "install $(basename "$deb")" "${as_root[@]}" dpkg -i "$deb"
timed "installed app" env FLUXDESK_APP_BINARY=/usr/bin/fluxdesk \
  scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$scratch/fluxdesk-sandbox" test-run -- \
  cargo test --workspace --locked --test e2e_installed --test e2e_desktop -- --include-ignored
say "all checks passed"
