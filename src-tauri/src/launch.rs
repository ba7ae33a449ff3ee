//! What the app was started with: `fluxdesk [--dsn URL] [--name NAME]`.

use clap::Parser;
use fluxdesk_core::{ConnectionTarget, Fleet};
use fluxdesk_types::ApiError;

/// Fluxdesk, the desktop console for Fluxbase instances.
#[derive(Debug, Parser)]
// An OS may add arguments of its own; they must not cost us --dsn.
#[command(version, ignore_errors = true)]
pub struct LaunchOptions {
    /// Open this instance right away: postgres://user[:password]@host[:port]/database
    #[arg(long, env = "FLUXDESK_DSN", hide_env_values = true)]
    dsn: Option<String>,
    /// Display name for the --dsn instance.
    #[arg(long, env = "FLUXDESK_INSTANCE_NAME", default_value = "Startup instance")]
    name: String,
}

/// The instance given at launch, as registered in the fleet.
pub struct Startup {
    /// Its id, when it could be registered.
    pub connect_on_start: Option<String>,
    /// Why it could not be, shown to the user.
    pub error: Option<ApiError>,
}

impl LaunchOptions {
    /// Parses the command line and the environment.
    pub fn from_env_and_args() -> Self {
        LaunchOptions::parse()
    }

    /// Adds the `--dsn` instance to the fleet.
    pub fn register_startup_instance(&self, fleet: &Fleet) -> Startup {
        let Some(dsn) = self.dsn.as_deref() else {
            return Startup {
                connect_on_start: None,
                error: None,
            };
        };
        match ConnectionTarget::from_url(dsn) {
            Ok(target) => {
                fleet.add("startup", &self.name, target);
                Startup {
                    connect_on_start: Some("startup".to_owned()),
                    error: None,
                }
            }
            Err(error) => Startup {
                connect_on_start: None,
                error: Some(ApiError::from(error)),
            },
        }
    }
}
