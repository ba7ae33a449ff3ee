//! `fluxdesk-cli`: Fluxdesk for scripts and headless use.
//!
//! A second face over `fluxdesk-core`, next to the desktop app. Its verbs and
//! `--json` shapes are a public interface: change them only compatibly, and
//! keep `--help` describing them.

mod output;

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

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let error = ApiError::from(error);
            let line = if json {
                serde_json::to_string(&error).unwrap_or_else(|_| error.message.clone())
            } else {
                format!("fluxdesk-cli: error: {}", error.message.replace('\n', " "))
            };
            eprintln!("{line}");
            ExitCode::from(exit_status(error.code))
        }
    }
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
    // Validate arguments before connecting, so typos fail fast.
    let request = match &cli.command {
        Verb::Rows { table, limit, after } => Some(RowsRequest {
            table: ident::parse_table_ref(table)?,
            limit: *limit,
            after: after.as_deref().map(output::parse_cursor).transpose()?,
            full_values: true,
        }),
        _ => None,
    };
    let instance = Instance::connect("cli", &target).await?;
    let result = match (&cli.command, request) {
        (Verb::Schemas, _) => {
            let schemas = catalog::list_schemas(&instance).await?;
            output::schemas(&schemas, cli.json)
        }
        (Verb::Tables { schema }, _) => {
            let names = match schema {
                Some(schema) => vec![schema.clone()],
                None => catalog::list_schemas(&instance)
                    .await?
                    .into_iter()
                    .map(|s| s.name)
                    .collect(),
            };
            let mut tables = Vec::new();
            for name in names {
                tables.extend(catalog::list_tables(&instance, &name).await?);
            }
            output::tables(&tables, cli.json)
        }
        (Verb::Rows { .. }, Some(request)) => {
            let page = rows::fetch_page(&instance, &request).await?;
            output::rows(&page, cli.json)
        }
        (Verb::Rows { .. }, None) => unreachable!("rows always builds a request"),
    };
    instance.close().await;
    result
}
