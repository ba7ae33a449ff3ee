#!/usr/bin/env bash
# Runs Fluxdesk on the demo instance: installs what is missing, builds the UI
# and the app, starts a throwaway PostgreSQL seeded with the demo, and opens
# the window already connected to it. The database is deleted when the window
# closes.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;36m[run]\033[0m %s\n' "$*" >&2; }

scripts/setup.sh
step=$SECONDS
scripts/build-ui.sh
say "UI built in $((SECONDS - step)) s"
step=$SECONDS
cargo build -p fluxdesk -p fluxdesk-sandbox
say "app built in $((SECONDS - step)) s"

target_dir=${CARGO_TARGET_DIR:-target}
if [[ $(uname) == Linux && -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  say "no display found; set DISPLAY, or run under xvfb-run to try it headless"
fi
exec "$target_dir/debug/fluxdesk-sandbox" demo -- "$target_dir/debug/fluxdesk" "$@"
