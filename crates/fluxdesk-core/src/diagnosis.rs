//! "Test connection" and the fleet overview's figures.

use crate::error::{CoreError, CoreResult, classify_connect_error};
use crate::instance::Instance;
use crate::target::ConnectionTarget;
use fluxdesk_types::{Diagnosis, FluxbaseLayout, InstanceHealth, Problem, Protection};
use std::time::Instant;

/// Opens a connection to `target`, identifies the server, closes it, and
/// says in words what happened. Never takes longer than the connect timeout.
pub async fn diagnose_with(target: ConnectionTarget) -> Diagnosis {
    let started = Instant::now();
    let read_only = target.profile().protection == Protection::ReadOnly;
    match Instance::connect("diagnosis", &target).await {
        Ok(instance) => {
            let diagnosis = diagnosis_of_instance(&instance, started, read_only);
            instance.close().await;
            diagnosis
        }
        Err(error) => diagnosis_of_error(error, started),
    }
}

/// The caveat of a read-only profile whose role is a superuser.
pub const SUPERUSER_READ_ONLY_NOTE: &str = "Connected as a superuser: read-only stops every data and schema \
change, but superuser-only functions (COPY ... TO PROGRAM, pg_terminate_backend, pg_reload_conf) stay possible. \
For a strictly read-only profile, connect as a role without superuser.";

/// What an open connection tells about its server.
pub fn diagnosis_of_instance(instance: &Instance, started: Instant, read_only: bool) -> Diagnosis {
    let info = instance.info();
    let (problem, layout) = match info.layout {
        FluxbaseLayout::Dashboard => (None, "Fluxbase 2026.3.6 layout (dashboard schema)"),
        FluxbaseLayout::Platform => (None, "Fluxbase 2026.3.7 layout (platform schema)"),
        FluxbaseLayout::NotFluxbase => (
            Some(Problem::NotFluxbase),
            "plain PostgreSQL: this database has no Fluxbase tables",
        ),
    };
    let mut message = format!("Connected to PostgreSQL {}; {layout}.", info.server_version);
    if read_only && info.superuser {
        message.push(' ');
        message.push_str(SUPERUSER_READ_ONLY_NOTE);
    }
    Diagnosis {
        connected: true,
        problem,
        message,
        server_version: Some(info.server_version.clone()),
        layout: Some(info.layout),
        elapsed_ms: elapsed_ms(started),
    }
}

/// A failed attempt, told apart by cause.
pub fn diagnosis_of_error(error: CoreError, started: Instant) -> Diagnosis {
    let (problem, message) = match &error {
        CoreError::Connect { target, source } => {
            let (problem, reason) = classify_connect_error(source);
            (problem, format!("Could not connect to {target}: {reason}"))
        }
        CoreError::ConnectTimeout { .. } => (Problem::Timeout, error.to_string()),
        CoreError::KeyringUnavailable(_) => (Problem::KeyringUnavailable, error.to_string()),
        CoreError::PasswordNeeded { .. } => (Problem::PasswordNeeded, error.to_string()),
        _ => (Problem::Other, error.to_string()),
    };
    Diagnosis {
        connected: false,
        problem: Some(problem),
        message,
        server_version: None,
        layout: None,
        elapsed_ms: elapsed_ms(started),
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

const HEALTH: &str = r#"
SELECT pg_database_size(current_database()),
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
       current_setting('max_connections')::int8,
       current_setting('superuser_reserved_connections')::int8
         + coalesce(current_setting('reserved_connections', true)::int8, 0),
       (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database())
"#;

/// Size and connection figures of a connected instance.
pub async fn health_of_instance(
    profile_id: &str,
    instance: &Instance,
    started: Instant,
) -> CoreResult<InstanceHealth> {
    let (size, in_use, max, reserved, transactions): (i64, i64, i64, i64, Option<i64>) =
        sqlx::query_as(HEALTH).fetch_one(instance.pool()).await?;
    let app_sessions_live = if instance.info().layout == fluxdesk_types::FluxbaseLayout::NotFluxbase {
        None
    } else {
        // FORCE RLS on auth.sessions admits the service role.
        let mut transaction = instance.pool().begin().await?;
        crate::admin_access::act_as(&mut transaction, "service_role", None).await?;
        let live: Option<i64> =
            sqlx::query_scalar("SELECT count(*) FROM auth.sessions WHERE expires_at > now()")
                .fetch_one(&mut *transaction)
                .await
                .ok();
        // Commit: a rollback would count in the server's rollback figures.
        let _ = transaction.commit().await;
        live
    };
    Ok(InstanceHealth {
        profile_id: profile_id.to_owned(),
        diagnosis: diagnosis_of_instance(instance, started, false),
        database_size_bytes: Some(size),
        connections_in_use: Some(in_use),
        max_connections: Some(max),
        reserved_connections: Some(reserved),
        transactions,
        app_sessions_live,
    })
}

/// The fleet-overview line of an instance that could not be measured.
pub fn health_of_failure(profile_id: &str, diagnosis: Diagnosis) -> InstanceHealth {
    InstanceHealth {
        profile_id: profile_id.to_owned(),
        diagnosis,
        database_size_bytes: None,
        connections_in_use: None,
        max_connections: None,
        reserved_connections: None,
        transactions: None,
        app_sessions_live: None,
    }
}
