#!/usr/bin/env bash
# Checks the architecture invariants of ARCHITECTURE.md that a machine can check.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "invariant broken: $*" >&2; exit 1; }

# core never depends on tauri or yew.
if cargo tree -p fluxdesk-core -e normal --prefix none --locked | grep -Eq '^(tauri|yew|wry|tao)[ -]'; then
  fail "fluxdesk-core depends on tauri or yew"
fi
# types depend on serde only.
extra=$(cargo tree -p fluxdesk-types -e normal --prefix none --depth 1 --locked | tail -n +2 | grep -Ev '^serde ' || true)
[[ -z $extra ]] || fail "fluxdesk-types depends on more than serde: $extra"
# Only core runs SQL: nothing else depends on sqlx directly.
for crate in fluxdesk fluxdesk-cli fluxdesk-ui fluxdesk-types; do
  if cargo tree -p "$crate" -e normal --prefix none --depth 1 --locked | tail -n +2 | grep -q '^sqlx '; then
    fail "$crate depends on sqlx directly"
  fi
done
# The UI reaches the backend only through its services layer.
if grep -rln '__TAURI__\|tauri_invoke' src-ui/src | grep -v '^src-ui/src/services/'; then
  fail "IPC used outside src-ui/src/services"
fi
# Rows are paged by key, never by OFFSET.
if grep -rniE '\boffset[[:space:]]*(\$|\{|[0-9])' crates/fluxdesk-core/src; then
  fail "OFFSET paging in core"
fi
# Only Fluxdesk's own bookkeeping opens read-write transactions on read-only profiles.
if grep -rln 'TRANSACTION READ WRITE\|default_transaction_read_only = off\|"default_transaction_read_only", "off"' crates/fluxdesk-core/src |
  grep -Ev '^crates/fluxdesk-core/src/(admin_access|fluxdesk_schema)\.rs$'; then
  fail "a read-write transaction outside admin_access.rs / fluxdesk_schema.rs"
fi
# Acting as someone else happens in two places only, always transaction-local:
# impersonation (SET LOCAL ROLE + claims) and admin bookkeeping's claims.
if grep -rln 'SET LOCAL ROLE\|request\.jwt\.claims' crates/fluxdesk-core/src |
  grep -Ev '^crates/fluxdesk-core/src/(impersonation|admin_access)\.rs$'; then
  fail "role or JWT claims set outside impersonation.rs / admin_access.rs"
fi
if grep -rnE '(execute|query|query_scalar)\("(SET ROLE|SET SESSION|SELECT set_config\([^)]*, *false\))' crates/fluxdesk-core/src; then
  fail "a session-level role or setting in core"
fi
# Fluxdesk's migrations stay inside the fluxdesk schema and keep the audit trail append-only.
if grep -hoiE '(create|alter|drop)[[:space:]]+(table|function|index|trigger|view|type)[[:space:]]+(if[[:space:]]+(not[[:space:]]+)?exists[[:space:]]+)?[a-z_."]+' migrations/*.sql |
  grep -viE '[[:space:]]fluxdesk\.|index|trigger'; then
  fail "a migration creates something outside the fluxdesk schema"
fi
for operation in UPDATE DELETE TRUNCATE; do
  grep -q "BEFORE $operation ON fluxdesk.audit_events" migrations/*.sql ||
    fail "no trigger rejecting $operation on fluxdesk.audit_events"
done
# The data folder the CLI shares with the app is named by the app's identifier.
identifier=$(grep -o '"identifier": *"[^"]*"' tauri.conf.json | sed 's/.*: *"\(.*\)"/\1/')
grep -q "APP_IDENTIFIER: &str = \"$identifier\"" crates/fluxdesk-core/src/profiles.rs ||
  fail "APP_IDENTIFIER in core differs from tauri.conf.json's identifier ($identifier)"
echo "architecture invariants hold"
