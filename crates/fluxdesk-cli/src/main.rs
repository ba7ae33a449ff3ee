//! `fluxdesk-cli`: Fluxdesk for scripts and headless use.
//!
//! A second face over `fluxdesk-core`, next to the desktop app. Its verbs and
//! `--json` shapes are a public interface: change them only compatibly, and
//! keep `--help` describing them.

mod output;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};
use fluxdesk_core::{ConnectionTarget, CoreError, Instance, catalog, ident, rows};
use fluxdesk_types::{ApiError, ErrorCode, RowsRequest};
use std::process::ExitCode;
use std::time::Duration;

const AFTER_HELP: &str = "\
JSON OUTPUT (--json), stable for scripts:
  schemas  [{\"name\": str, \"relation_count\": int}]
  tables   [{\"schema\": str, \"name\": str, \"kind\": \"table\"|\"partitioned_table\"|\"view\"|
             \"materialized_view\"|\"foreign_table\", \"estimated_rows\": int|null}]
  rows     {\"table\": {\"schema\": str, \"name\": str},
            \"columns\": [{\"name\": str, \"data_type\": str, \"primary_key_position\": int|null}],
            \"rows\": [{<column name>: value}],
            \"order\": \"primary_key\"|\"physical_location\"|\"unordered\",
            \"next\": str|null}
           Values are JSON null, booleans, numbers (integers only while exact in
           a double), JSON documents for json/jsonb columns, and strings for
           everything else. Pass \"next\" to --after for the following page.

ERRORS:
  On failure nothing is printed on stdout, one line is printed on stderr
  (with --json: {\"code\": str, \"message\": str}), and the exit status is
    2 invalid input or usage, 3 cannot connect or timed out,
    4 not found, 5 permission denied, 1 anything else.

EXAMPLES:
  fluxdesk-cli --dsn postgres://admin@db.example/app tables
  fluxdesk-cli --dsn \"$URL\" rows public.todos --limit 50 --json
  fluxdesk-cli --dsn \"$URL\" rows 'public.\"My Table\"' --after \"$NEXT\" --json";

/// Administer Fluxbase instances from scripts: browse schemas, tables and rows.
#[derive(Debug, Parser)]
#[command(name = "fluxdesk-cli", version, after_long_help = AFTER_HELP)]
struct Cli {
    /// Connection URL: postgres://user[:password]@host[:port]/database[?sslmode=...&host=/socket/dir]
    #[arg(long, env = "FLUXDESK_DSN", global = true, hide_env_values = true)]
    dsn: Option<String>,

    /// Print machine-readable JSON (shapes below) instead of tables.
    #[arg(long, global = true)]
    json: bool,

    /// Seconds allowed for connecting.
    #[arg(long, global = true, default_value_t = 5)]
    connect_timeout: u64,

    #[command(subcommand)]
    command: Verb,
}

#[derive(Debug, Subcommand)]
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
    },
}

/// What to do, checked before any connection is opened so typos fail fast.
enum Plan {
    Schemas,
    Tables(Option<String>),
    Rows(RowsRequest),
}

impl Plan {
    fn from_verb(verb: Verb) -> Result<Plan, CoreError> {
        Ok(match verb {
            Verb::Schemas => Plan::Schemas,
            Verb::Tables { schema } => Plan::Tables(schema),
            Verb::Rows { table, limit, after } => Plan::Rows(RowsRequest {
                table: ident::parse_table_ref(&table)?,
                limit,
                after: after.as_deref().map(output::parse_cursor).transpose()?,
                full_values: true,
            }),
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // --json decides the error format even when the rest of the line is wrong.
    let json = std::env::args().any(|arg| arg == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            error.exit()
        }
        Err(error) => {
            return fail(
                ApiError::new(ErrorCode::InvalidInput, usage_error_line(&error)),
                json,
            );
        }
    };
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(ApiError::from(error), json),
    }
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
        return "no verb given: use schemas, tables or rows (see fluxdesk-cli --help)".to_owned();
    }
    format!("{} (see fluxdesk-cli --help)", detail.join(" "))
}

fn fail(error: ApiError, json: bool) -> ExitCode {
    let line = if json {
        serde_json::to_string(&error).unwrap_or_else(|_| error.message.clone())
    } else {
        format!("fluxdesk-cli: error: {}", error.message.replace('\n', " "))
    };
    eprintln!("{line}");
    ExitCode::from(exit_status(error.code))
}

fn exit_status(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidInput => 2,
        ErrorCode::ConnectionFailed | ErrorCode::Timeout | ErrorCode::NotConnected => 3,
        ErrorCode::NotFound => 4,
        ErrorCode::PermissionDenied => 5,
        ErrorCode::Database | ErrorCode::Internal => 1,
    }
}

async fn run(cli: Cli) -> Result<(), CoreError> {
    let dsn = cli.dsn.as_deref().ok_or_else(|| {
        CoreError::InvalidInput("No instance given: pass --dsn URL or set FLUXDESK_DSN.".to_owned())
    })?;
    let target = ConnectionTarget::from_url(dsn)?
        .with_connect_timeout(Duration::from_secs(cli.connect_timeout.max(1)));
    let plan = Plan::from_verb(cli.command)?;
    let instance = Instance::connect("cli", &target).await?;
    let result = execute(&instance, plan, cli.json).await;
    instance.close().await;
    result
}

async fn execute(instance: &Instance, plan: Plan, json: bool) -> Result<(), CoreError> {
    match plan {
        Plan::Schemas => output::schemas(&catalog::list_schemas(instance).await?, json),
        Plan::Tables(schema) => {
            let names = match schema {
                Some(schema) => vec![schema],
                None => catalog::list_schemas(instance)
                    .await?
                    .into_iter()
                    .map(|s| s.name)
                    .collect(),
            };
            let mut tables = Vec::new();
            for name in names {
                tables.extend(catalog::list_tables(instance, &name).await?);
            }
            output::tables(&tables, json)
        }
        Plan::Rows(request) => output::rows(&rows::fetch_page(instance, &request).await?, json),
    }
}
