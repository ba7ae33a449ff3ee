//! The connected audit viewer: Fluxdesk's own chain merged with Fluxbase's
//! native sources, newest first, paged by key.
//!
//! Each source is read on its own (its own claims, its own page of at most
//! `limit` rows after the cursor) and the pages are merged here, so a source
//! this instance lacks or this connection cannot read is left out and named
//! instead of failing the whole view, and no source is ever sorted whole.

use crate::admin_access::{AdminTables, act_as};
use crate::audit_review::{bucket_width, parse_instant, timeline_of_counts};
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use fluxdesk_types::{
    AUDIT_PAGE_LIMIT, AuditEntry, AuditFilter, AuditLogPage, AuditLogRequest, AuditSource, Timeline,
    UnavailableSource,
};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;
use uuid::Uuid;

/// Who reads: the signed-in admin, whose claims the FORCE RLS policies of
/// `activity_log` and `impersonation_sessions` admit.
#[derive(Debug, Clone, Copy)]
pub struct AuditReader<'a> {
    /// The instance.
    pub pool: &'a PgPool,
    /// Its layout's admin tables.
    pub tables: AdminTables,
    /// The signed-in admin.
    pub admin_id: Uuid,
}

/// Where the next page starts: the last entry shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    at: DateTime<Utc>,
    source: AuditSource,
    key: String,
}

/// One source's select, with the same columns for all: `source`, `id`,
/// `seq`, `key` (the tie-break, sortable as text), `occurred_at`, `admin`,
/// `action`, `target`, `outcome`, `details`.
fn select_of(source: AuditSource) -> &'static str {
    match source {
        AuditSource::Fluxdesk => {
            "SELECT seq::text AS id, seq, lpad(seq::text, 20, '0') AS key, occurred_at, \
                    coalesce(admin_email, admin_id::text) AS admin, action, target, outcome, details::text AS details \
             FROM fluxdesk.audit_events WHERE isfinite(occurred_at)"
        }
        AuditSource::ActivityLog => {
            "SELECT a.id::text AS id, NULL::bigint AS seq, a.id::text AS key, a.created_at AS occurred_at, \
                    coalesce(u.email, a.user_id::text) AS admin, a.action, \
                    nullif(concat_ws(' ', a.resource_type, a.resource_id), '') AS target, 'success' AS outcome, \
                    jsonb_strip_nulls(jsonb_build_object('details', a.details, 'ip_address', a.ip_address, \
                                                         'user_agent', a.user_agent))::text AS details \
             FROM dashboard.activity_log a LEFT JOIN dashboard.users u ON u.id = a.user_id \
             WHERE a.created_at IS NOT NULL AND isfinite(a.created_at)"
        }
        AuditSource::Impersonation => {
            "SELECT s.id::text AS id, NULL::bigint AS seq, s.id::text AS key, s.started_at AS occurred_at, \
                    coalesce(d.email, s.admin_user_id::text) AS admin, 'impersonation.session' AS action, \
                    coalesce(t.email, s.target_role, s.impersonation_type) AS target, 'success' AS outcome, \
                    jsonb_strip_nulls(jsonb_build_object('type', s.impersonation_type, 'reason', s.reason, \
                        'ended_at', s.ended_at, 'is_active', s.is_active, 'ip_address', s.ip_address, \
                        'user_agent', s.user_agent))::text AS details \
             FROM auth.impersonation_sessions s \
             LEFT JOIN dashboard.users d ON d.id = s.admin_user_id \
             LEFT JOIN auth.users t ON t.id = s.target_user_id \
             WHERE s.started_at IS NOT NULL AND isfinite(s.started_at)"
        }
        AuditSource::Security => {
            "SELECT e.id::text AS id, NULL::bigint AS seq, e.id::text AS key, e.\"timestamp\" AS occurred_at, \
                    NULL::text AS admin, coalesce(e.fields->>'security_event', e.message) AS action, \
                    coalesce(e.fields->>'email', e.user_id::text) AS target, \
                    CASE WHEN e.level IN ('warn', 'warning', 'error', 'fatal') \
                           OR coalesce(e.fields->>'security_event', '') ~ '(fail|locked|exceeded|denied|invalid|revoked)' \
                         THEN 'failure' ELSE 'success' END AS outcome, \
                    jsonb_strip_nulls(jsonb_build_object('message', e.message, 'level', e.level, \
                        'ip_address', e.ip_address, 'fields', e.fields))::text AS details \
             FROM logging.entries e WHERE e.category = 'security' AND isfinite(e.\"timestamp\")"
        }
    }
}

/// The table whose presence decides whether a source exists here.
fn table_of(source: AuditSource) -> &'static str {
    match source {
        AuditSource::Fluxdesk => "fluxdesk.audit_events",
        AuditSource::ActivityLog => "dashboard.activity_log",
        AuditSource::Impersonation => "auth.impersonation_sessions",
        AuditSource::Security => "logging.entries",
    }
}

fn source_name(source: AuditSource) -> &'static str {
    match source {
        AuditSource::Fluxdesk => "fluxdesk",
        AuditSource::ActivityLog => "activity_log",
        AuditSource::Impersonation => "impersonation",
        AuditSource::Security => "security",
    }
}

/// `%text%` for ILIKE, with the text's own wildcards escaped.
fn like_pattern(text: &Option<String>) -> Option<String> {
    let text = text.as_deref().map(str::trim).filter(|text| !text.is_empty())?;
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

fn bound_instant(text: &Option<String>, what: &str) -> CoreResult<Option<DateTime<Utc>>> {
    match text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => parse_instant(text).map(Some).ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "\"{text}\" is not a time for {what}: use a date such as 2026-11-24 or 2026-11-24T09:30:00Z."
            ))
        }),
    }
}

/// A filter's values, bound as $1..$7 in every source's query.
struct Bound {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    admin: Option<String>,
    action: Option<String>,
    target: Option<String>,
    outcome: Option<String>,
    text: Option<String>,
}

impl Bound {
    fn of(filter: &AuditFilter) -> CoreResult<Self> {
        let outcome = filter
            .outcome
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_lowercase);
        if let Some(outcome) = &outcome
            && !["success", "failure", "denied"].contains(&outcome.as_str())
        {
            return Err(CoreError::InvalidInput(format!(
                "\"{outcome}\" is not an outcome: use success, failure or denied."
            )));
        }
        Ok(Bound {
            since: bound_instant(&filter.since, "the start")?,
            until: bound_instant(&filter.until, "the end")?,
            admin: like_pattern(&filter.admin),
            action: like_pattern(&filter.action),
            target: like_pattern(&filter.target),
            outcome,
            text: like_pattern(&filter.text),
        })
    }
}

const FILTERS: &str = "($1::timestamptz IS NULL OR e.occurred_at >= $1) \
     AND ($2::timestamptz IS NULL OR e.occurred_at < $2) \
     AND ($3::text IS NULL OR e.admin ILIKE $3) \
     AND ($4::text IS NULL OR e.action ILIKE $4) \
     AND ($5::text IS NULL OR e.target ILIKE $5) \
     AND ($6::text IS NULL OR e.outcome = $6) \
     AND ($7::text IS NULL OR concat_ws(' ', e.action, e.admin, e.target, e.details) ILIKE $7)";

type Row = (
    String,
    Option<i64>,
    String,
    DateTime<Utc>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
);

impl AuditReader<'_> {
    fn wanted(filter: &AuditFilter) -> Vec<AuditSource> {
        if filter.sources.is_empty() {
            AuditSource::ALL.to_vec()
        } else {
            AuditSource::ALL
                .into_iter()
                .filter(|source| filter.sources.contains(source))
                .collect()
        }
    }

    /// Which of `sources` this instance has; the others with the reason.
    async fn present(
        &self,
        sources: &[AuditSource],
    ) -> CoreResult<(Vec<AuditSource>, Vec<UnavailableSource>)> {
        let mut present = Vec::new();
        let mut unavailable = Vec::new();
        for source in sources {
            let table = self.tables.sql(table_of(*source));
            let (exists, readable): (bool, bool) = sqlx::query_as(
                "SELECT to_regclass($1) IS NOT NULL, \
                        to_regclass($1) IS NOT NULL AND has_table_privilege(to_regclass($1), 'SELECT')",
            )
            .bind(&table)
            .fetch_one(self.pool)
            .await?;
            match (exists, readable) {
                (true, true) => present.push(*source),
                (false, _) if *source == AuditSource::Fluxdesk => unavailable.push(UnavailableSource {
                    source: *source,
                    reason:
                        "Fluxdesk's schema is not installed on this instance: nothing was recorded here yet."
                            .into(),
                }),
                (false, _) => unavailable.push(UnavailableSource {
                    source: *source,
                    reason: format!("This instance has no {table}."),
                }),
                (true, false) => unavailable.push(UnavailableSource {
                    source: *source,
                    reason: format!("This connection's role may not read {table}."),
                }),
            }
        }
        Ok((present, unavailable))
    }

    /// A read-only transaction under the claims `source`'s policies admit:
    /// the admin's, except 2026.3.7's activity log, which admits the service
    /// role to all and the admin only through the `authenticated` role.
    async fn transaction(
        &self,
        source: Option<AuditSource>,
    ) -> CoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION READ ONLY")
            .execute(&mut *transaction)
            .await?;
        let role = if source == Some(AuditSource::ActivityLog) && self.tables == AdminTables::PLATFORM {
            "service_role"
        } else {
            self.tables.admin_role
        };
        act_as(&mut transaction, role, Some(self.admin_id)).await?;
        Ok(transaction)
    }

    /// One page of the merged log, newest first.
    pub async fn page(&self, request: &AuditLogRequest) -> CoreResult<AuditLogPage> {
        let limit = request.limit.clamp(1, AUDIT_PAGE_LIMIT);
        let bound = Bound::of(&request.filter)?;
        let cursor = match request.cursor.as_deref() {
            None => None,
            Some(text) => Some(serde_json::from_str::<Cursor>(text).map_err(|_| {
                CoreError::InvalidInput(
                    "This page position is not valid any more: start from the top.".into(),
                )
            })?),
        };
        let (present, mut unavailable) = self.present(&Self::wanted(&request.filter)).await?;
        let mut entries: Vec<(DateTime<Utc>, AuditSource, String, AuditEntry)> = Vec::new();
        for source in present {
            // The tie-break among equal times is (source, key), descending.
            // $8 and $9 are always named so their types are known.
            let after = match &cursor {
                None => "TRUE".to_owned(),
                Some(cursor) if source < cursor.source => "e.occurred_at <= $8".to_owned(),
                Some(cursor) if source == cursor.source => {
                    "(e.occurred_at < $8 OR (e.occurred_at = $8 AND e.key COLLATE \"C\" < $9))".to_owned()
                }
                Some(_) => "e.occurred_at < $8".to_owned(),
            };
            let sql = format!(
                "SELECT e.id, e.seq, e.key, e.occurred_at, e.admin, e.action, e.target, e.outcome, e.details \
                 FROM ({}) e WHERE {FILTERS} AND {after} \
                   AND ($8::timestamptz IS NULL OR TRUE) AND ($9::text IS NULL OR TRUE) \
                 ORDER BY e.occurred_at DESC, e.key COLLATE \"C\" DESC LIMIT $10",
                self.tables.sql(select_of(source))
            );
            let mut transaction = self.transaction(Some(source)).await?;
            let rows: Result<Vec<Row>, sqlx::Error> = sqlx::query_as(&sql)
                .bind(bound.since)
                .bind(bound.until)
                .bind(&bound.admin)
                .bind(&bound.action)
                .bind(&bound.target)
                .bind(&bound.outcome)
                .bind(&bound.text)
                .bind(cursor.as_ref().map(|cursor| cursor.at))
                .bind(cursor.as_ref().map(|cursor| cursor.key.clone()))
                // One more than a page: a source with more left says so even
                // when the others have nothing.
                .bind(i64::from(limit) + 1)
                .fetch_all(&mut *transaction)
                .await;
            let rows = match rows {
                Ok(rows) => rows,
                // A joined table this role may not read: leave the source out, say why.
                Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42501") => {
                    unavailable.push(UnavailableSource {
                        source,
                        reason: format!("This connection's role may not read it: {}.", error.message()),
                    });
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            transaction.rollback().await?;
            for (id, seq, key, at, admin, action, target, outcome, details) in rows {
                let entry = AuditEntry {
                    source,
                    id,
                    seq,
                    occurred_at: crate::clock::rfc3339(at),
                    admin,
                    action,
                    target,
                    outcome,
                    details,
                };
                entries.push((at, source, key, entry));
            }
        }
        entries.sort_by(|a, b| (b.0, b.1, &b.2).cmp(&(a.0, a.1, &a.2)));
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next_cursor = match entries.last() {
            Some((at, source, key, _)) if more => Some(
                serde_json::to_string(&Cursor {
                    at: *at,
                    source: *source,
                    key: key.clone(),
                })
                .map_err(|error| CoreError::InvalidInput(error.to_string()))?,
            ),
            _ => None,
        };
        Ok(AuditLogPage {
            entries: entries.into_iter().map(|(_, _, _, entry)| entry).collect(),
            next_cursor,
            unavailable,
        })
    }

    /// Events over time by action, across the sources the filter keeps;
    /// each source counted on the server under its own claims.
    pub async fn timeline(&self, filter: &AuditFilter) -> CoreResult<Timeline> {
        let bound = Bound::of(filter)?;
        let (present, _) = self.present(&Self::wanted(filter)).await?;
        type Counted = (Option<i64>, Option<String>, Option<i64>);
        let run = |source: AuditSource, sql: String| {
            let bound = &bound;
            async move {
                let mut transaction = self.transaction(Some(source)).await?;
                let rows: Result<Vec<Counted>, sqlx::Error> = sqlx::query_as(&sql)
                    .persistent(false)
                    .bind(bound.since)
                    .bind(bound.until)
                    .bind(bound.admin.clone())
                    .bind(bound.action.clone())
                    .bind(bound.target.clone())
                    .bind(bound.outcome.clone())
                    .bind(bound.text.clone())
                    .fetch_all(&mut *transaction)
                    .await;
                match rows {
                    Ok(rows) => {
                        transaction.rollback().await?;
                        CoreResult::Ok(rows)
                    }
                    // Left out of the chart as the page leaves it out of the list.
                    Err(sqlx::Error::Database(error)) if error.code().as_deref() == Some("42501") => {
                        Ok(Vec::new())
                    }
                    Err(error) => Err(error.into()),
                }
            }
        };
        let filtered = |source: AuditSource| {
            format!(
                "SELECT * FROM ({}) e WHERE {FILTERS}",
                self.tables.sql(select_of(source))
            )
        };
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for source in &present {
            let span = format!(
                "SELECT extract(epoch FROM min(e.occurred_at))::bigint, NULL::text,                         extract(epoch FROM max(e.occurred_at))::bigint FROM ({}) e",
                filtered(*source)
            );
            if let Some((Some(low), _, Some(high))) = run(*source, span).await?.into_iter().next() {
                first = first.min(low);
                last = last.max(high);
            }
        }
        if first > last {
            return Ok(Timeline::default());
        }
        let width = bucket_width(last - first);
        let mut counts: std::collections::HashMap<(i64, String), u64> = std::collections::HashMap::new();
        for source in &present {
            let grouped = format!(
                "SELECT floor(extract(epoch FROM e.occurred_at) / {width})::bigint * {width}, e.action, count(*) \
                 FROM ({}) e GROUP BY 1, 2",
                filtered(*source)
            );
            for (bucket, action, count) in run(*source, grouped).await? {
                if let (Some(bucket), Some(count)) = (bucket, count) {
                    *counts.entry((bucket, action.unwrap_or_default())).or_default() += count as u64;
                }
            }
        }
        Ok(timeline_of_counts(
            width,
            counts
                .into_iter()
                .map(|((bucket, action), count)| (bucket, action, count)),
        ))
    }
}

/// The sources' names as the CLI spells them.
pub fn parse_source(text: &str) -> CoreResult<AuditSource> {
    AuditSource::ALL
        .into_iter()
        .find(|source| source_name(*source) == text.trim())
        .ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "\"{text}\" is not a source: use fluxdesk, activity_log, impersonation or security."
            ))
        })
}
