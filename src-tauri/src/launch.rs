//! What the app was started with: `fluxdesk [--dsn URL] [--name NAME]`.

use clap::Parser;
use fluxdesk_core::{ConnectionTarget, Fleet};

/// Fluxdesk, the desktop console for Fluxbase instances.
#[derive(Debug, Parser)]
#[command(version)]
pub struct LaunchOptions {
    /// Open this instance right away: postgres://user[:password]@host[:port]/database
    #[arg(long, env = "FLUXDESK_DSN", hide_env_values = true)]
    dsn: Option<String>,
    /// Display name for the --dsn instance.
    #[arg(long, env = "FLUXDESK_INSTANCE_NAME", default_value = "Startup instance")]
    name: String,
}

impl LaunchOptions {
    /// Parses the command line; unknown arguments (an OS may add its own) are
    /// ignored rather than fatal.
    pub fn from_env_and_args() -> Self {
        LaunchOptions::try_parse().unwrap_or_else(|error| match error.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => error.exit(),
            _ => LaunchOptions {
                dsn: std::env::var("FLUXDESK_DSN").ok(),
                name: std::env::var("FLUXDESK_INSTANCE_NAME")
                    .unwrap_or_else(|_| "Startup instance".to_owned()),
            },
        })
    }

    /// Adds the `--dsn` instance to the fleet and returns its id.
    pub fn register_startup_instance(&self, fleet: &Fleet) -> Option<String> {
        let dsn = self.dsn.as_deref()?;
        match ConnectionTarget::from_url(dsn) {
            Ok(target) => {
                fleet.add("startup", &self.name, target);
                Some("startup".to_owned())
            }
            Err(error) => {
                eprintln!("fluxdesk: ignoring --dsn: {error}");
                None
            }
        }
    }
}
