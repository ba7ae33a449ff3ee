//! An open connection to one Fluxbase instance.

use crate::error::{CoreError, CoreResult};
use crate::impersonation::Impersonation;
use crate::target::ConnectionTarget;
use fluxdesk_types::{ConnectionInfo, FluxbaseLayout};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, Postgres};
use sqlx::{Connection, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Connections Fluxdesk keeps open per instance. Small on purpose: an admin
/// console must never crowd out the application it administers.
pub const MAX_POOL_CONNECTIONS: u32 = 4;

/// A connected instance: its pool and what we learned when connecting.
#[derive(Debug)]
pub struct Instance {
    pool: PgPool,
    /// Two connections of its own for the realtime listener and for
    /// cancelling, so neither waits behind a full pool.
    control: PgPool,
    info: ConnectionInfo,
    /// The realtime listener, started on first use.
    live: tokio::sync::OnceCell<crate::live::LiveFeed>,
    /// The impersonation in force, if any: every data statement runs as it.
    acting_as: RwLock<Option<Arc<Impersonation>>>,
    /// Requests that found every connection of `pool` / `control` busy.
    pool_waits: AtomicU64,
    control_waits: AtomicU64,
}

/// The control pool's size: the listener and one cancel.
const CONTROL_POOL_CONNECTIONS: u32 = 2;

/// Counts a request that finds every connection of `pool` busy, so it
/// queues until one frees; sqlx keeps no such count.
fn note_request(pool: &PgPool, max: u32, waits: &AtomicU64) {
    if pool.size() >= max && pool.num_idle() == 0 {
        waits.fetch_add(1, Ordering::Relaxed);
    }
}

impl Instance {
    /// Fluxdesk's pools for this instance, as they stand.
    pub fn pool_statuses(&self) -> Vec<fluxdesk_types::PoolStatus> {
        [
            (
                "browsing and writes",
                &self.pool,
                MAX_POOL_CONNECTIONS,
                &self.pool_waits,
            ),
            (
                "control (realtime, cancel)",
                &self.control,
                CONTROL_POOL_CONNECTIONS,
                &self.control_waits,
            ),
        ]
        .into_iter()
        .map(|(name, pool, max, waits)| fluxdesk_types::PoolStatus {
            name: name.to_owned(),
            size: pool.size(),
            idle: pool.num_idle() as u32,
            max,
            waits: waits.load(Ordering::Relaxed),
        })
        .collect()
    }

    /// Opens a pool to `target` and identifies the server, within the
    /// target's connect timeout.
    pub async fn connect(instance_id: &str, target: &ConnectionTarget) -> CoreResult<Self> {
        let timeout = target.connect_timeout();
        // One direct connection first: the pool would retry a refused or
        // rejected connection until its timeout and report only "timed out".
        let attempt = async {
            let connect_error = |source| CoreError::Connect {
                target: target.display().to_owned(),
                source,
            };
            let mut probe = PgConnection::connect_with(&target.connect_options())
                .await
                .map_err(connect_error)?;
            let info = identify(&mut probe, instance_id).await.map_err(connect_error)?;
            let _ = probe.close().await;
            let pool = PgPoolOptions::new()
                .max_connections(MAX_POOL_CONNECTIONS)
                .min_connections(0)
                .acquire_timeout(timeout)
                .idle_timeout(Duration::from_secs(300))
                .connect_lazy_with(target.connect_options());
            let control = PgPoolOptions::new()
                .max_connections(CONTROL_POOL_CONNECTIONS)
                .min_connections(0)
                .acquire_timeout(timeout)
                .idle_timeout(Duration::from_secs(300))
                .connect_lazy_with(target.connect_options());
            Ok::<_, CoreError>(Instance {
                pool,
                control,
                info,
                live: tokio::sync::OnceCell::new(),
                acting_as: RwLock::new(None),
                pool_waits: AtomicU64::new(0),
                control_waits: AtomicU64::new(0),
            })
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(result) => {
                if let Ok(instance) = &result {
                    tracing::info!(
                        target = target.display(),
                        server_version = %instance.info.server_version,
                        layout = ?instance.info.layout,
                        "connected"
                    );
                }
                result
            }
            Err(_) => Err(CoreError::ConnectTimeout {
                target: target.display().to_owned(),
                seconds: timeout.as_secs().max(1),
            }),
        }
    }

    /// The pool, for a request about to run; only core modules run
    /// statements on it.
    pub(crate) fn pool(&self) -> &PgPool {
        note_request(&self.pool, MAX_POOL_CONNECTIONS, &self.pool_waits);
        &self.pool
    }

    /// Whether the pool was closed (the instance disconnected).
    pub(crate) fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// The impersonation in force on this instance, if any.
    pub fn impersonation(&self) -> Option<Arc<Impersonation>> {
        self.acting_as.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Puts an impersonation in force (or ends it); returns the one it replaced.
    pub(crate) fn set_impersonation(&self, next: Option<Arc<Impersonation>>) -> Option<Arc<Impersonation>> {
        std::mem::replace(
            &mut *self.acting_as.write().unwrap_or_else(|p| p.into_inner()),
            next,
        )
    }

    /// A transaction for reading or writing data: as the impersonated
    /// identity while one is in force (returned with it), else as the login
    /// role. Admin bookkeeping never comes here.
    pub(crate) async fn begin_data(
        &self,
    ) -> CoreResult<(Transaction<'static, Postgres>, Option<Arc<Impersonation>>)> {
        match self.impersonation() {
            Some(acting) => Ok((acting.begin(self.pool()).await?, Some(acting))),
            None => Ok((self.pool().begin().await?, None)),
        }
    }

    /// The pool for the listener and for cancels, for a request about to run.
    pub(crate) fn control_pool(&self) -> &PgPool {
        note_request(&self.control, CONTROL_POOL_CONNECTIONS, &self.control_waits);
        &self.control
    }

    /// A handle to the control pool kept to cancel later; no request yet.
    pub(crate) fn control_pool_handle(&self) -> PgPool {
        self.control.clone()
    }

    /// The realtime listener, started on first use.
    pub(crate) async fn live_feed(&self) -> CoreResult<&crate::live::LiveFeed> {
        self.live
            .get_or_try_init(|| crate::live::LiveFeed::start(&self.control))
            .await
    }

    /// What we learned when connecting.
    pub fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    /// Closes every connection of both pools.
    pub async fn close(&self) {
        self.pool.close().await;
        self.control.close().await;
    }
}

async fn identify(connection: &mut PgConnection, instance_id: &str) -> Result<ConnectionInfo, sqlx::Error> {
    type Identity = (String, String, String, bool, bool, bool);
    let (server_version, database, user, has_dashboard, has_platform, superuser): Identity = sqlx::query_as(
        "SELECT current_setting('server_version'), current_database()::text, current_user::text, \
                    to_regclass('dashboard.users') IS NOT NULL, to_regclass('platform.users') IS NOT NULL, \
                    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)",
    )
    .fetch_one(&mut *connection)
    .await?;
    let layout = match (has_platform, has_dashboard) {
        (true, _) => FluxbaseLayout::Platform,
        (false, true) => FluxbaseLayout::Dashboard,
        (false, false) => FluxbaseLayout::NotFluxbase,
    };
    Ok(ConnectionInfo {
        instance_id: instance_id.to_owned(),
        server_version,
        database,
        user,
        layout,
        superuser,
    })
}
