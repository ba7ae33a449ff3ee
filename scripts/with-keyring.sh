#!/usr/bin/env bash
# Runs COMMAND in a private D-Bus session with an unlocked gnome-keyring, so
# keyring code meets a real Secret Service without touching the user's own
# keyring. XDG_DATA_HOME and XDG_RUNTIME_DIR point into a throwaway folder,
# which also keeps test profiles away from the user's.
#   usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -m 700 "$scratch/runtime" "$scratch/data"
export XDG_RUNTIME_DIR="$scratch/runtime" XDG_DATA_HOME="$scratch/data"
# The daemon outlives nothing: it belongs to the D-Bus session, which ends
# with COMMAND.
dbus-run-session -- sh -c '
  printf "%s" fluxdesk-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
