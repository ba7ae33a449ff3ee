//! `fluxdesk-sandbox`: run a command beside a throwaway Fluxbase-compatible PostgreSQL.

use clap::{Parser, Subcommand};
use fluxdesk_sandbox::schema::{self, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_BIG_TABLE_ROWS, Seed};
use fluxdesk_sandbox::shared::SANDBOX_ENV;
use fluxdesk_sandbox::{Cluster, SandboxError};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Throwaway PostgreSQL clusters seeded with a Fluxbase-compatible schema.
///
/// The cluster lives in a temporary folder, runs as the `postgres` user when
/// started by root, and is stopped and deleted when the command ends,
/// including when this process is killed.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Start a cluster with the template databases tests clone, run COMMAND
    /// with FLUXDESK_SANDBOX set to the cluster's address, then stop it.
    TestRun {
        /// The command to run, e.g. `cargo test --workspace`.
        #[arg(trailing_var_arg = true, required = true)]
        command: Vec<String>,
    },
    /// Start a cluster holding the demo instance (database `fluxdesk_demo`),
    /// run COMMAND with FLUXDESK_DSN pointing at it, then stop it. Without a
    /// command, print the URL and wait for Enter.
    Demo {
        /// Rows to generate in public.events.
        #[arg(long, default_value_t = DEMO_BIG_TABLE_ROWS)]
        rows: u64,
        /// The command to run, e.g. `target/debug/fluxdesk`.
        #[arg(trailing_var_arg = true)]
        command: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("fluxdesk-sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(action: Action) -> Result<ExitCode, SandboxError> {
    match action {
        Action::TestRun { command } => {
            let cluster = Cluster::start()?;
            let started = Instant::now();
            for seed in [Seed::FluxbaseSchema, Seed::Demo] {
                schema::ensure_template(&cluster, seed)?;
            }
            eprintln!(
                "fluxdesk-sandbox: template databases ready in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let mut child = Command::new(&command[0]);
            child
                .args(&command[1..])
                .env(SANDBOX_ENV, cluster.address().to_env_value());
            run_child(child)
        }
        Action::Demo { rows, command } => {
            let cluster = Cluster::start()?;
            let started = Instant::now();
            cluster.create_database("fluxdesk_demo", None)?;
            schema::install(&cluster, "fluxdesk_demo", Seed::Demo, rows)?;
            let url = cluster.address().url("fluxdesk_demo");
            eprintln!(
                "fluxdesk-sandbox: demo instance seeded in {:.1} s\n  URL:   {url}\n  admin: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}",
                started.elapsed().as_secs_f64()
            );
            if command.is_empty() {
                eprintln!("fluxdesk-sandbox: press Enter to stop the demo instance.");
                let mut line = String::new();
                let _ = std::io::stdin().read_line(&mut line);
                return Ok(ExitCode::SUCCESS);
            }
            let mut child = Command::new(&command[0]);
            child
                .args(&command[1..])
                .env("FLUXDESK_DSN", url)
                .env("FLUXDESK_INSTANCE_NAME", "Demo instance");
            run_child(child)
        }
    }
}

fn run_child(mut child: Command) -> Result<ExitCode, SandboxError> {
    let status = child.status().map_err(|source| SandboxError::Io {
        context: format!("Cannot run {child:?}"),
        source,
    })?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
