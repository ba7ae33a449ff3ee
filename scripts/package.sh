#!/usr/bin/env bash
# Builds the release app and its Linux installers, a .deb and an .rpm, into
# target/release/bundle/. An AppImage needs linuxdeploy from GitHub, which this
# machine cannot reach: the release workflow (.github/workflows/release.yml)
# builds it, and the macOS and Windows installers, on their own runners.
#
#   scripts/package.sh            # .deb and .rpm
#   scripts/package.sh deb        # only the .deb
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;36m[package]\033[0m %s\n' "$*" >&2; }
bundles=${1:-deb,rpm}

scripts/setup.sh
scripts/build-ui.sh
# custom-protocol: the installed app serves its UI from inside the binary.
cargo build -p fluxdesk --release --features custom-protocol --locked
# The Tauri CLI wants its config beside the app's Cargo.toml; the copy is
# ignored by git, and its relative paths mean the same from there.
cp tauri.conf.json src-tauri/tauri.conf.json
(cd src-tauri && ../.tools/node_modules/.bin/tauri bundle --bundles "$bundles" --no-sign)
target_dir=${CARGO_TARGET_DIR:-target}
say "installers:"
find "$target_dir/release/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' \) -printf '  %p  %s bytes\n' >&2
