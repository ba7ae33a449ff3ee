//! `fluxdesk-cli`: Fluxdesk for scripts and headless use.
//!
//! A second face over `fluxdesk-core`, next to the desktop app. Its verbs and
//! `--json` shapes are a public interface: change them only compatibly, and
//! keep `--help` describing them.

mod admin;
mod audit;
mod configure;
mod impersonate;
mod output;
mod stats;
mod users;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use fluxdesk_core::{Console, CoreError, Keyring, ProfileFile, ident};
use fluxdesk_types::{
    ApiError, Environment, EnvironmentKind, ErrorCode, PasswordStorage, ProfileDraft, Protection,
    RowsRequest, StatementOutcome, TlsMode,
};
use fluxdesk_types::{Arity, Condition, FilterOp, Join, RowFilter, SortKey};
use fluxdesk_types::{ExportFormat, ExportProgress, ExportRequest, ExportSource};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

const AFTER_HELP: &str = "\
INSTANCES:
  Every verb that reads an instance takes --profile NAME (a saved profile, its
  password from the OS keyring) or --dsn URL (FLUXDESK_DSN). Profiles live in
  the same file as the desktop app's ($XDG_DATA_HOME/dev.fluxdesk.app/profiles.json
  on Linux; --profiles-file or FLUXDESK_PROFILES_FILE to choose another).
  A --dsn instance gets the protection its name suggests: read-only when the
  host or database contains \"prod\", confirm-writes for \"stag\", else open.

JSON OUTPUT (--json), stable for scripts:
  schemas  [{\"name\": str, \"relation_count\": int}]
  tables   [{\"schema\": str, \"name\": str, \"kind\": \"table\"|\"partitioned_table\"|\"view\"|
             \"materialized_view\"|\"foreign_table\", \"estimated_rows\": int|null,
             \"total_bytes\": int|null, \"rls_enabled\": bool, \"rls_forced\": bool,
             \"policy_count\": int, \"realtime\": bool}]
  rows     {\"table\": {\"schema\": str, \"name\": str},
            \"columns\": [{\"name\": str, \"data_type\": str, \"primary_key_position\": int|null}],
            \"rows\": [{<column name>: value}],
            \"order\": \"primary_key\"|\"physical_location\"|\"unordered\",
            \"next\": str|null}
           Values are JSON null, booleans, numbers (integers only while exact in
           a double), JSON documents for json/jsonb columns, and strings for
           everything else. Pass \"next\" to --after for the following page.
  export   {\"path\": str, \"rows\": int, \"bytes\": int, \"elapsed_ms\": int}
  query    {\"outcome\": \"done\"|\"committed\", \"wrote\": bool,
            \"rows_affected\": int, \"columns\": [...] , \"rows\": [{...}], \"truncated\": bool}
           For a script: the last statement's rows; rows_affected adds up all statements.
  profiles list   [{\"profile\": {profile fields}, \"password\": \"saved\"|\"missing\"|
                    \"ask_every_time\"|\"keyring_unavailable\"|\"this_run_only\",
                    \"connected\": bool, \"saved\": bool}]
  profiles add    the new entry, as in profiles list
  profiles remove {\"removed\": str}
  profiles test   {\"connected\": bool, \"problem\": null|\"unknown_host\"|\"refused\"|\"timeout\"|
                   \"bad_credentials\"|\"database_missing\"|\"tls_failure\"|\"not_fluxbase\"|
                   \"password_needed\"|\"keyring_unavailable\"|\"other\", \"message\": str,
                   \"server_version\": str|null, \"layout\": \"dashboard\"|\"platform\"|
                   \"not_fluxbase\"|null, \"elapsed_ms\": int}

  login    {\"admin_id\": str, \"email\": str, \"full_name\": str|null, \"role\": str,
            \"totp_enabled\": bool, \"session_id\": str, \"signed_in_at\": str, \"expires_at\": str,
            \"policy\": {\"idle_timeout_secs\": int, \"absolute_timeout_secs\": int}}
  logout   {\"signed_out\": bool}
  schema status|install  {\"applied\": [int], \"pending\": [str], \"up_to_date\": bool}
  admin users list|get|delete|unlock
           [{\"id\": str, \"email\": str, \"full_name\": str|null, \"role\": str,
             \"totp_enabled\": bool, \"is_active\": bool, \"locked_until\": str|null,
             \"failed_login_attempts\": int, \"last_sign_in_at\": str|null,
             \"active_sessions\": int, \"created_at\": str|null}]
  admin users invite, admin invitations list
           [{\"id\": str, \"email\": str, \"token\": str, \"role\": str, \"invited_by\": str|null,
             \"expires_at\": str, \"accepted\": bool, \"created_at\": str|null,
             \"status\": \"pending\"|\"accepted\"|\"expired\"}]
  admin invitations revoke  {\"revoked\": str}
  admin sessions list [{\"id\": str, \"kind\": \"admin\"|\"app\", \"user_id\": str, \"email\": str|null,
             \"created_at\": str|null, \"expires_at\": str, \"ip_address\": str|null,
             \"user_agent\": str|null, \"current\": bool}]
  admin sessions revoke     {\"revoked\": str, \"kind\": \"admin\"|\"app\", \"token_blacklisted\": bool}
  admin sessions revoke-all {\"user_id\": str, \"revoked\": int}
  admin password-reset
           {\"kind\": \"reset_token\", \"token\": str, \"expires_at\": str, \"sessions_revoked\": int}
        or {\"kind\": \"temporary_password\", \"password\": str, \"sessions_revoked\": int}
  impersonate ... query
           query's shape with \"outcome\": \"done\"|\"dry_run\" (a write, rolled back), plus
           \"impersonation\": {\"session_id\": str, \"kind\": \"user\"|\"anon\"|\"service\",
             \"user_id\": str|null, \"email\": str, \"app_role\": str,
             \"database_role\": \"anon\"|\"authenticated\"|\"service_role\", \"reason\": str,
             \"started_at\": str}
  users list {\"users\": [user], \"next\": str|null,
            \"matching\": {\"count\": int, \"capped\": bool, \"estimated\": bool}|null,
            \"search_index\": {\"in_place\": bool, \"can_create\": bool, \"message\": str}}
           user = {\"id\": str, \"email\": str, \"role\": str, \"email_verified\": bool,
             \"created_at\": str|null, \"last_sign_in_at\": str|null, \"active_sessions\": int,
             \"providers\": [str], \"totp_enabled\": bool, \"locked\": bool,
             \"locked_until\": str|null, \"user_metadata\": str, \"app_metadata\": str}
           (metadata as JSON text, cut to 300 characters in lists).
                      Pass \"next\" to --after, with the same --sort, --desc, --search and
           filters, for the following page; a cursor used on another list is refused.
  users get {\"user\": user, \"updated_at\": str|null, \"failed_login_attempts\": int,
             \"sessions\": [{\"id\", \"created_at\", \"updated_at\", \"expires_at\", \"active\"}],
             \"oauth_links\": [{\"provider\", \"provider_user_id\", \"email\", \"created_at\"}],
             \"impersonations\": [{\"id\", \"admin\", \"reason\", \"started_at\", \"ended_at\", \"active\"}],
             \"audit_events\": [{\"seq\", \"occurred_at\", \"action\", \"admin\", \"outcome\", \"details\"}],
             \"cascades\": [{\"table\": str, \"column\": str, \"action\": \"cascade\"|\"set null\"|
               \"set default\"|\"restrict\"|\"no action\", \"rows\": int,
               \"readable\": bool}],
             \"settings\": [{\"key\", \"value\" (null for secrets), \"value_type\", \"category\",
               \"description\", \"is_public\", \"is_secret\", \"editable_by\", \"not_editable\",
               \"updated_at\", \"updated_by\", \"user_id\"}]}
           (rows is 0 when the connection may not read the table; settings are the user's own app.settings rows)
  users invite {\"user\": user, \"credential\": credential}
  users reset-password {\"credential\": credential, \"sessions_revoked\": int}
           credential = {\"kind\": \"temporary_password\", \"password\": str}
                     or {\"kind\": \"token\", \"token\": str, \"table\": str, \"expires_at\": str}
  users set-role|set-metadata|unlock  user
  users lock {\"user\": user, \"sessions_revoked\": int}
  users revoke-sessions {\"user\": str, \"revoked\": int}
  users delete {\"deleted\": user, \"cascades\": [cascade]}
  users bulk {\"users\": int, \"sessions_revoked\": int}
  users search-index {\"in_place\": bool, \"can_create\": bool, \"message\": str}
  audit list {\"entries\": [entry], \"next_cursor\": str|null,
             \"unavailable\": [{\"source\": source, \"reason\": str}]}
           entry = {\"source\": source, \"id\": str, \"seq\": int|null, \"occurred_at\": str,
             \"admin\": str|null, \"action\": str, \"target\": str|null,
             \"outcome\": \"success\"|\"failure\"|\"denied\", \"details\": str (JSON text)}
           source = \"fluxdesk\"|\"activity_log\"|\"impersonation\"|\"security\"
           Pass \"next_cursor\" to --after, with the same filters, for the following page.
  audit export {\"path\": str, \"events\": int, \"bytes\": int, \"public_key\": str}
  audit verify bundle = {\"review_id\": str, \"path\": str, \"instance\": str, \"address\": str,
             \"system_identifier\": str|null, \"layout\": str, \"exported_by\": str|null,
             \"exported_at\": str, \"since\": str|null, \"until\": str|null, \"client\": str,
             \"encrypted\": bool, \"signer_public_key\": str, \"key_pinned\": bool|null,
             \"signature_valid\": bool, \"events\": int,
             \"first_problem\": {\"position\": int, \"text\": str}|null, \"verdict\": str}
  audit show {\"bundle\": bundle, \"matching\": int, \"events\": [entry],
             \"summary\": {\"events\": int, \"by_admin\": [count], \"by_action\": [count]}|null,
             \"impersonations\": [{\"session_id\": str, \"admin\": str|null, \"identity\": str,
               \"kind\": str, \"reason\": str|null, \"started_at\": str|null, \"ended\": str|null,
               \"statements\": [entry]}]|null, \"csv_rows\": int|null}
           count = {\"key\": str, \"events\": int, \"not_successful\": int, \"first\": str, \"last\": str}
  stats    {\"taken_at\": str, \"sessions\": {\"app_live\": int, \"app_expired\": int, \"admin_live\": int},
            \"backends\": [{\"state\": str, \"user\": str, \"application\": str, \"count\": int}],
            \"longest_queries\"|\"idle_in_transaction\": [{\"pid\": int, \"user\": str, \"application\": str,
              \"state\": str, \"seconds\": float, \"query\": str}],
            \"connections\": {\"in_use\": int, \"max\": int, \"reserved\": int},
            \"pools\": [{\"name\": str, \"size\": int, \"idle\": int, \"max\": int, \"waits\": int}],
            \"database\": {\"commits\", \"rollbacks\", \"deadlocks\", \"temp_files\", \"temp_bytes\",
              \"blocks_hit\", \"blocks_read\": int, \"cache_hit_ratio\": float|null},
            \"statements\": {\"kind\": \"available\", \"top\": [{\"query\": str, \"calls\": int,
              \"total_ms\": float, \"mean_ms\": float, \"rows\": int}]}
                        | {\"kind\": \"unavailable\", \"how_to_enable\": str},
            \"table_scans\": [{\"schema\", \"table\": str, \"seq_scans\", \"index_scans\", \"live_rows\": int}],
            \"storage\": {\"database_bytes\": int, \"schemas\": [{\"schema\": str, \"bytes\": int}],
              \"largest_tables\": [{\"schema\", \"table\": str, \"heap_bytes\", \"index_bytes\", \"toast_bytes\": int}],
              \"buckets\": [{\"bucket\": str, \"objects\": int, \"bytes\": int}]},
            \"round_ms\": float}     (--watch: one such line per round)
  settings list|get
           [setting] (get: one setting)
           setting = {\"key\": str, \"value\": str|null (null for secrets), \"value_type\": \"string\"|
             \"number\"|\"boolean\"|\"json\"|\"array\", \"category\": str, \"description\": str|null,
             \"is_public\": bool, \"is_secret\": bool, \"editable_by\": [str], \"editable\": bool,
             \"not_editable\": str|null, \"updated_at\": str|null, \"updated_by\": str|null}
           Values are text as an editor shows them: strings as typed, numbers, true/false, JSON.
  settings set {\"key\": str, \"value_type\": str, \"before\": str, \"after\": str, \"changed\": bool}
  realtime list|enable
           [{\"schema\": str, \"table\": str, \"enabled\": bool, \"events\": [str],
             \"excluded_columns\": [str], \"table_exists\": bool, \"trigger_installed\": bool,
             \"replica_identity\": \"default\"|\"full\"|\"nothing\"|\"index\"|\"—\",
             \"restorable\": bool, \"updated_at\": str|null}]
  realtime disable {\"schema\": str, \"table\": str, \"restored\": bool, \"note\": str}
  buckets list [{\"id\": str, \"name\": str, \"public\": bool, \"allowed_mime_types\": [str]|null,
             \"max_file_size\": int|null, \"objects\": int, \"bytes\": int,
             \"created_at\": str|null, \"updated_at\": str|null}]
  Times are RFC 3339 in UTC.

AUDIT BUNDLES:
  `audit export --out FILE` writes Fluxdesk's hash-chained events to a .fxaudit
  bundle (format: docs/audit-bundle.md), signed with this install's Ed25519 key
  (kept in the OS keyring); --encrypt adds a passphrase (argon2id, then
  XChaCha20-Poly1305), read from FLUXDESK_BUNDLE_PASSPHRASE or asked.
  `audit verify FILE [--public-key KEY]` and `audit show FILE` need no instance.
  verify exits 0 when intact and 8 when not (an altered, removed, inserted,
  reordered or missing event, a bad signature, or a signer other than
  --public-key); show prints the view either way and the verdict on stderr.

ADMIN SIGN-IN:
  `login` signs in as a Fluxbase admin (email from --email or FLUXDESK_ADMIN_EMAIL,
  password from FLUXDESK_ADMIN_PASSWORD or a prompt, code from --totp) and keeps
  the session token in the OS keyring; `admin ...` verbs and writes by `query`
  then act as that admin and are recorded in the instance's audit trail.
  Without a kept session, `admin ...` signs in for one command when
  FLUXDESK_ADMIN_EMAIL and FLUXDESK_ADMIN_PASSWORD (and FLUXDESK_ADMIN_TOTP) are set.
  Sign-in needs Fluxdesk's schema: `schema install` (asks, or --yes).
  On production profiles, `admin users delete`, `admin password-reset`,
  `admin sessions revoke-all`, `users delete|reset-password|bulk`, `users set-role|invite` with a role that bypasses RLS (admin, dashboard_admin, instance_admin, service_role),
  `users revoke-sessions` (all of them), `settings set`, `realtime enable|disable`
  and committing with `query` while signed in need a
  step-up: --totp CODE, or FLUXDESK_ADMIN_PASSWORD when the admin has no 2FA
  (not needed when the same command signed in from the environment).

IMPERSONATION:
  `impersonate (--user EMAIL | --user-id UUID | --anon | --service) --reason TEXT query SQL`
  runs SQL in one transaction with SET LOCAL ROLE (anon, authenticated or
  service_role, as Fluxbase maps the app role) and the claims Fluxbase puts in
  request.jwt.claims, so RLS answers as for that identity's own requests.
  It needs a signed-in admin (`login`, or FLUXDESK_ADMIN_EMAIL/PASSWORD) and a
  step-up (--totp CODE, or FLUXDESK_ADMIN_PASSWORD without 2FA; not needed when
  the same command signed in). Writes are dry runs: they run, report their
  rows or the RLS/permission error (exit status 5), and are rolled back.

PROTECTION (query):
  read-only       the server refuses every write (exit status 5);
  confirm-writes  a statement that wrote is shown with its affected rows and
                  committed only after you answer y, or with --yes; otherwise it
                  is rolled back (exit status 6);
  open            commits at once.

ERRORS:
  On failure nothing is printed on stdout, one line is printed on stderr
  (with --json: {\"code\": str, \"message\": str}), and the exit status is
    2 invalid input or usage, 3 cannot connect, timed out or keyring unavailable,
    4 not found, 5 permission denied or read-only, 6 write not confirmed,
    7 sign-in needed or refused (wrong credentials or code, locked account,
    no or revoked session, step-up needed, Fluxdesk schema not installed),
    8 audit bundle not intact (`audit verify`),
    130 cancelled (Ctrl+C during an export), 1 anything else. `profiles test` exits 0 when it connected, 3 when not.

EXAMPLES:
  fluxdesk-cli profiles add 'postgres://ops:secret@db.example/app' --name Production --env production
  fluxdesk-cli --profile Production tables
  fluxdesk-cli --dsn \"$URL\" rows public.todos --limit 50 --json
  fluxdesk-cli --profile Production rows public.todos --filter done eq true --filter priority in 1 4 --search alice
  fluxdesk-cli --profile Staging query \"UPDATE todos SET done = true WHERE id = 7\" --yes
  fluxdesk-cli --dsn \"$URL\" export public.events --format csv --out events.csv --filter kind eq purchase
  FLUXDESK_ADMIN_PASSWORD=... fluxdesk-cli --profile Production login --email admin@example.com --totp 123456
  fluxdesk-cli --profile Production admin users invite --email new@example.com --role dashboard_admin --json
  fluxdesk-cli --profile Production users list --search @acme.com --sort last_sign_in --desc --json
  fluxdesk-cli --profile Production users lock bob@example.com --until 24h
  fluxdesk-cli --profile Production audit export --out audit.fxaudit --since 2026-11-01 --totp 123456
  fluxdesk-cli audit verify audit.fxaudit --public-key 'BASE64KEY' --json
  fluxdesk-cli audit show audit.fxaudit --action impersonation --summary --impersonations
  fluxdesk-cli --profile Staging settings set app.ai.default_rate_limit_per_minute 30
  fluxdesk-cli --profile Staging realtime enable public.todos --event INSERT --event UPDATE --exclude secret_note
  fluxdesk-cli --profile Staging buckets list --json
  fluxdesk-cli --profile Production impersonate --user bob@example.com --reason \"ticket 4411\" query \"SELECT * FROM todos\"";

/// Administer Fluxbase instances from scripts: profiles, schemas, tables, rows, SQL, admins and sessions.
// No Debug derive on the arguments: --dsn and `profiles add` URLs may hold passwords.
#[derive(Parser)]
#[command(name = "fluxdesk-cli", version, after_long_help = AFTER_HELP)]
struct Cli {
    /// Connection URL: postgres://user[:password]@host[:port]/database[?sslmode=...&host=/socket/dir]
    #[arg(
        long,
        env = "FLUXDESK_DSN",
        global = true,
        hide_env_values = true,
        conflicts_with = "profile"
    )]
    dsn: Option<String>,

    /// A saved profile, by name (see `profiles list`).
    #[arg(long, global = true)]
    profile: Option<String>,

    /// Read the password from the first line of standard input (for profiles
    /// that ask for it every time).
    #[arg(long, global = true)]
    password_stdin: bool,

    /// The profiles file (default: the app's, in the platform's data folder).
    #[arg(long, env = "FLUXDESK_PROFILES_FILE", global = true)]
    profiles_file: Option<PathBuf>,

    /// Print machine-readable JSON (shapes below) instead of tables.
    #[arg(long, global = true)]
    json: bool,

    /// Seconds allowed for connecting (--dsn only; profiles carry their own).
    #[arg(long, global = true, default_value_t = 5)]
    connect_timeout: u32,

    #[command(subcommand)]
    command: Verb,

    /// `rows --filter` occurrences, one group each (filled from the matches).
    #[arg(skip)]
    filter_groups: Vec<Vec<String>>,
}

#[derive(Subcommand)]
enum Verb {
    /// List schemas and how many tables and views each holds.
    Schemas,
    /// List tables and views with their estimated row counts.
    Tables {
        /// Only this schema (default: every schema).
        schema: Option<String>,
    },
    /// Print one page of a table's rows, ordered by primary key.
    Rows {
        /// The table, as schema.table (default schema: public). Quote parts
        /// with double quotes when they hold dots or capitals.
        table: String,
        /// Rows per page, 1 to 1000.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Continue after this position: the "next" value of the previous page.
        #[arg(long)]
        after: Option<String>,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Run SQL under the instance's protection: one statement, or a script of
    /// several (split at `;` outside strings and comments) in one transaction.
    /// A failing statement rolls back the whole script.
    Query {
        /// The statement or script.
        sql: String,
        /// On a confirm-writes instance, commit a write without asking.
        #[arg(long)]
        yes: bool,
        /// Step-up code for committing on a production profile while signed in
        /// (or FLUXDESK_ADMIN_PASSWORD when the admin has no 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Stream a table's rows (filtered and sorted as with `rows`) or a query's
    /// result to a CSV or JSON file through COPY, in a read-only transaction.
    /// Memory stays flat; progress goes to stderr on a terminal; Ctrl+C
    /// cancels. The file appears only when complete: a failed or cancelled
    /// export leaves no partial file and never replaces an existing one.
    Export {
        /// The table, as schema.table; leave it out to export --query instead.
        #[arg(required_unless_present = "query", conflicts_with = "query")]
        table: Option<String>,
        /// Export the rows of this query (one SELECT, VALUES or TABLE) instead of a table.
        #[arg(long)]
        query: Option<String>,
        /// csv: PostgreSQL's CSV with a header line; json: an array of objects.
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Manage saved profiles.
    #[command(subcommand)]
    Profiles(ProfileVerb),
    /// Sign in as a Fluxbase admin; the session token is kept in the OS keyring.
    /// The password comes from FLUXDESK_ADMIN_PASSWORD or a prompt.
    Login(admin::Login),
    /// Sign out: delete the session row and forget the token.
    Logout,
    /// Fluxdesk's own schema (audit trail) in the instance.
    #[command(subcommand)]
    Schema(admin::SchemaVerb),
    /// Manage admins, invitations and sessions, as the signed-in admin.
    #[command(subcommand)]
    Admin(admin::AdminVerb),
    /// Act as an app user, anon or the service role, exactly as a Fluxbase
    /// request would (SET LOCAL ROLE and transaction-local JWT claims), as the
    /// signed-in admin with a reason; recorded in auth.impersonation_sessions
    /// and the audit trail, and stopped when the command ends.
    Impersonate(impersonate::Impersonate),
    /// App users (auth.users), as the signed-in admin: list (sorted, searched
    /// and filtered on the server, paged by key), get, invite, set-role,
    /// set-metadata, reset-password, lock, unlock, revoke-sessions, delete, bulk.
    /// Every change is audited.
    #[command(subcommand)]
    Users(users::UsersVerb),
    /// The audit log: `list` the merged log of an instance, `export` a signed
    /// (optionally encrypted) .fxaudit bundle, and `verify` or `show` a
    /// bundle offline, with no instance at all.
    #[command(subcommand)]
    Audit(audit::AuditVerb),
    /// One sampling round of the instance's health: sessions, backends,
    /// connections against max_connections, Fluxdesk's pools, counters, top
    /// statements (pg_stat_statements) or how to enable them, table scans,
    /// and sizes. --watch repeats it every N seconds until Ctrl+C (with
    /// --json, one JSON document per line); a failed round is reported on
    /// stderr and the watch goes on.
    Stats {
        /// Repeat every this many seconds.
        #[arg(long, value_name = "SECONDS")]
        watch: Option<u64>,
    },
    /// Instance settings (app.settings), as the signed-in admin: list, get,
    /// and set, checked by type and editable_by, and audited.
    #[command(subcommand)]
    Settings(configure::SettingsVerb),
    /// Tables publishing their changes (realtime.schema_registry), as the
    /// signed-in admin: list, enable, disable; audited.
    #[command(subcommand)]
    Realtime(configure::RealtimeVerb),
    /// Storage buckets, as the signed-in admin.
    #[command(subcommand)]
    Buckets(configure::BucketsVerb),
}

/// Which rows, in which order: shared by `rows` and `export`.
#[derive(Args)]
struct ViewArgs {
    /// Keep rows where COLUMN OP [VALUE...] holds; repeatable. OP is one of
    /// eq, ne, lt, le, gt, ge, contains, starts_with, is_null, is_not_null,
    /// in (one or more values) or json_path (a SQL/JSON path, for jsonb).
    /// Values are sent as parameters and cast to the column's type.
    #[arg(long, num_args = 2.., value_names = ["COLUMN", "OP"], action = clap::ArgAction::Append)]
    filter: Vec<String>,
    /// With several --filter, keep rows matching any one (OR) instead of all (AND).
    #[arg(long)]
    any: bool,
    /// Keep rows whose text columns contain this text (case-insensitive).
    #[arg(long)]
    search: Option<String>,
    /// Sort by this column, before the key; repeatable, in order.
    /// `--order=-COLUMN` sorts descending (`+COLUMN` for a name that starts with "-").
    #[arg(long, allow_hyphen_values = true)]
    order: Vec<String>,
}

impl ViewArgs {
    /// The first page of `table` under these filters and this order, whole
    /// values; `groups` are the `--filter` occurrences.
    fn request(&self, table: &str, groups: &[Vec<String>]) -> Result<RowsRequest, Failure> {
        Ok(RowsRequest {
            table: ident::parse_table_ref(table)?,
            limit: 1,
            after: None,
            before: None,
            position: None,
            full_values: true,
            filter: row_filter(groups, self.any, self.search.clone())?,
            sort: self.order.iter().map(|spec| sort_key(spec)).collect(),
        })
    }
}

/// `export --format`.
#[derive(Clone, Copy, ValueEnum)]
enum ExportFormatArg {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum ProfileVerb {
    /// List saved profiles and whether their passwords are in the keyring.
    List,
    /// Save a profile from a postgres:// URL; its password (from the URL, or
    /// better from --password-stdin, which keeps it out of shell history)
    /// goes to the OS keyring.
    Add(AddProfile),
    /// Delete a saved profile and its keyring entry.
    Remove {
        /// The profile's name.
        name: String,
    },
    /// Test a saved profile's connection and say what is wrong, if anything.
    Test {
        /// The profile's name.
        name: String,
    },
}

#[derive(Args)]
struct AddProfile {
    /// postgres://user[:password]@host[:port]/database[?sslmode=...]
    url: String,
    /// Name (default: "<database> on <host>").
    #[arg(long)]
    name: Option<String>,
    /// Environment tag (default: guessed from the host and database names).
    #[arg(long, value_enum)]
    env: Option<EnvArg>,
    /// Protection level (default: read-only for production, confirm-writes
    /// for staging, open for development).
    #[arg(long, value_enum)]
    protection: Option<ProtectionArg>,
    /// Store no password: ask for it at every connection.
    #[arg(long)]
    ask_password: bool,
    /// TLS mode (default: the URL's sslmode, else prefer).
    #[arg(long, value_enum)]
    tls: Option<TlsArg>,
    /// CA certificate file, for verify-ca and verify-full.
    #[arg(long)]
    ca_file: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EnvArg {
    Production,
    Staging,
    Development,
    Custom,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProtectionArg {
    ReadOnly,
    ConfirmWrites,
    Open,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum TlsArg {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Why the CLI stops: a core error, or a write left uncommitted.
enum Failure {
    Core(CoreError),
    NotConfirmed(String),
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Self {
        Failure::Core(error)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // --json decides the error format even when the rest of the line is wrong.
    let json = std::env::args().any(|arg| arg == "--json");
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            error.exit()
        }
        Err(error) => {
            return fail(
                ApiError::new(ErrorCode::InvalidInput, usage_error_line(&error)),
                2,
                json,
            );
        }
    };
    // Each --filter is its own group of values; derive flattens them.
    if let Some(rows) = matches
        .subcommand_matches("rows")
        .or_else(|| matches.subcommand_matches("export"))
    {
        cli.filter_groups = rows
            .get_occurrences::<String>("filter")
            .map(|groups| groups.map(|group| group.cloned().collect()).collect())
            .unwrap_or_default();
    }
    match run(cli).await {
        Ok(code) => code,
        Err(Failure::Core(error)) => {
            let error = ApiError::from(error);
            let status = exit_status(error.code);
            fail(error, status, json)
        }
        Err(Failure::NotConfirmed(message)) => fail(ApiError::new(ErrorCode::InvalidInput, message), 6, json),
    }
}

/// `--order COLUMN`, `--order=-COLUMN` (descending) or `--order +COLUMN`.
fn sort_key(spec: &str) -> SortKey {
    match spec.strip_prefix('-') {
        Some(column) => SortKey {
            column: column.to_owned(),
            descending: true,
        },
        None => SortKey {
            column: spec.strip_prefix('+').unwrap_or(spec).to_owned(),
            descending: false,
        },
    }
}

/// The `--filter COLUMN OP [VALUE...]` arguments as a filter.
fn row_filter(filters: &[Vec<String>], any: bool, search: Option<String>) -> Result<RowFilter, CoreError> {
    let conditions = filters
        .iter()
        .map(|parts| {
            let (column, rest) = parts.split_first().expect("clap gives at least two values");
            let (op, values) = rest.split_first().expect("clap gives at least two values");
            let op = FilterOp::ALL
                .into_iter()
                .find(|o| o.as_str() == op)
                .ok_or_else(|| {
                    CoreError::InvalidInput(format!(
                        "\"{op}\" is not a filter operator: use one of {}.",
                        FilterOp::ALL.map(|o| o.as_str()).join(", ")
                    ))
                })?;
            let fits = match op.arity() {
                Arity::None => values.is_empty(),
                Arity::One => values.len() == 1,
                Arity::List => !values.is_empty(),
            };
            if !fits {
                return Err(CoreError::InvalidInput(format!(
                    "--filter {column} {} takes {} value(s), not {}.",
                    op.as_str(),
                    match op.arity() {
                        Arity::None => "no",
                        Arity::One => "one",
                        Arity::List => "one or more",
                    },
                    values.len()
                )));
            }
            Ok(Condition {
                column: column.clone(),
                op,
                values: values.to_vec(),
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()?;
    Ok(RowFilter {
        conditions,
        join: if any { Join::Any } else { Join::All },
        search,
    })
}

/// clap's message without its usage block, as one line with a pointer to --help.
fn usage_error_line(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let detail: Vec<&str> = rendered
        .lines()
        .skip_while(|line| !line.starts_with("error:"))
        .take_while(|line| !line.trim().is_empty() && !line.starts_with("Usage:"))
        .map(|line| line.trim().trim_start_matches("error:").trim())
        .collect();
    if detail.is_empty() {
        return "no verb given: use schemas, tables, rows, query or profiles (see fluxdesk-cli --help)"
            .to_owned();
    }
    format!("{} (see fluxdesk-cli --help)", redact_urls(&detail.join(" ")))
}

/// Replaces the password of every URL in `text` with `***`: clap repeats
/// argument values in its messages, and a URL may hold a password.
fn redact_urls(text: &str) -> String {
    text.split_inclusive(|c: char| c.is_whitespace() || c == '\'' || c == '"')
        .map(|piece| {
            let token = piece.trim_end_matches(|c: char| c.is_whitespace() || c == '\'' || c == '"');
            match url::Url::parse(token) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    let _ = parsed.set_password(Some("***"));
                    piece.replacen(token, parsed.as_str(), 1)
                }
                _ => piece.to_owned(),
            }
        })
        .collect()
}

fn fail(error: ApiError, status: u8, json: bool) -> ExitCode {
    let line = if json {
        serde_json::to_string(&error).unwrap_or_else(|_| error.message.clone())
    } else {
        format!("fluxdesk-cli: error: {}", error.message.replace('\n', " "))
    };
    eprintln!("{line}");
    ExitCode::from(status)
}

fn exit_status(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidInput | ErrorCode::PasswordNeeded => 2,
        ErrorCode::ConnectionFailed
        | ErrorCode::Timeout
        | ErrorCode::NotConnected
        | ErrorCode::KeyringUnavailable => 3,
        ErrorCode::NotFound => 4,
        ErrorCode::PermissionDenied | ErrorCode::ReadOnly => 5,
        ErrorCode::AuthenticationFailed
        | ErrorCode::AccountLocked
        | ErrorCode::SignInRequired
        | ErrorCode::StepUpRequired
        | ErrorCode::SchemaNotInstalled => 7,
        ErrorCode::Database | ErrorCode::Internal => 1,
        ErrorCode::Cancelled => 130,
    }
}

fn console(cli: &Cli) -> Result<Console, CoreError> {
    let path = match &cli.profiles_file {
        Some(path) => path.clone(),
        None => ProfileFile::default_path()?,
    };
    let console = Console::new(
        Box::new(ProfileFile::new(path)),
        Keyring::new(Keyring::default_service()),
    );
    console.set_client("fluxdesk-cli");
    Ok(console)
}

fn read_password(cli: &Cli) -> Result<Option<String>, CoreError> {
    if !cli.password_stdin {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| CoreError::io("Cannot read the password from standard input", error))?;
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

/// Id of the instance a verb works on: the named profile, or the --dsn URL.
async fn open_instance(console: &Console, cli: &Cli) -> Result<String, CoreError> {
    let id = match (&cli.profile, &cli.dsn) {
        (Some(name), _) => console.profile_named(name)?.id,
        (None, Some(dsn)) => {
            let (mut profile, password) = fluxdesk_core::profiles::profile_from_url(dsn)?;
            // One id per target, so a remembered admin session belongs to one instance.
            let id = format!(
                "dsn:{}@{}:{}/{}",
                profile.user, profile.host, profile.port, profile.database
            );
            profile.id = id.clone();
            profile.name = "command line".to_owned();
            profile.connect_timeout_secs = cli.connect_timeout.max(1);
            console.add_transient(profile, password)?;
            id
        }
        (None, None) => {
            return Err(CoreError::InvalidInput(
                "No instance given: pass --profile NAME or --dsn URL (or set FLUXDESK_DSN).".to_owned(),
            ));
        }
    };
    let mut password = read_password(cli)?;
    if cli.dsn.is_some() && cli.profile.is_none() {
        password = None;
    }
    let connected = match console.connect(&id, password.clone()).await {
        Err(CoreError::PasswordNeeded { profile, .. })
            if password.is_none() && std::io::stdin().is_terminal() =>
        {
            let typed = rpassword::prompt_password(format!("Password for {profile}: "))
                .map_err(|error| CoreError::io("Cannot read the password", error))?;
            console.connect(&id, Some(typed)).await
        }
        other => other,
    };
    connected?;
    Ok(id)
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let console = console(&cli)?;
    if let Verb::Profiles(verb) = &cli.command {
        return manage_profiles(&console, &cli, verb).await;
    }
    if let Verb::Audit(verb) = &cli.command
        && audit::is_offline(verb)
    {
        return Ok(ExitCode::from(audit::offline(verb, cli.json)?));
    }
    // Validate arguments before connecting, so typos fail fast.
    let request = match &cli.command {
        Verb::Rows {
            table,
            limit,
            after,
            view,
        } => Some(RowsRequest {
            limit: *limit,
            after: after.as_deref().map(output::parse_cursor).transpose()?,
            ..view.request(table, &cli.filter_groups)?
        }),
        Verb::Export {
            table: Some(table),
            view,
            ..
        } => Some(view.request(table, &cli.filter_groups)?),
        _ => None,
    };
    let id = open_instance(&console, &cli).await?;
    let result = execute(&console, &id, &cli, request).await;
    console.close_connection(&id).await;
    result
}

async fn execute(
    console: &Console,
    id: &str,
    cli: &Cli,
    request: Option<RowsRequest>,
) -> Result<ExitCode, Failure> {
    match (&cli.command, request) {
        (Verb::Schemas, _) => output::schemas(&console.schemas(id).await?, cli.json)?,
        (Verb::Tables { schema }, _) => {
            let names = match schema {
                Some(schema) => vec![schema.clone()],
                None => console.schemas(id).await?.into_iter().map(|s| s.name).collect(),
            };
            let mut tables = Vec::new();
            for name in names {
                tables.extend(console.tables(id, &name).await?);
            }
            output::tables(&tables, cli.json)?
        }
        (Verb::Rows { .. }, Some(request)) => output::rows(&console.rows(id, &request).await?, cli.json)?,
        (
            Verb::Export {
                query, format, out, ..
            },
            view,
        ) => {
            if let Err(error) = console.resume_remembered_session(id).await {
                note_unattributed(&error);
            }
            let source = match (view, query) {
                (Some(view), _) => ExportSource::View {
                    table: view.table,
                    filter: view.filter,
                    sort: view.sort,
                },
                (None, Some(sql)) => ExportSource::Query { sql: sql.clone() },
                (None, None) => unreachable!("clap requires a table or --query"),
            };
            let request = ExportRequest {
                source,
                format: match format {
                    ExportFormatArg::Csv => ExportFormat::Csv,
                    ExportFormatArg::Json => ExportFormat::Json,
                },
                path: out.display().to_string(),
            };
            export(console, id, &request, cli.json).await?
        }
        (Verb::Query { sql, yes, totp }, _) => {
            // Writes are attributed to the remembered admin, when there is one.
            if let Err(error) = console.resume_remembered_session(id).await {
                note_unattributed(&error);
            }
            return query(console, id, sql, *yes, totp.as_deref(), cli.json).await;
        }
        (Verb::Login(login), _) => admin::login(console, id, login, cli.json).await?,
        (Verb::Logout, _) => admin::logout(console, id, cli.json).await?,
        (Verb::Schema(verb), _) => admin::schema(console, id, verb, cli.json).await?,
        (Verb::Admin(verb), _) => admin::admin(console, id, verb, cli.json).await?,
        (Verb::Impersonate(args), _) => impersonate::impersonate(console, id, args, cli.json).await?,
        (Verb::Users(verb), _) => users::users(console, id, verb, cli.json).await?,
        (Verb::Audit(verb), _) => audit::connected(console, id, verb, cli.json).await?,
        (Verb::Stats { watch }, _) => stats::stats(console, id, *watch, cli.json).await?,
        (Verb::Settings(verb), _) => configure::settings(console, id, verb, cli.json).await?,
        (Verb::Realtime(verb), _) => configure::realtime(console, id, verb, cli.json).await?,
        (Verb::Buckets(verb), _) => configure::buckets(console, id, verb, cli.json).await?,
        _ => unreachable!("profiles are handled before connecting; rows always builds a request"),
    }
    Ok(ExitCode::SUCCESS)
}

/// A token that Ctrl+C cancels, and the task that waits for it (abort it when done).
pub(crate) fn cancel_on_ctrl_c() -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    let interrupt = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    (cancel, interrupt)
}

/// Runs an export, showing progress on a terminal and cancelling on Ctrl+C.
async fn export(console: &Console, id: &str, request: &ExportRequest, json: bool) -> Result<(), Failure> {
    let (cancel, interrupt) = cancel_on_ctrl_c();
    let terminal = std::io::stderr().is_terminal();
    let progress = move |step: ExportProgress| {
        if terminal {
            let share = step
                .estimated_rows
                .filter(|total| *total > 0)
                .map(|total| format!(" (~{:.0}%)", 100.0 * step.rows as f64 / total as f64))
                .unwrap_or_default();
            eprint!(
                "\r{} rows, {:.1} MiB{share}   ",
                step.rows,
                step.bytes as f64 / 1_048_576.0
            );
        }
    };
    let outcome = console.export(id, request, &progress, &cancel).await;
    interrupt.abort();
    if terminal {
        eprintln!();
    }
    output::exported(&outcome?, json)?;
    Ok(())
}

/// A remembered session that has ended does not stop a query; say so. (No
/// keyring, or an instance without sign-in, is not worth a word.)
fn note_unattributed(error: &CoreError) {
    if matches!(error, CoreError::SignInRequired(_)) {
        eprintln!("fluxdesk-cli: note: not acting as a signed-in admin ({error})");
    }
}

async fn query(
    console: &Console,
    id: &str,
    sql: &str,
    yes: bool,
    totp: Option<&str>,
    json: bool,
) -> Result<ExitCode, Failure> {
    match console.run_statement(id, sql).await? {
        StatementOutcome::Done {
            rows_affected,
            result,
            wrote,
            ..
        } => output::query(
            if wrote { "committed" } else { "done" },
            wrote,
            rows_affected,
            result.as_ref(),
            json,
        )?,
        StatementOutcome::DryRun {
            rows_affected,
            result,
            ..
        } => output::query(
            "dry run, rolled back",
            false,
            rows_affected,
            result.as_ref(),
            json,
        )?,
        StatementOutcome::AwaitingConfirmation { pending, result, .. } => {
            let confirmed = yes || ask_to_commit(&pending)?;
            if !confirmed {
                console.rollback_write(&pending.id).await?;
                return Err(Failure::NotConfirmed(format!(
                    "not committed: this instance confirms writes and the statement would affect {} rows; \
                     it was rolled back (answer y, or pass --yes)",
                    pending.rows_affected
                )));
            }
            if console.admin_session(id).is_some() {
                admin::step_up_if_production(console, id, totp, "commit a write on production").await?;
            }
            console.commit_write(&pending.id).await?;
            output::query("committed", true, pending.rows_affected, result.as_ref(), json)?;
            if json {
                return Ok(ExitCode::SUCCESS);
            }
            for change in &pending.changes {
                output::emit_line(&format!(
                    "  {}: {} inserted, {} updated, {} deleted",
                    change.table, change.inserted, change.updated, change.deleted
                ))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; without one, the answer is no. An answer given
/// after the write expired is no too: it was rolled back meanwhile.
fn ask_to_commit(pending: &fluxdesk_types::PendingWrite) -> Result<bool, CoreError> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let asked = std::time::Instant::now();
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(
        stderr,
        "This instance confirms writes. About to commit:\n  {}\n  rows affected: {}",
        pending.sql, pending.rows_affected
    );
    for change in &pending.changes {
        let _ = writeln!(
            stderr,
            "  {}: {} inserted, {} updated, {} deleted",
            change.table, change.inserted, change.updated, change.deleted
        );
    }
    let _ = write!(stderr, "Commit? [y/N] ");
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|error| CoreError::io("Cannot read the answer", error))?;
    let in_time = asked.elapsed() < std::time::Duration::from_secs(pending.expires_in_secs);
    Ok(in_time && matches!(answer.trim(), "y" | "Y" | "yes"))
}

async fn manage_profiles(console: &Console, cli: &Cli, verb: &ProfileVerb) -> Result<ExitCode, Failure> {
    match verb {
        ProfileVerb::List => output::profiles(&console.profiles().await?, cli.json)?,
        ProfileVerb::Add(add) => {
            let (mut profile, password) = fluxdesk_core::profiles::profile_from_url(&add.url)?;
            if let Some(name) = &add.name {
                profile.name = name.clone();
            }
            if let Some(env) = add.env {
                let kind = match env {
                    EnvArg::Production => EnvironmentKind::Production,
                    EnvArg::Staging => EnvironmentKind::Staging,
                    EnvArg::Development => EnvironmentKind::Development,
                    EnvArg::Custom => EnvironmentKind::Custom,
                };
                profile.environment = Environment::of_kind(kind);
                profile.protection = kind.default_protection();
            }
            if let Some(protection) = add.protection {
                profile.protection = match protection {
                    ProtectionArg::ReadOnly => Protection::ReadOnly,
                    ProtectionArg::ConfirmWrites => Protection::ConfirmWrites,
                    ProtectionArg::Open => Protection::Open,
                };
            }
            if let Some(tls) = add.tls {
                profile.tls_mode = match tls {
                    TlsArg::Disable => TlsMode::Disable,
                    TlsArg::Prefer => TlsMode::Prefer,
                    TlsArg::Require => TlsMode::Require,
                    TlsArg::VerifyCa => TlsMode::VerifyCa,
                    TlsArg::VerifyFull => TlsMode::VerifyFull,
                };
            }
            if add.ca_file.is_some() {
                profile.ca_file = add.ca_file.clone();
            }
            if add.ask_password {
                profile.password_storage = PasswordStorage::AskEveryTime;
            }
            use secrecy::ExposeSecret;
            let password = match (add.ask_password, read_password(cli)?) {
                (true, _) => None,
                (false, Some(typed)) => Some(typed),
                (false, None) => password.map(|p| p.expose_secret().to_owned()),
            };
            let entry = console.save_profile(ProfileDraft { profile, password }).await?;
            output::profile_added(&entry, cli.json)?
        }
        ProfileVerb::Remove { name } => {
            let profile = console.profile_named(name)?;
            console.delete_profile(&profile.id).await?;
            output::profile_removed(&profile.name, cli.json)?
        }
        ProfileVerb::Test { name } => {
            let profile = console.profile_named(name)?;
            let password = read_password(cli)?;
            let diagnosis = console.test_profile(&profile.id, password).await;
            output::diagnosis(&diagnosis, cli.json)?;
            if !diagnosis.connected {
                return Ok(ExitCode::from(3));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
