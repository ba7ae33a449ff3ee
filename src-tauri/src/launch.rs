//! What the app was started with: `fluxdesk [--dsn URL] [--name NAME]`.

use clap::Parser;
use fluxdesk_core::Console;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_types::{ApiError, SessionPolicy};

/// Fluxdesk, the desktop console for Fluxbase instances.
#[derive(Parser)]
// An OS may add arguments of its own; they must not cost us --dsn.
#[command(version, ignore_errors = true)]
pub struct LaunchOptions {
    /// Open this instance right away (for this run only, not saved):
    /// postgres://user[:password]@host[:port]/database
    #[arg(long, env = "FLUXDESK_DSN", hide_env_values = true)]
    dsn: Option<String>,
    /// Display name for the --dsn instance.
    #[arg(long, env = "FLUXDESK_INSTANCE_NAME", default_value = "Startup instance")]
    name: String,
    /// Lock the window after this many seconds without activity (this run
    /// only; the Security tab changes the saved setting).
    #[arg(long, env = "FLUXDESK_IDLE_TIMEOUT_SECS")]
    idle_timeout_secs: Option<u64>,
    /// Lock the window this many seconds after signing in (this run only).
    #[arg(long, env = "FLUXDESK_ABSOLUTE_TIMEOUT_SECS")]
    absolute_timeout_secs: Option<u64>,
    /// An audit bundle (.fxaudit) to review offline; the OS passes it when
    /// the user opens such a file with Fluxdesk.
    #[arg(value_name = "BUNDLE")]
    bundle: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for LaunchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password.
        f.debug_struct("LaunchOptions")
            .field("dsn", &self.dsn.as_ref().map(|_| "<redacted>"))
            .field("name", &self.name)
            .field("idle_timeout_secs", &self.idle_timeout_secs)
            .field("absolute_timeout_secs", &self.absolute_timeout_secs)
            .field("bundle", &self.bundle)
            .finish()
    }
}

/// The audit bundle named in another launch's arguments (`argv[0]` is the
/// program), made absolute against that launch's working folder.
pub fn bundle_in(argv: &[String], cwd: &std::path::Path) -> Option<std::path::PathBuf> {
    let bundle = LaunchOptions::try_parse_from(argv).ok()?.bundle?;
    Some(cwd.join(bundle))
}

/// Id of the instance given with --dsn.
pub const STARTUP_ID: &str = "startup";

/// The instance given at launch.
pub struct Startup {
    /// Its id, when it could be registered.
    pub connect_on_start: Option<String>,
    /// Why it could not be, shown to the user.
    pub error: Option<ApiError>,
    /// The audit bundle to open for review, absolute.
    pub open_bundle: Option<String>,
}

impl LaunchOptions {
    /// Parses the command line and the environment.
    pub fn from_env_and_args() -> Self {
        LaunchOptions::parse()
    }

    /// The saved session policy with this run's overrides.
    pub fn session_policy(&self, saved: SessionPolicy) -> SessionPolicy {
        SessionPolicy {
            idle_timeout_secs: self.idle_timeout_secs.unwrap_or(saved.idle_timeout_secs),
            absolute_timeout_secs: self.absolute_timeout_secs.unwrap_or(saved.absolute_timeout_secs),
        }
    }

    /// Adds the --dsn instance to the console for this run.
    pub fn register(&self, console: &Console) -> Startup {
        let open_bundle = self.bundle.as_ref().map(|path| {
            std::path::absolute(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string()
        });
        let Some(dsn) = self.dsn.as_deref() else {
            return Startup {
                connect_on_start: None,
                error: None,
                open_bundle,
            };
        };
        let transient = profile_from_url(dsn).and_then(|(mut profile, password)| {
            profile.id = STARTUP_ID.to_owned();
            profile.name = self.name.clone();
            console.add_transient(profile, password)
        });
        match transient {
            Ok(()) => Startup {
                connect_on_start: Some(STARTUP_ID.to_owned()),
                error: None,
                open_bundle,
            },
            Err(error) => Startup {
                connect_on_start: None,
                error: Some(ApiError::from(error)),
                open_bundle,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn argv(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn a_second_launch_bundle_is_resolved_against_its_folder() {
        let cwd = Path::new("/home/ops/Downloads");
        assert_eq!(
            bundle_in(&argv(&["fluxdesk", "march.fxaudit"]), cwd),
            Some(cwd.join("march.fxaudit"))
        );
        assert_eq!(
            bundle_in(&argv(&["fluxdesk", "--name", "x", "/tmp/a.fxaudit"]), cwd),
            Some(Path::new("/tmp/a.fxaudit").to_path_buf())
        );
        assert_eq!(bundle_in(&argv(&["fluxdesk"]), cwd), None);
    }
}
