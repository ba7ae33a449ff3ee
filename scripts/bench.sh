#!/usr/bin/env bash
# Prints the benchmark figures recorded in BENCHMARKS.md (release build, one
# throwaway PostgreSQL cluster). Not part of scripts/test.sh: figures, not pass/fail.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo bench -p fluxdesk-core --bench paging --bench audit --bench explorer --bench impersonation --bench users --bench audit_bundle --bench monitoring --locked --no-run
cargo bench -p fluxdesk-core --bench paging --locked
cargo bench -p fluxdesk-core --bench audit --locked
cargo bench -p fluxdesk-core --bench explorer --locked
cargo bench -p fluxdesk-core --bench impersonation --locked
cargo bench -p fluxdesk-core --bench users --locked
cargo bench -p fluxdesk-core --bench audit_bundle --locked
cargo bench -p fluxdesk-core --bench monitoring --locked
# In the window: a 1,000,000-event bundle opened from the command line, in the
# release build the installers carry, under Xvfb (no database needed).
scripts/package.sh deb
FLUXDESK_APP_BINARY="$PWD/target/release/fluxdesk" scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1600x1000x24" \
  cargo test -p fluxdesk-tests --test e2e_audit --locked -- --ignored --nocapture
# Launch time, idle memory and installer size against an empty Tauri app
# built and bundled the same way (crates/fluxdesk-floor-app).
cargo build -p fluxdesk-floor-app --release --features custom-protocol --locked
(cd crates/fluxdesk-floor-app && ../../.tools/node_modules/.bin/tauri bundle --bundles deb --no-sign)
FLUXDESK_APP_BINARY="$PWD/target/release/fluxdesk" scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1600x1000x24" \
  cargo test -p fluxdesk-tests --test e2e_launch --locked -- --ignored --nocapture
