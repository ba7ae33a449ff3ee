//! Running one SQL statement under the instance's protection.
//!
//! - Read-only: the statement runs in a READ ONLY transaction whose snapshot
//!   is taken first, so the server refuses every write and cannot be talked
//!   out of it; the transaction is rolled back.
//! - Confirm writes: the statement runs in a transaction. Whether it wrote is
//!   the database's answer (a transaction id was assigned), not a guess from
//!   keywords. If it wrote, the transaction stays open, with the statement and
//!   its affected rows, until the user commits or rolls back.
//! - Open: the transaction is committed at once.
//!
//! A script of several statements is split by a SQL tokenizer (strings,
//! quoted names, dollar quotes and comments are respected) and each runs
//! alone, prepared first, so the server itself refuses any piece that still
//! holds two. All run in the one transaction; transaction control in a
//! script is refused, so nothing can end that transaction early.

use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::error::{CoreError, CoreResult};
use crate::impersonation::{ImpersonatedWrite, explained, leave_before_commit, leaves_identity};
use crate::instance::Instance;
use crate::rows::decode_cell;
use fluxdesk_types::{
    ColumnInfo, PendingWrite, Protection, ResultSet, StatementOutcome, StatementResult, TableChange,
};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgRow, Postgres};
use sqlx::{Column, Either, Executor, Row, Transaction, TypeInfo, ValueRef};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Rows of a result kept for display; the rest are counted, not kept.
pub const MAX_RESULT_ROWS: usize = 1000;

/// How long a write may wait for its confirmation before it is rolled back.
pub const PENDING_WRITE_TTL: Duration = Duration::from_secs(300);

struct Pending {
    instance_id: String,
    /// Who acts, and the events to record when (and only if) it commits.
    audit: Option<(AuditContext, Vec<AuditEvent>)>,
    summary: PendingWrite,
    expires_at: Instant,
    transaction: Transaction<'static, Postgres>,
}

/// Writes held open in their transactions, awaiting a decision.
#[derive(Clone, Default)]
pub struct PendingWrites {
    entries: Arc<Mutex<HashMap<String, Pending>>>,
}

impl std::fmt::Debug for PendingWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.entries.lock().map(|entries| entries.len()).unwrap_or(0);
        f.debug_struct("PendingWrites").field("open", &count).finish()
    }
}

impl PendingWrites {
    fn take(&self, id: &str) -> CoreResult<Pending> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(id)
            .ok_or_else(|| {
                CoreError::NotFound(
                    "That write is no longer waiting: it was committed, rolled back, or expired (nothing was committed then)."
                        .to_owned(),
                )
            })
    }

    /// Commits the write `id`; returns it.
    pub async fn commit(&self, id: &str) -> CoreResult<PendingWrite> {
        let mut pending = self.take(id)?;
        if let Some((context, events)) = &pending.audit {
            for event in events {
                audit::append(&mut pending.transaction, context, event).await?;
            }
        }
        pending.transaction.commit().await?;
        tracing::info!(instance = %pending.instance_id, rows = pending.summary.rows_affected, "confirmed write committed");
        Ok(pending.summary)
    }

    /// Rolls back the write `id`; returns it.
    pub async fn rollback(&self, id: &str) -> CoreResult<PendingWrite> {
        let pending = self.take(id)?;
        pending.transaction.rollback().await?;
        Ok(pending.summary)
    }

    /// Rolls back every write of an instance (it is being disconnected).
    pub async fn rollback_instance(&self, instance_id: &str) {
        let drained: Vec<Pending> = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let ids: Vec<String> = entries
                .iter()
                .filter(|(_, pending)| pending.instance_id == instance_id)
                .map(|(id, _)| id.clone())
                .collect();
            ids.into_iter().filter_map(|id| entries.remove(&id)).collect()
        };
        for pending in drained {
            let _ = pending.transaction.rollback().await;
        }
    }

    /// The instance a waiting write belongs to.
    pub fn instance_of(&self, id: &str) -> Option<String> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(id)
            .map(|pending| pending.instance_id.clone())
    }

    /// Whether a write of `instance_id` is waiting.
    pub fn holds_instance(&self, instance_id: &str) -> bool {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .any(|pending| pending.instance_id == instance_id)
    }

    /// Holds `transaction` open until the user commits or rolls it back (or
    /// its time runs out); `events` are recorded if it commits.
    pub(crate) fn hold_transaction(
        &self,
        instance_id: &str,
        transaction: Transaction<'static, Postgres>,
        summary: PendingWrite,
        audit: Option<(&AuditContext, Vec<AuditEvent>)>,
    ) {
        self.hold(Pending {
            instance_id: instance_id.to_owned(),
            audit: audit.map(|(context, events)| (context.clone(), events)),
            summary,
            expires_at: Instant::now() + PENDING_WRITE_TTL,
            transaction,
        });
    }

    fn hold(&self, pending: Pending) {
        let id = pending.summary.id.clone();
        let expires_at = pending.expires_at;
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(id.clone(), pending);
        let writes = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(expires_at.into()).await;
            if writes.rollback(&id).await.is_ok() {
                tracing::info!(%id, "unconfirmed write rolled back after its time ran out");
            }
        });
    }
}

/// The audit event of a committed write. The SQL is what an auditor needs,
/// so it is kept (cut at 4,000 characters) with its SHA-256; but when it
/// mentions credentials, its string literals are replaced, because the trail
/// is append-only and a password written there could never be removed.
fn write_event(sql: &str, rows_affected: u64, confirmed: bool) -> AuditEvent {
    let mut details = recorded_sql(sql);
    details["rows_affected"] = serde_json::json!(rows_affected);
    details["confirmed"] = serde_json::json!(confirmed);
    AuditEvent::new(chrono::Utc::now(), "sql.write", Outcome::Success).details(details)
}

/// A statement as the audit trail keeps it: credential literals redacted,
/// at most 4,000 characters, and the whole text's SHA-256.
pub(crate) fn recorded_sql(sql: &str) -> serde_json::Value {
    let (recorded, redacted) = redact_credentials(sql);
    let kept: String = recorded.chars().take(4000).collect();
    serde_json::json!({
        "sql": kept,
        "sql_truncated": kept.len() < recorded.len(),
        "sql_sha256": crate::credentials::sha256_hex(sql),
        "literals_redacted": redacted,
    })
}

/// Words that suggest a statement carries a secret in its literals.
pub(crate) const CREDENTIAL_WORDS: [&str; 10] = [
    "password",
    "passwd",
    "secret",
    "token",
    "totp",
    "backup_code",
    "api_key",
    "private_key",
    "encrypt",
    "credential",
];

/// Whether a column (or setting) name suggests it holds a credential.
pub(crate) fn is_credential_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    CREDENTIAL_WORDS.iter().any(|word| lower.contains(word))
}

/// `sql` with every quoted literal ('...' and $tag$...$tag$) replaced by
/// `'<redacted>'` when it mentions credentials; otherwise unchanged.
pub(crate) fn redact_credentials(sql: &str) -> (String, bool) {
    let lower = sql.to_lowercase();
    if !CREDENTIAL_WORDS.iter().any(|word| lower.contains(word)) {
        return (sql.to_owned(), false);
    }
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find(['\'', '$']) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        if tail.starts_with('\'') {
            // A '' inside a literal is an escaped quote, not its end.
            let mut end = 1;
            let bytes = tail.as_bytes();
            loop {
                match tail[end..].find('\'') {
                    Some(found) if bytes.get(end + found + 1) == Some(&b'\'') => end += found + 2,
                    Some(found) => {
                        end += found + 1;
                        break;
                    }
                    None => {
                        end = tail.len();
                        break;
                    }
                }
            }
            out.push_str("'<redacted>'");
            rest = &tail[end..];
        } else {
            // $tag$ ... $tag$ (tag may be empty); a lone $1 parameter is kept.
            let tag_end = tail[1..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map(|i| i + 1);
            match tag_end {
                Some(i)
                    if tail[i..].starts_with('$')
                        && !tail[1..i].starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    let tag = &tail[..=i];
                    let body_end = tail[tag.len()..]
                        .find(tag)
                        .map(|j| tag.len() + j + tag.len())
                        .unwrap_or(tail.len());
                    out.push_str("'<redacted>'");
                    rest = &tail[body_end..];
                }
                _ => {
                    out.push('$');
                    rest = &tail[1..];
                }
            }
        }
    }
    out.push_str(rest);
    (out, true)
}

/// What a run may do besides running its statements.
#[derive(Debug, Clone, Copy)]
pub struct RunContext<'a> {
    /// Where a write awaiting confirmation is held.
    pub pending: &'a PendingWrites,
    /// Records a committed write, in its own transaction, when given.
    pub audit: Option<&'a AuditContext>,
    /// Lets the caller cancel the run by id.
    pub running: Option<(&'a RunningQueries, &'a str)>,
    /// Which impersonation the caller expects, and whether its writes commit.
    pub impersonated: ImpersonatedWrite,
}

/// Runs `sql` (one statement, or a script) on `instance` under `protection`.
/// While an impersonation is in force every statement runs as its identity,
/// and a write is a dry run unless `context.impersonated.commit`.
pub async fn run(
    instance: &Instance,
    instance_id: &str,
    protection: Protection,
    sql: &str,
    context: RunContext<'_>,
) -> CoreResult<StatementOutcome> {
    let RunContext {
        pending,
        audit,
        running,
        impersonated,
    } = context;
    let sql = sql.trim();
    if sql.is_empty() {
        return Err(CoreError::InvalidInput(
            "There is no statement to run.".to_owned(),
        ));
    }
    // One held write per instance: each holds a pooled connection and its locks.
    if pending.holds_instance(instance_id) {
        return Err(CoreError::InvalidInput(
            "A write is waiting for confirmation on this instance; commit or roll it back first.".to_owned(),
        ));
    }
    let statements = split_statements(sql);
    if statements.iter().any(|s| is_transaction_control(s)) {
        return Err(CoreError::InvalidInput(
            "Leave out BEGIN, COMMIT and ROLLBACK: Fluxdesk runs your statements in one transaction of its own, so it can hold writes for confirmation and keep read-only profiles read-only.".to_owned(),
        ));
    }
    let (mut transaction, acting) = instance.begin_data().await?;
    impersonated.check(acting.as_deref())?;
    if let Some(acting) = &acting
        && statements.iter().any(|s| leaves_identity(s))
    {
        return Err(CoreError::InvalidInput(format!(
            "While acting as {}, a statement may not change the role or the request settings (SET ROLE, RESET, SET SESSION AUTHORIZATION, set_config, DO blocks): what it showed would no longer be what the identity sees. Stop impersonating to run it.",
            acting.who()
        )));
    }
    let explained = |error: CoreError| explained(acting.as_deref(), error);
    if protection == Protection::ReadOnly {
        // READ ONLY, and a snapshot at once: from then on no statement can
        // switch the transaction back to read-write.
        transaction.execute("SET TRANSACTION READ ONLY").await?;
        transaction.execute("SELECT 1").await?;
    }
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *transaction)
        .await?;
    let running_guard =
        running.map(|(queries, run_id)| queries.start(run_id, instance.control_pool_handle(), backend));
    let cancelled = || running.is_some_and(|(queries, run_id)| queries.was_cancelled(run_id));

    let total = statements.len();
    let mut results = Vec::with_capacity(total);
    for (index, statement) in statements.iter().enumerate() {
        // A cancel that came between statements stops the rest.
        if cancelled() {
            return Err(CoreError::Cancelled(
                "Cancelled; nothing was committed.".to_owned(),
            ));
        }
        let in_script = |error: CoreError| {
            let error = if cancelled() {
                CoreError::Cancelled("Cancelled; nothing was committed.".to_owned())
            } else {
                explained(error)
            };
            if total > 1 {
                CoreError::InStatement {
                    index: index + 1,
                    total,
                    source: Box::new(error),
                }
            } else {
                error
            }
        };
        // Preparing asks the server to parse the text: it refuses more than
        // one statement, so each runs exactly as split.
        if let Err(error) = (&mut *transaction).describe(statement.as_str()).await {
            return Err(in_script(match &error {
                sqlx::Error::Database(db_error)
                    if db_error.code().as_deref() == Some("42601")
                        && db_error.message().contains("multiple commands") =>
                {
                    CoreError::InvalidInput("Run one statement at a time.".to_owned())
                }
                _ => CoreError::Query(error),
            }));
        }
        let started = Instant::now();
        let executed = execute_collecting(&mut transaction, statement).await;
        if let (Ok(_), Some(acting)) = (&executed, &acting) {
            acting
                .verify_in_force(&mut transaction)
                .await
                .map_err(in_script)?;
        }
        match executed {
            Ok((result, rows_affected)) => results.push(StatementResult {
                sql: statement.clone(),
                rows_affected,
                result,
                elapsed_ms: started.elapsed().as_millis() as u64,
            }),
            Err(CoreError::Query(sqlx::Error::Database(db_error)))
                if db_error.code().as_deref() == Some("25001") && total == 1 && acting.is_some() =>
            {
                return Err(CoreError::InvalidInput(
                    "This statement cannot run inside a transaction, and impersonation only runs inside one; stop impersonating to run it.".to_owned(),
                ));
            }
            Err(CoreError::Query(sqlx::Error::Database(db_error)))
                if db_error.code().as_deref() == Some("25001") && total == 1 =>
            {
                // VACUUM, CREATE INDEX CONCURRENTLY and the like refuse to run in
                // a transaction, so they cannot be held for confirmation.
                drop(transaction);
                let outcome = run_outside_transaction(instance, protection, sql).await?;
                if let Some(context) = audit {
                    audit::append_alone(instance.pool(), context, &write_event(sql, 0, false)).await?;
                }
                return Ok(outcome);
            }
            Err(error) => return Err(in_script(error)),
        }
    }
    if cancelled() {
        return Err(CoreError::Cancelled(
            "Cancelled; nothing was committed.".to_owned(),
        ));
    }
    // From here the connection may go back to the pool: nothing may cancel it.
    drop(running_guard);
    // The last statement's rows are the result; counts add up.
    let result = results.last().and_then(|r| r.result.clone());
    let rows_affected: u64 = results.iter().map(|r| r.rows_affected).sum();
    // The server assigns a transaction id at the first write of any kind.
    let wrote: bool = sqlx::query_scalar("SELECT txid_current_if_assigned() IS NOT NULL")
        .fetch_one(&mut *transaction)
        .await?;

    if let Some(acting) = &acting {
        return match (wrote, impersonated.commit) {
            (true, false) => {
                // Deferred constraints and triggers answer too, as the identity.
                transaction
                    .execute("SET CONSTRAINTS ALL IMMEDIATE")
                    .await
                    .map_err(|error| explained(error.into()))?;
                transaction.rollback().await?;
                Ok(StatementOutcome::DryRun {
                    rows_affected,
                    result,
                    statements: results,
                })
            }
            (wrote, _) => {
                if wrote {
                    // The trail is written as the login role, in the same transaction.
                    leave_before_commit(&mut transaction).await.map_err(explained)?;
                    if let Some(context) = audit {
                        let mut event = write_event(sql, rows_affected, true);
                        event.details["impersonation"] = acting.audit_tag();
                        audit::append(&mut transaction, context, &event).await?;
                    }
                    transaction.commit().await?;
                } else {
                    transaction.rollback().await?;
                }
                Ok(StatementOutcome::Done {
                    rows_affected,
                    result,
                    wrote,
                    statements: results,
                })
            }
        };
    }
    match (protection, wrote) {
        (Protection::ReadOnly, _) => {
            transaction.rollback().await?;
            Ok(StatementOutcome::Done {
                rows_affected,
                result,
                wrote: false,
                statements: results,
            })
        }
        (Protection::ConfirmWrites, true) => {
            let changes = table_changes(&mut transaction).await?;
            if instance.is_closed() {
                // Disconnected while the statement ran: nothing may wait on a closed pool.
                transaction.rollback().await?;
                return Err(CoreError::NotConnected {
                    instance: instance_id.to_owned(),
                });
            }
            let summary = PendingWrite {
                id: uuid::Uuid::new_v4().to_string(),
                sql: sql.to_owned(),
                rows_affected,
                changes,
                expires_in_secs: PENDING_WRITE_TTL.as_secs(),
            };
            let events = vec![write_event(sql, rows_affected, true)];
            pending.hold_transaction(
                instance_id,
                transaction,
                summary.clone(),
                audit.map(|context| (context, events)),
            );
            Ok(StatementOutcome::AwaitingConfirmation {
                pending: summary,
                result,
                statements: results,
            })
        }
        (Protection::ConfirmWrites | Protection::Open, _) => {
            if let (Some(context), true) = (audit, wrote) {
                audit::append(&mut transaction, context, &write_event(sql, rows_affected, false)).await?;
            }
            transaction.commit().await?;
            Ok(StatementOutcome::Done {
                rows_affected,
                result,
                wrote,
                statements: results,
            })
        }
    }
}

/// The statements of a script: split where the tokenizer finds a `;`
/// outside strings, quoted names, dollar quotes and comments. Pieces with
/// nothing but comments are dropped. Text the tokenizer cannot read stays
/// whole, for the server to report on.
pub fn split_statements(sql: &str) -> Vec<String> {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location() else {
        return vec![sql.trim().to_owned()];
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    // Locations count lines and characters from 1.
    let offset = |line: u64, column: u64| -> usize {
        let start = line_starts
            .get((line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(sql.len());
        sql[start..]
            .char_indices()
            .nth((column as usize).saturating_sub(1))
            .map_or(sql.len(), |(at, _)| start + at)
    };
    let mut statements = Vec::new();
    let (mut from, mut substance) = (0, false);
    for token in &tokens {
        match &token.token {
            Token::SemiColon => {
                let at = offset(token.span.start.line, token.span.start.column);
                if substance {
                    statements.push(sql[from..at].trim().to_owned());
                }
                (from, substance) = (at + 1, false);
            }
            Token::Whitespace(
                Whitespace::Space
                | Whitespace::Tab
                | Whitespace::Newline
                | Whitespace::SingleLineComment { .. }
                | Whitespace::MultiLineComment(_),
            ) => {}
            _ => substance = true,
        }
    }
    if substance && from < sql.len() {
        statements.push(sql[from..].trim().to_owned());
    }
    statements
}

/// Whether a statement begins or ends a transaction (savepoints are fine),
/// judged by its first words as the tokenizer reads them, so a leading
/// comment hides nothing.
pub(crate) fn is_transaction_control(statement: &str) -> bool {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let words: Vec<String> = match Tokenizer::new(&PostgreSqlDialect {}, statement).tokenize() {
        Ok(tokens) => tokens
            .into_iter()
            .filter(|token| !matches!(token, Token::Whitespace(_)))
            .take(2)
            .map(|token| match token {
                Token::Word(word) => word.value.to_ascii_uppercase(),
                other => other.to_string(),
            })
            .collect(),
        // Unreadable text is left to the server, which refuses it.
        Err(_) => return false,
    };
    match words.first().map(String::as_str) {
        Some("BEGIN" | "START" | "COMMIT" | "END" | "ABORT") => true,
        Some("ROLLBACK") => words.get(1).map(String::as_str) != Some("TO"),
        Some("PREPARE") => words.get(1).map(String::as_str) == Some("TRANSACTION"),
        _ => false,
    }
}

/// Statements running now, by the id their caller gave, so they can be
/// cancelled from elsewhere (`pg_cancel_backend` on their connection).
#[derive(Debug, Clone, Default)]
pub struct RunningQueries {
    entries: Arc<Mutex<HashMap<String, RunningQuery>>>,
}

#[derive(Debug)]
struct RunningQuery {
    pool: sqlx::PgPool,
    backend: i32,
    cancelled: bool,
}

/// Forgets a running query when it ends, however it ends.
#[derive(Debug)]
pub struct RunningGuard {
    queries: RunningQueries,
    run_id: String,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.queries.lock().remove(&self.run_id);
    }
}

impl RunningQueries {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunningQuery>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn start(&self, run_id: &str, pool: sqlx::PgPool, backend: i32) -> RunningGuard {
        self.lock().insert(
            run_id.to_owned(),
            RunningQuery {
                pool,
                backend,
                cancelled: false,
            },
        );
        RunningGuard {
            queries: self.clone(),
            run_id: run_id.to_owned(),
        }
    }

    pub(crate) fn was_cancelled(&self, run_id: &str) -> bool {
        self.lock().get(run_id).is_some_and(|query| query.cancelled)
    }

    /// Asks the server to stop query `run_id`; its transaction is rolled
    /// back. Returns whether it was running.
    pub async fn cancel(&self, run_id: &str) -> CoreResult<bool> {
        let target = {
            let mut entries = self.lock();
            entries.get_mut(run_id).map(|query| {
                query.cancelled = true;
                (query.pool.clone(), query.backend)
            })
        };
        let Some((pool, backend)) = target else {
            return Ok(false);
        };
        sqlx::query("SELECT pg_cancel_backend($1)")
            .bind(backend)
            .execute(&pool)
            .await?;
        Ok(true)
    }
}

/// The plan of one statement: `EXPLAIN`, or with `analyze` `EXPLAIN (ANALYZE,
/// BUFFERS)`, which runs it. It always runs in a transaction that is rolled
/// back, read-only on a read-only profile, so analyzing a write changes no
/// rows (sequences still advance, as they do in any rolled-back transaction).
pub async fn explain(
    instance: &Instance,
    protection: Protection,
    sql: &str,
    analyze: bool,
) -> CoreResult<String> {
    let sql = sql.trim().trim_end_matches(';').trim();
    if sql.is_empty() {
        return Err(CoreError::InvalidInput(
            "There is no statement to explain.".to_owned(),
        ));
    }
    let (mut transaction, acting) = instance.begin_data().await?;
    if acting.is_some() && leaves_identity(sql) {
        return Err(CoreError::InvalidInput(
            "While impersonating, a statement may not change the role or the request settings (SET ROLE, RESET, set_config, DO blocks).".to_owned(),
        ));
    }
    if protection == Protection::ReadOnly {
        transaction.execute("SET TRANSACTION READ ONLY").await?;
    }
    let options = if analyze {
        "(ANALYZE, BUFFERS, FORMAT TEXT)"
    } else {
        "(FORMAT TEXT)"
    };
    // The prepare step refuses several statements, as for running one.
    let lines: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {options} {sql}"))
        .fetch_all(&mut *transaction)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db_error)
                if db_error.code().as_deref() == Some("42601")
                    && db_error.message().contains("multiple commands") =>
            {
                CoreError::InvalidInput("Explain one statement at a time.".to_owned())
            }
            _ => explained(acting.as_deref(), error),
        })?;
    transaction.rollback().await?;
    Ok(lines.join("\n"))
}

/// A statement that must run outside a transaction: allowed on open
/// profiles only, since nothing can hold it back or stop its writes.
async fn run_outside_transaction(
    instance: &Instance,
    protection: Protection,
    sql: &str,
) -> CoreResult<StatementOutcome> {
    if protection != Protection::Open {
        return Err(CoreError::InvalidInput(format!(
            "This statement cannot run inside a transaction, so a {} profile cannot run it; use a profile whose writes are open.",
            protection.label()
        )));
    }
    let mut connection = instance.pool().acquire().await?;
    let mut stream = sqlx::raw_sql(sql).fetch_many(&mut *connection);
    let mut rows_affected = 0_u64;
    while let Some(item) = stream.try_next().await? {
        if let Either::Left(done) = item {
            rows_affected += done.rows_affected();
        }
    }
    Ok(StatementOutcome::Done {
        rows_affected,
        result: None,
        wrote: true,
        statements: vec![StatementResult {
            sql: sql.to_owned(),
            rows_affected,
            result: None,
            elapsed_ms: 0,
        }],
    })
}

const TABLE_CHANGES: &str = r#"
SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del
FROM pg_stat_xact_user_tables
WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
ORDER BY 1
"#;

/// Rows changed per table by the open transaction, as the server counts them.
pub(crate) async fn table_changes(
    transaction: &mut Transaction<'static, Postgres>,
) -> CoreResult<Vec<TableChange>> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(TABLE_CHANGES)
        .fetch_all(&mut **transaction)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(table, inserted, updated, deleted)| TableChange {
            table,
            inserted,
            updated,
            deleted,
        })
        .collect())
}

/// Runs `sql` through the simple protocol, so every value arrives as text
/// whatever its type, and keeps the first rows of the result.
async fn execute_collecting(
    transaction: &mut Transaction<'static, Postgres>,
    sql: &str,
) -> CoreResult<(Option<ResultSet>, u64)> {
    let mut stream = sqlx::raw_sql(sql).fetch_many(&mut **transaction);
    let mut result: Option<ResultSet> = None;
    let mut rows_affected = 0_u64;
    while let Some(item) = stream.try_next().await? {
        match item {
            Either::Left(done) => rows_affected += done.rows_affected(),
            Either::Right(row) => {
                let set = result.get_or_insert_with(|| ResultSet {
                    columns: columns_of(&row),
                    rows: Vec::new(),
                    truncated: false,
                });
                if set.rows.len() < MAX_RESULT_ROWS {
                    set.rows.push(cells_of(&row)?);
                } else {
                    set.truncated = true;
                }
            }
        }
    }
    Ok((result, rows_affected))
}

fn columns_of(row: &PgRow) -> Vec<ColumnInfo> {
    row.columns()
        .iter()
        .map(|column| ColumnInfo {
            name: column.name().to_owned(),
            data_type: column.type_info().name().to_ascii_lowercase(),
            primary_key_position: None,
            editing: None,
        })
        .collect()
}

fn cells_of(row: &PgRow) -> CoreResult<Vec<fluxdesk_types::Cell>> {
    let mut cells = Vec::with_capacity(row.columns().len());
    for (index, column) in row.columns().iter().enumerate() {
        let value = row.try_get_raw(index)?;
        let text = if value.is_null() {
            None
        } else {
            Some(value.as_str().map_err(sqlx::Error::Decode)?.to_owned())
        };
        cells.push(decode_cell(
            &column.type_info().name().to_ascii_lowercase(),
            text,
            false,
        ));
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::{is_transaction_control, redact_credentials, split_statements};

    #[test]
    fn scripts_split_only_at_real_semicolons() {
        let script = "SELECT 'a;b' AS \"x;y\"; -- one;\n\
                      DO $body$ BEGIN PERFORM 1; END $body$;\n\
                      /* two; */ SELECT E'it\\'s;' ;; -- trailing comment only";
        assert_eq!(
            split_statements(script),
            vec![
                "SELECT 'a;b' AS \"x;y\"",
                "-- one;\nDO $body$ BEGIN PERFORM 1; END $body$",
                "/* two; */ SELECT E'it\\'s;'",
            ]
        );
        assert_eq!(split_statements("SELECT 1"), vec!["SELECT 1"]);
        assert!(split_statements("  -- nothing\n ; ").is_empty());
        assert_eq!(
            split_statements("SELECT 'unterminated"),
            vec!["SELECT 'unterminated"]
        );
    }

    #[test]
    fn transaction_control_is_recognised_but_savepoints_are_not() {
        for control in [
            "COMMIT",
            "begin",
            "START TRANSACTION",
            "rollback",
            "END",
            "ABORT",
            "PREPARE TRANSACTION 'x'",
            "-- hidden\nCOMMIT",
            "/* hidden */ commit and chain",
        ] {
            assert!(is_transaction_control(control), "{control}");
        }
        for fine in [
            "ROLLBACK TO SAVEPOINT a",
            "SAVEPOINT a",
            "RELEASE a",
            "SELECT 1",
            "COMMENT ON TABLE t IS 'x'",
        ] {
            assert!(!is_transaction_control(fine), "{fine}");
        }
    }

    #[test]
    fn literals_of_statements_about_credentials_are_redacted() {
        let (text, redacted) = redact_credentials("ALTER ROLE app PASSWORD 'hunter2''s'");
        assert_eq!(
            (text.as_str(), redacted),
            ("ALTER ROLE app PASSWORD '<redacted>'", true)
        );
        let (text, _) =
            redact_credentials("UPDATE dashboard.users SET totp_secret = $x$JBSW$x$ WHERE id = $1");
        assert_eq!(
            text,
            "UPDATE dashboard.users SET totp_secret = '<redacted>' WHERE id = $1"
        );
        let plain = "UPDATE todos SET title = 'buy milk' WHERE id = 7";
        assert_eq!(redact_credentials(plain), (plain.to_owned(), false));
    }
}
