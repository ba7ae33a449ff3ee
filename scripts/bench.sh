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
# In the window: a 1,000,000-event bundle opened from the command line, in a
# release build of the app under Xvfb (no database needed).
scripts/build-ui.sh
cargo build --release -p fluxdesk --locked
FLUXDESK_APP_BINARY="$PWD/target/release/fluxdesk" scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1600x1000x24" \
  cargo test -p fluxdesk-tests --test e2e_audit --locked -- --ignored --nocapture
