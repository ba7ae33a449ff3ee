//! The demo instance a first run offers: a throwaway PostgreSQL cluster on
//! this machine (it needs PostgreSQL installed), seeded with the same
//! Fluxbase-compatible demo the tests use. It lives until the app exits; a
//! watchdog removes it even if the app is killed.

use fluxdesk_core::Console;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_sandbox::Cluster;
use fluxdesk_sandbox::schema::{self, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_BIG_TABLE_ROWS, Seed};
use fluxdesk_types::{ApiError, DemoInstance, ErrorCode};
use std::sync::Mutex;

/// The demo's profile id.
const DEMO_ID: &str = "demo";
const DEMO_DATABASE: &str = "fluxdesk_demo";

/// The running demo cluster, if one was opened; the second lock keeps two
/// clicks from starting two clusters.
#[derive(Default)]
pub struct RunningDemo(Mutex<Option<Cluster>>, tokio::sync::Mutex<()>);

impl RunningDemo {
    /// Stops the demo cluster and deletes its files.
    pub fn stop(&self) {
        drop(
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take(),
        );
    }
}

/// Starts (once) the demo cluster and registers it as a profile for this run.
pub async fn open(console: &Console, running: &RunningDemo) -> Result<DemoInstance, ApiError> {
    let _one_at_a_time = running.1.lock().await;
    let started = running
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        .map(|cluster| cluster.address().url(DEMO_DATABASE));
    let url = match started {
        Some(url) => url,
        None => {
            let cluster = tauri::async_runtime::spawn_blocking(|| {
                let cluster = Cluster::start()?;
                cluster.create_database(DEMO_DATABASE, None)?;
                schema::install(&cluster, DEMO_DATABASE, Seed::Demo, DEMO_BIG_TABLE_ROWS)?;
                Ok::<_, fluxdesk_sandbox::SandboxError>(cluster)
            })
            .await
            .map_err(|error| ApiError::new(ErrorCode::Internal, format!("The demo did not start: {error}")))?
            .map_err(|error| {
                ApiError::new(
                    ErrorCode::ConnectionFailed,
                    format!(
                        "The demo instance could not start: {error}. It runs a local PostgreSQL (14 or later), \
                         so install PostgreSQL's server package, or add a profile for an instance you have."
                    ),
                )
            })?;
            let url = cluster.address().url(DEMO_DATABASE);
            *running.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(cluster);
            url
        }
    };
    let (mut profile, password) = profile_from_url(&url)?;
    profile.id = DEMO_ID.to_owned();
    profile.name = "Demo instance".to_owned();
    console.add_transient(profile, password)?;
    Ok(DemoInstance {
        profile_id: DEMO_ID.to_owned(),
        admin_email: DEMO_ADMIN_EMAIL.to_owned(),
        admin_password: DEMO_ADMIN_PASSWORD.to_owned(),
        big_table_rows: DEMO_BIG_TABLE_ROWS,
    })
}
