//! Logging through `tracing` to a file in the platform's log folder.
//!
//! Nothing logged may contain a secret: connection targets log only their
//! redacted display form, and no statement parameters are logged.

use crate::error::{CoreError, CoreResult};
use std::path::Path;
pub use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Environment variable that overrides the log filter, e.g. `FLUXDESK_LOG=debug`.
pub const LOG_FILTER_ENV: &str = "FLUXDESK_LOG";

/// Default filter: our own crates at info, the driver only when it warns.
/// sqlx logs statements at info; they are noise here and a leak risk.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tao=warn,wry=warn";

/// Sends `tracing` output to a daily-rotated `<file_prefix>.log` in `dir`.
///
/// Keep the returned guard alive for the life of the process: dropping it
/// flushes and stops the writer thread.
pub fn init_file_logging(dir: &Path, file_prefix: &str) -> CoreResult<WorkerGuard> {
    std::fs::create_dir_all(dir)
        .map_err(|source| CoreError::io(format!("Cannot create the log folder {}", dir.display()), source))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(file_prefix)
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
        .map_err(|error| {
            CoreError::io(
                format!("Cannot open a log file in {}", dir.display()),
                std::io::Error::other(error),
            )
        })?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env(LOG_FILTER_ENV).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|error| CoreError::io("Cannot start logging", std::io::Error::other(error)))?;
    Ok(guard)
}
