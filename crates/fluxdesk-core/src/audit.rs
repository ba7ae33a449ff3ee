//! Fluxdesk's audit trail: `fluxdesk.audit_events`, append-only and
//! hash-chained. Every admin action records here through [`append`].
//!
//! Each event's hash is the SHA-256 of its canonical form: the JSON of every
//! field, the previous event's hash included, with sorted keys and no
//! whitespace (serde_jcs, the JSON Canonicalization Scheme). Keys are sorted by
//! UTF-8 bytes and integers beyond 2^53 printed exactly, which RFC 8785 does
//! differently; Fluxdesk verifies its own chain, so only consistency matters. Writers serialize on a
//! transaction-scoped advisory lock, and `UNIQUE (prev_hash)` makes a fork a
//! constraint violation even for a writer that skips the lock.

use crate::clock::{rfc3339, to_database_precision};
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use fluxdesk_types::ChainVerification;
use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

/// `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Advisory lock key serializing chain appends ("fluxdesk" in ASCII).
const CHAIN_LOCK: i64 = 0x666c_7578_6465_736b;

/// How an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was done.
    Success,
    /// It was attempted and failed (wrong password, database error).
    Failure,
    /// A rule refused it (locked account, missing step-up).
    Denied,
}

impl Outcome {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// Who acted, where, and with which client: the part of an event that does
/// not change between the actions of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// The acting admin (`dashboard.users.id`), if known.
    pub admin_id: Option<Uuid>,
    /// The acting admin's email, or the email tried at sign-in.
    pub admin_email: Option<String>,
    /// The instance, as the profile names it (no secrets).
    pub instance: String,
    /// e.g. `fluxdesk-app 0.1.0`.
    pub client_version: String,
}

/// One admin action to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Dotted action name, e.g. `admin.sign_in`.
    pub action: String,
    /// What it acted on, e.g. an admin's email or a session id.
    pub target: Option<String>,
    /// Anything else worth keeping. Never secrets.
    pub details: Value,
    /// How it ended.
    pub outcome: Outcome,
}

impl AuditEvent {
    /// An event at `occurred_at` with empty details.
    pub fn new(occurred_at: DateTime<Utc>, action: &str, outcome: Outcome) -> Self {
        AuditEvent {
            occurred_at,
            action: action.to_owned(),
            target: None,
            details: Value::Object(Default::default()),
            outcome,
        }
    }

    /// Names what the action acted on.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Adds details.
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// The hashed form of an event. Field names are part of the chain format.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    occurred_at: String,
    admin_id: Option<String>,
    admin_email: Option<&'a str>,
    instance: &'a str,
    action: &'a str,
    target: Option<&'a str>,
    details: &'a Value,
    outcome: &'a str,
    client_version: &'a str,
    prev_hash: &'a str,
}

fn event_hash(canonical: &Canonical<'_>) -> CoreResult<String> {
    let bytes = serde_jcs::to_vec(canonical).map_err(|error| {
        CoreError::InvalidInput(format!("Audit details cannot be canonicalized: {error}."))
    })?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// One event of the chain as stored and as exported: every hashed field,
/// then its hash. The field names are part of the chain and bundle formats.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ChainedEvent {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// RFC 3339, microseconds, UTC.
    pub occurred_at: String,
    /// The acting admin's id.
    pub admin_id: Option<String>,
    /// The acting admin's email.
    pub admin_email: Option<String>,
    /// The instance's name as the client knew it.
    pub instance: String,
    /// What happened.
    pub action: String,
    /// To whom or what.
    pub target: Option<String>,
    /// Details as JSON.
    pub details: Value,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// The client that wrote it.
    pub client_version: String,
    /// The previous event's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// SHA-256 (hex) of the canonical form of every field above.
    pub hash: String,
}

impl ChainedEvent {
    /// The hash its fields give now; differs from `hash` if anything was altered.
    pub fn recomputed_hash(&self) -> CoreResult<String> {
        event_hash(&Canonical {
            seq: self.seq,
            occurred_at: self.occurred_at.clone(),
            admin_id: self.admin_id.clone(),
            admin_email: self.admin_email.as_deref(),
            instance: &self.instance,
            action: &self.action,
            target: self.target.as_deref(),
            details: &self.details,
            outcome: &self.outcome,
            client_version: &self.client_version,
            prev_hash: &self.prev_hash,
        })
    }
}

/// Appends `event` to the chain inside the caller's transaction, so the event
/// commits or rolls back with the action it records. Returns its sequence number.
pub async fn append(
    connection: &mut PgConnection,
    context: &AuditContext,
    event: &AuditEvent,
) -> CoreResult<i64> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CHAIN_LOCK)
        .execute(&mut *connection)
        .await?;
    // Read after taking the lock: READ COMMITTED gives this statement a fresh
    // snapshot that includes the previous holder's commit.
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?;
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let occurred_at = to_database_precision(event.occurred_at);
    let admin_id = context.admin_id.map(|id| id.to_string());
    let hash = event_hash(&Canonical {
        seq,
        occurred_at: rfc3339(occurred_at),
        admin_id: admin_id.clone(),
        admin_email: context.admin_email.as_deref(),
        instance: &context.instance,
        action: &event.action,
        target: event.target.as_deref(),
        details: &event.details,
        outcome: event.outcome.as_str(),
        client_version: &context.client_version,
        prev_hash: &prev_hash,
    })?;
    sqlx::query(
        "INSERT INTO fluxdesk.audit_events \
           (seq, occurred_at, admin_id, admin_email, instance, action, target, details, outcome, client_version, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(occurred_at)
    .bind(context.admin_id)
    .bind(&context.admin_email)
    .bind(&context.instance)
    .bind(&event.action)
    .bind(&event.target)
    .bind(&event.details)
    .bind(event.outcome.as_str())
    .bind(&context.client_version)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *connection)
    .await?;
    Ok(seq)
}

/// Appends `event` as the last step of `transaction`, then commits both.
pub async fn append_and_commit(
    mut transaction: Transaction<'static, Postgres>,
    context: &AuditContext,
    event: &AuditEvent,
) -> CoreResult<i64> {
    let seq = append(&mut transaction, context, event).await?;
    transaction.commit().await?;
    Ok(seq)
}

/// Appends one event in a transaction of its own (for events that record
/// nothing else, such as a refused attempt).
pub async fn append_alone(pool: &PgPool, context: &AuditContext, event: &AuditEvent) -> CoreResult<i64> {
    append_and_commit(crate::admin_access::begin_write(pool).await?, context, event).await
}

/// One row of `fluxdesk.audit_events`, as [`STORED_COLUMNS`] reads it.
pub(crate) type StoredEvent = (
    i64,
    DateTime<Utc>,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    Option<String>,
    Value,
    String,
    String,
    String,
    String,
);

/// The columns of a [`StoredEvent`], in its order.
pub(crate) const STORED_COLUMNS: &str = "seq, occurred_at, admin_id, admin_email, instance, action, target, details, outcome, client_version, prev_hash, hash";

/// A stored row as the chain and bundles know it.
pub(crate) fn chained(row: StoredEvent) -> ChainedEvent {
    let (
        seq,
        occurred_at,
        admin_id,
        admin_email,
        instance,
        action,
        target,
        details,
        outcome,
        client,
        prev_hash,
        hash,
    ) = row;
    ChainedEvent {
        seq,
        occurred_at: rfc3339(occurred_at),
        admin_id: admin_id.map(|id| id.to_string()),
        admin_email,
        instance,
        action,
        target,
        details,
        outcome,
        client_version: client,
        prev_hash,
        hash,
    }
}

/// Reads the whole chain in order and checks every link: sequence numbers
/// without gaps, each `prev_hash` equal to the previous `hash`, and each
/// `hash` equal to the hash of the stored fields.
pub async fn verify_chain(pool: &PgPool) -> CoreResult<ChainVerification> {
    let select = format!("SELECT {STORED_COLUMNS} FROM fluxdesk.audit_events ORDER BY seq");
    let mut rows = sqlx::query_as::<_, StoredEvent>(&select).fetch(pool);
    let mut verification = ChainVerification {
        events: 0,
        verified_up_to: 0,
        broken_at: None,
        problem: None,
    };
    let mut expected_seq = 1i64;
    let mut previous = GENESIS_HASH.to_owned();
    while let Some(row) = rows.try_next().await? {
        verification.events += 1;
        if verification.broken_at.is_some() {
            continue;
        }
        let event = chained(row);
        let seq = event.seq;
        let problem = if seq != expected_seq {
            Some(format!("event {expected_seq} is missing (next is {seq})"))
        } else if event.prev_hash != previous {
            Some(format!("event {seq} does not follow event {}", seq - 1))
        } else if event.recomputed_hash()? != event.hash {
            Some(format!("event {seq} was altered after it was written"))
        } else {
            None
        };
        match problem {
            Some(problem) => {
                verification.broken_at = Some(seq.min(expected_seq).max(0) as u64);
                verification.problem = Some(problem);
            }
            None => {
                verification.verified_up_to = seq as u64;
                expected_seq = seq + 1;
                previous = event.hash;
            }
        }
    }
    Ok(verification)
}
