//! App users (`auth.users`) at scale, managed on behalf of a signed-in admin.
//!
//! Listing pages by key over any column on the server (Fluxbase's own admin
//! API loads every user and filters in memory), with search over email, id
//! and metadata that a trigram index serves when `pg_trgm` is there. Every
//! change is audited in its own transaction, which read-only profiles leave
//! read-only, so their server refuses it.

use crate::admin_access::{AdminTables, act_as, begin_as, begin_change_as, validate_email};
use crate::admins::parse_uuid;
use crate::audit::{self, AuditContext, AuditEvent, Outcome};
use crate::clock::{Clock, rfc3339, to_database_precision};
use crate::credentials::{self, hash_password};
use crate::error::{CoreError, CoreResult};
use crate::ident::quote_ident;
use crate::impersonation::DEFAULT_TENANT_SQL;
use chrono::{DateTime, TimeDelta, Utc};
use data_encoding::BASE64URL;
use fluxdesk_types::{
    AppUserDetail, AppUserSession, AppUserSummary, BULK_LIMIT, BulkAction, BulkOutcome, BulkPreview,
    BulkRequest, Cascade, CredentialKind, ImpersonationRecord, InvitedUser, MatchCount, MetadataKind,
    OAuthLink, RoleInUse, SearchIndex, USER_PAGE_LIMIT, UserAuditEvent, UserCredential, UserFilters,
    UserInvite, UserListRequest, UserPage, UserPasswordReset, UserSort,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgPool;
use sqlx::{PgConnection, Postgres, QueryBuilder, Transaction};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The trigram index Fluxdesk creates for search.
pub const SEARCH_INDEX: &str = "fluxdesk_users_search";
/// What search looks in; the index is on exactly this expression.
const SEARCH_TEXT: &str = "lower(u.email || ' ' || u.id::text || ' ' || COALESCE(u.user_metadata::text, '') || ' ' || COALESCE(u.app_metadata::text, ''))";
/// Counting matches stops here.
pub const COUNT_CAP: i64 = 10_000;
/// Metadata previews in lists are cut to this many characters.
const METADATA_PREVIEW: i32 = 300;
/// The role invited users get unless told otherwise (Fluxbase's `InviteUser`).
pub const DEFAULT_INVITE_ROLE: &str = "user";
/// Invitation tokens live this long (Fluxbase's invitation email promises 7 days).
pub const INVITE_TOKEN_HOURS: i64 = 24 * 7;
/// Password reset tokens live this long (Fluxbase: 1 hour).
pub const RESET_TOKEN_MINUTES: i64 = 60;

/// A token's SHA-256 as Fluxbase's `auth.*_tokens.token_hash` holds it
/// (Go's `base64.URLEncoding`, padded).
pub fn token_hash(token: &str) -> String {
    BASE64URL.encode(&Sha256::digest(token.as_bytes()))
}

/// The sort column's value as SQL (never NULL, so keys compare simply) and its type.
fn sort_key(sort: UserSort) -> (&'static str, &'static str) {
    match sort {
        UserSort::Email => ("u.email", "text"),
        UserSort::Id => ("u.id", "uuid"),
        UserSort::Role => ("COALESCE(u.role, '')", "text"),
        UserSort::EmailVerified => ("COALESCE(u.email_verified, false)", "boolean"),
        UserSort::CreatedAt => ("COALESCE(u.created_at, '-infinity')", "timestamptz"),
        UserSort::LastSignIn => ("COALESCE(st.last_sign_in, '-infinity')", "timestamptz"),
        UserSort::ActiveSessions => ("COALESCE(st.active, 0)", "bigint"),
        UserSort::Provider => (
            "concat_ws(',', CASE WHEN u.password_hash IS NOT NULL THEN 'password' END, ol.providers)",
            "text",
        ),
        UserSort::TwoFactor => ("COALESCE(u.totp_enabled, false)", "boolean"),
        UserSort::Locked => (
            "CASE WHEN COALESCE(u.is_locked, false) AND (u.locked_until IS NULL OR u.locked_until > $NOW) \
             THEN COALESCE(u.locked_until, 'infinity') ELSE '-infinity' END",
            "timestamptz",
        ),
        UserSort::UserMetadata => ("COALESCE(u.user_metadata, '{}')", "jsonb"),
        UserSort::AppMetadata => ("COALESCE(u.app_metadata, '{}')", "jsonb"),
    }
}

/// Pushes SQL containing `$NOW` placeholders, binding `now` for each.
fn push_with_now(builder: &mut QueryBuilder<'_, Postgres>, sql: &str, now: DateTime<Utc>) {
    let mut pieces = sql.split("$NOW").peekable();
    while let Some(piece) = pieces.next() {
        builder.push(piece.to_owned());
        if pieces.peek().is_some() {
            builder.push_bind(now);
        }
    }
}

/// A page cursor: the sort key as text and the id.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    sort: String,
    descending: bool,
    /// SHA-256 of the search and filters the cursor was made under.
    query: String,
    key: String,
    id: String,
}

/// What a cursor's list was: search and filters, hashed.
fn query_fingerprint(request: &UserListRequest) -> String {
    let document = json!({ "search": request.search.trim(), "filters": request.filters });
    hex::encode(Sha256::digest(document.to_string().as_bytes()))
}

fn parse_cursor(text: &str, request: &UserListRequest) -> CoreResult<Cursor> {
    let cursor: Cursor = serde_json::from_str(text)
        .map_err(|_| CoreError::InvalidInput("This page cursor is not one Fluxdesk made.".into()))?;
    if cursor.sort != request.sort.name() || cursor.descending != request.descending {
        return Err(CoreError::InvalidInput(format!(
            "This cursor belongs to a list sorted by {}{}, not by {}{}; start again from the first page.",
            cursor.sort,
            if cursor.descending { " descending" } else { "" },
            request.sort.name(),
            if request.descending { " descending" } else { "" },
        )));
    }
    if cursor.query != query_fingerprint(request) {
        return Err(CoreError::InvalidInput(
            "This cursor belongs to a list with another search or other filters; start again from the first page."
                .into(),
        ));
    }
    Ok(cursor)
}

fn cursor_id(cursor: &Cursor) -> CoreResult<Uuid> {
    Uuid::parse_str(&cursor.id)
        .map_err(|_| CoreError::InvalidInput("This page cursor is not one Fluxdesk made.".into()))
}

/// `LIKE` pattern for a substring, with the wildcards in it taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for character in text.trim().to_lowercase().chars() {
        if matches!(character, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

fn has_conditions(request: &UserListRequest) -> bool {
    let filters = &request.filters;
    !request.search.trim().is_empty()
        || filters.role.is_some()
        || filters.verified.is_some()
        || filters.locked.is_some()
        || filters.two_factor.is_some()
        || filters.has_sessions.is_some()
}

/// `FROM auth.users u [joins] WHERE <search and filters>`.
fn push_from_where(
    builder: &mut QueryBuilder<'_, Postgres>,
    request: &UserListRequest,
    sort: UserSort,
    now: DateTime<Utc>,
) {
    builder.push(" FROM auth.users u");
    if matches!(sort, UserSort::LastSignIn | UserSort::ActiveSessions) {
        builder.push(
            " LEFT JOIN (SELECT user_id, max(created_at) AS last_sign_in, count(*) FILTER (WHERE expires_at > ",
        );
        builder.push_bind(now);
        builder.push(") AS active FROM auth.sessions GROUP BY user_id) st ON st.user_id = u.id");
    }
    if sort == UserSort::Provider {
        builder.push(
            " LEFT JOIN (SELECT user_id, string_agg(DISTINCT provider, ',' ORDER BY provider) AS providers \
             FROM auth.oauth_links GROUP BY user_id) ol ON ol.user_id = u.id",
        );
    }
    builder.push(" WHERE true");
    let search = request.search.trim();
    if !search.is_empty() {
        builder.push(format!(" AND {SEARCH_TEXT} LIKE "));
        builder.push_bind(contains_pattern(search));
    }
    let filters: &UserFilters = &request.filters;
    if let Some(role) = &filters.role {
        builder.push(" AND COALESCE(u.role, '') = ");
        builder.push_bind(role.trim().to_owned());
    }
    if let Some(verified) = filters.verified {
        builder.push(" AND COALESCE(u.email_verified, false) = ");
        builder.push_bind(verified);
    }
    if let Some(two_factor) = filters.two_factor {
        builder.push(" AND COALESCE(u.totp_enabled, false) = ");
        builder.push_bind(two_factor);
    }
    if let Some(locked) = filters.locked {
        push_with_now(
            builder,
            " AND (COALESCE(u.is_locked, false) AND (u.locked_until IS NULL OR u.locked_until > $NOW)) = ",
            now,
        );
        builder.push_bind(locked);
    }
    if let Some(has_sessions) = filters.has_sessions {
        push_with_now(
            builder,
            " AND EXISTS (SELECT 1 FROM auth.sessions s WHERE s.user_id = u.id AND s.expires_at > $NOW) = ",
            now,
        );
        builder.push_bind(has_sessions);
    }
}

type SessionRow = (Uuid, Option<DateTime<Utc>>, Option<DateTime<Utc>>, DateTime<Utc>);
type LinkRow = (String, String, Option<String>, Option<DateTime<Utc>>);

type SummaryRow = (
    Uuid,
    String,
    Option<String>,
    Option<bool>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    i64,
    bool,
    Vec<String>,
    Option<bool>,
    bool,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

/// Enriched users for ids, in their order; metadata cut to `preview` characters if given.
const SUMMARY_SQL: &str = "SELECT u.id, u.email, u.role, u.email_verified, u.created_at, \
        (SELECT max(s.created_at) FROM auth.sessions s WHERE s.user_id = u.id), \
        (SELECT count(*) FROM auth.sessions s WHERE s.user_id = u.id AND s.expires_at > $2), \
        u.password_hash IS NOT NULL, \
        ARRAY[]::text[], \
        u.totp_enabled, \
        COALESCE(u.is_locked, false) AND (u.locked_until IS NULL OR u.locked_until > $2), u.locked_until, \
        CASE WHEN $3 > 0 THEN left(u.user_metadata::text, $3) ELSE u.user_metadata::text END, \
        CASE WHEN $3 > 0 THEN left(u.app_metadata::text, $3) ELSE u.app_metadata::text END \
     FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, position) JOIN auth.users u ON u.id = p.id \
     ORDER BY p.position";

fn summary(row: SummaryRow) -> AppUserSummary {
    let (
        id,
        email,
        role,
        verified,
        created,
        last,
        active,
        has_password,
        oauth,
        totp,
        locked,
        until,
        user,
        app,
    ) = row;
    let mut providers = Vec::with_capacity(oauth.len() + 1);
    if has_password {
        providers.push("password".to_owned());
    }
    providers.extend(oauth);
    AppUserSummary {
        id: id.to_string(),
        email,
        role: role.unwrap_or_default(),
        email_verified: verified.unwrap_or(false),
        created_at: created.map(rfc3339),
        last_sign_in_at: last.map(rfc3339),
        active_sessions: active,
        providers,
        totp_enabled: totp.unwrap_or(false),
        locked,
        locked_until: if locked { until.map(rfc3339) } else { None },
        user_metadata: user.unwrap_or_else(|| "{}".into()),
        app_metadata: app.unwrap_or_else(|| "{}".into()),
    }
}

/// Enriched users for ids, in their order. OAuth links are FORCE RLS for
/// service_role claims, so they are read under those, then the admin's
/// claims are set again.
async fn summaries(
    connection: &mut PgConnection,
    ids: &[Uuid],
    now: DateTime<Utc>,
    preview: bool,
    admin: (&str, Uuid),
) -> CoreResult<Vec<AppUserSummary>> {
    let rows: Vec<SummaryRow> = sqlx::query_as(SUMMARY_SQL)
        .bind(ids)
        .bind(now)
        .bind(if preview { METADATA_PREVIEW } else { 0 })
        .fetch_all(&mut *connection)
        .await?;
    act_as(connection, "service_role", None).await?;
    let links: BTreeMap<Uuid, Vec<String>> = sqlx::query_as::<_, (Uuid, Vec<String>)>(
        "SELECT user_id, array_agg(DISTINCT provider::text ORDER BY provider::text) FROM auth.oauth_links \
         WHERE user_id = ANY($1) GROUP BY user_id",
    )
    .bind(ids)
    .fetch_all(&mut *connection)
    .await?
    .into_iter()
    .collect();
    act_as(connection, admin.0, Some(admin.1)).await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            row.8 = links.get(&row.0).cloned().unwrap_or_default();
            summary(row)
        })
        .collect())
}

/// What a role name may be: free text, but one line of sensible length.
fn validate_role(role: &str) -> CoreResult<String> {
    let role = role.trim();
    if role.is_empty() {
        return Err(CoreError::InvalidInput("A role cannot be empty.".into()));
    }
    if role.chars().count() > 100 || role.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput(
            "A role is one line of at most 100 characters.".into(),
        ));
    }
    Ok(role.to_owned())
}

/// Metadata must be a JSON object, as Fluxbase merges it into JWT claims.
pub fn parse_metadata(text: &str) -> CoreResult<Value> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        CoreError::InvalidInput(format!(
            "The metadata is not valid JSON: {error} (line {}, column {}).",
            error.line(),
            error.column()
        ))
    })?;
    if !value.is_object() {
        return Err(CoreError::InvalidInput(
            "Metadata must be a JSON object, such as {\"plan\": \"pro\"}.".into(),
        ));
    }
    Ok(value)
}

fn parse_user_ids(ids: &[String]) -> CoreResult<Vec<Uuid>> {
    if ids.is_empty() {
        return Err(CoreError::InvalidInput("Select at least one user.".into()));
    }
    if ids.len() > BULK_LIMIT {
        return Err(CoreError::InvalidInput(format!(
            "A batch takes at most {BULK_LIMIT} users; {} were selected.",
            ids.len()
        )));
    }
    let mut parsed = ids
        .iter()
        .map(|id| parse_uuid(id, "user"))
        .collect::<CoreResult<Vec<_>>>()?;
    parsed.sort();
    parsed.dedup();
    Ok(parsed)
}

/// The words for `pg_constraint.confdeltype`.
fn delete_action(code: &str) -> &'static str {
    match code {
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        "r" => "restrict",
        _ => "no action",
    }
}

/// App-user management for one signed-in admin on one instance.
#[derive(Debug)]
pub struct AppUserDirectory<'a> {
    pool: &'a PgPool,
    clock: &'a dyn Clock,
    context: AuditContext,
    acting_admin: Uuid,
    tables: AdminTables,
}

impl<'a> AppUserDirectory<'a> {
    /// Management acting as `acting_admin` (attributed in `context`).
    pub fn new(
        pool: &'a PgPool,
        clock: &'a dyn Clock,
        context: AuditContext,
        acting_admin: Uuid,
        tables: AdminTables,
    ) -> Self {
        AppUserDirectory {
            pool,
            clock,
            context,
            acting_admin,
            tables,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        to_database_precision(self.clock.now())
    }

    fn admin(&self) -> (&'static str, Uuid) {
        (self.tables.admin_role, self.acting_admin)
    }

    async fn as_admin(&self, connection: &mut PgConnection) -> CoreResult<()> {
        act_as(connection, self.tables.admin_role, Some(self.acting_admin)).await
    }

    async fn read(&self) -> CoreResult<Transaction<'static, Postgres>> {
        begin_as(self.pool, self.tables.admin_role, self.acting_admin).await
    }

    /// A transaction for a change; a read-only profile's server refuses it.
    async fn write(&self) -> CoreResult<Transaction<'static, Postgres>> {
        begin_change_as(self.pool, self.tables.admin_role, self.acting_admin).await
    }

    async fn record(&self, connection: &mut PgConnection, event: AuditEvent) -> CoreResult<()> {
        audit::append(connection, &self.context, &event).await?;
        Ok(())
    }

    /// One page of users, sorted, searched and filtered on the server.
    pub async fn list(&self, request: &UserListRequest) -> CoreResult<UserPage> {
        let now = self.now();
        let limit = request.limit.clamp(1, USER_PAGE_LIMIT);
        let (key, key_type) = sort_key(request.sort);
        let direction = if request.descending { "DESC" } else { "ASC" };
        // The key becomes text only for the page's rows, not for every row sorted.
        let mut builder =
            QueryBuilder::<Postgres>::new("SELECT id, sort_key::text AS key_text FROM (SELECT u.id, (");
        push_with_now(&mut builder, key, now);
        builder.push(") AS sort_key");
        push_from_where(&mut builder, request, request.sort, now);
        if let Some(after) = &request.after {
            let cursor = parse_cursor(after, request)?;
            let comparison = if request.descending { "<" } else { ">" };
            builder.push(" AND (");
            push_with_now(&mut builder, key, now);
            builder.push(format!(", u.id) {comparison} ("));
            let id = cursor_id(&cursor)?;
            builder.push_bind(cursor.key);
            builder.push(format!("::{key_type}, "));
            builder.push_bind(id);
            builder.push(")");
        }
        builder.push(format!(" ORDER BY sort_key {direction}, u.id {direction} LIMIT "));
        builder.push_bind(i64::from(limit) + 1);
        builder.push(format!(") AS page ORDER BY sort_key {direction}, id {direction}"));

        let mut transaction = self.read().await?;
        let mut keys: Vec<(Uuid, String)> = builder
            .build_query_as()
            .fetch_all(&mut *transaction)
            .await
            .map_err(|error| match &error {
                // With a cursor, only its key can fail to cast (22P02, 22007, 22008).
                sqlx::Error::Database(db)
                    if request.after.is_some() && db.code().is_some_and(|code| code.starts_with("22")) =>
                {
                    CoreError::InvalidInput("This page cursor is not one Fluxdesk made.".into())
                }
                _ => CoreError::from(error),
            })?;
        let more = keys.len() > limit as usize;
        keys.truncate(limit as usize);
        let next = match (more, keys.last()) {
            (true, Some((id, key))) => Some(
                serde_json::to_string(&Cursor {
                    sort: request.sort.name().to_owned(),
                    descending: request.descending,
                    query: query_fingerprint(request),
                    key: key.clone(),
                    id: id.to_string(),
                })
                .map_err(|error| CoreError::InvalidInput(error.to_string()))?,
            ),
            _ => None,
        };
        let ids: Vec<Uuid> = keys.iter().map(|(id, _)| *id).collect();
        let users = summaries(&mut transaction, &ids, now, true, self.admin()).await?;
        let matching = if request.after.is_none() {
            Some(self.count(&mut transaction, request, now).await?)
        } else {
            None
        };
        let search_index = search_index_status(&mut transaction).await?;
        transaction.commit().await?;
        Ok(UserPage {
            users,
            next,
            matching,
            search_index,
        })
    }

    /// Matching users: the planner's estimate when nothing narrows the list,
    /// else counted up to [`COUNT_CAP`].
    async fn count(
        &self,
        connection: &mut PgConnection,
        request: &UserListRequest,
        now: DateTime<Utc>,
    ) -> CoreResult<MatchCount> {
        if !has_conditions(request) {
            let estimate: f32 =
                sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'auth.users'::regclass")
                    .fetch_one(&mut *connection)
                    .await?;
            if estimate >= 0.0 {
                return Ok(MatchCount {
                    count: estimate as i64,
                    capped: false,
                    estimated: true,
                });
            }
        }
        let mut builder = QueryBuilder::<Postgres>::new("SELECT count(*) FROM (SELECT 1");
        push_from_where(&mut builder, request, UserSort::Email, now);
        builder.push(" LIMIT ");
        builder.push_bind(COUNT_CAP + 1);
        builder.push(") AS matching");
        let count: i64 = builder.build_query_scalar().fetch_one(&mut *connection).await?;
        Ok(MatchCount {
            count: count.min(COUNT_CAP),
            capped: count > COUNT_CAP,
            estimated: false,
        })
    }

    /// The app roles in use, most common first.
    pub async fn roles_in_use(&self) -> CoreResult<Vec<RoleInUse>> {
        let mut transaction = self.read().await?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT COALESCE(role, ''), count(*) FROM auth.users GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100",
        )
        .fetch_all(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(role, users)| RoleInUse { role, users })
            .collect())
    }

    /// Whether search has its trigram index.
    pub async fn search_index(&self) -> CoreResult<SearchIndex> {
        let mut connection = self.pool.acquire().await?;
        search_index_status(&mut connection).await
    }

    /// Creates the trigram index search uses (installing `pg_trgm` if the
    /// server has it), without blocking writes to `auth.users`. Audited.
    pub async fn create_search_index(&self) -> CoreResult<SearchIndex> {
        let mut connection = self.pool.acquire().await?;
        let before = search_index_status(&mut connection).await?;
        if before.in_place {
            return Ok(before);
        }
        if !before.can_create {
            return Err(CoreError::InvalidInput(before.message));
        }
        let build = async {
            sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .execute(&mut *connection)
                .await?;
            let schema: String = sqlx::query_scalar(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
            )
            .fetch_one(&mut *connection)
            .await?;
            // A build that failed half-way leaves an invalid index behind.
            sqlx::query(&format!("DROP INDEX CONCURRENTLY IF EXISTS auth.{SEARCH_INDEX}"))
                .execute(&mut *connection)
                .await?;
            sqlx::query("SET statement_timeout = 0")
                .execute(&mut *connection)
                .await?;
            let created = sqlx::query(&format!(
                "CREATE INDEX CONCURRENTLY {SEARCH_INDEX} ON auth.users USING gin (({}) {}.gin_trgm_ops)",
                SEARCH_TEXT.replace("u.", ""),
                quote_ident(&schema)
            ))
            .execute(&mut *connection)
            .await;
            sqlx::query("RESET statement_timeout")
                .execute(&mut *connection)
                .await?;
            created?;
            Ok::<_, CoreError>(())
        };
        let outcome = build.await;
        let now = self.now();
        let audited = async {
            let mut transaction = self.write().await?;
            self.record(
                &mut transaction,
                AuditEvent::new(
                    now,
                    "user.search_index.create",
                    if outcome.is_ok() {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    },
                )
                .target(format!("auth.{SEARCH_INDEX}")),
            )
            .await?;
            transaction.commit().await?;
            Ok::<_, CoreError>(())
        }
        .await;
        // The build's own error says more than a failed audit append.
        let audited = if outcome.is_ok() { audited } else { Ok(()) };
        outcome.map_err(|error| match error {
            CoreError::Query(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42501") => {
                CoreError::PermissionDenied(format!(
                    "This connection's role may not create the index ({}). Connect as the owner of auth.users or a superuser.",
                    db.message()
                ))
            }
            other => other,
        })?;
        audited?;
        search_index_status(&mut connection).await
    }

    async fn id_of(&self, connection: &mut PgConnection, key: &str) -> CoreResult<Uuid> {
        let key = key.trim();
        let found: Option<Uuid> = match Uuid::parse_str(key) {
            Ok(id) => {
                sqlx::query_scalar("SELECT id FROM auth.users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *connection)
                    .await?
            }
            Err(_) => {
                sqlx::query_scalar("SELECT id FROM auth.users WHERE lower(email) = lower($1)")
                    .bind(key)
                    .fetch_optional(&mut *connection)
                    .await?
            }
        };
        found.ok_or_else(|| CoreError::NotFound(format!("No app user \"{key}\" in this instance.")))
    }

    async fn summary_of(&self, connection: &mut PgConnection, id: Uuid) -> CoreResult<AppUserSummary> {
        summaries(connection, &[id], self.now(), false, self.admin())
            .await?
            .pop()
            .ok_or_else(|| CoreError::NotFound(format!("No app user {id} in this instance.")))
    }

    /// One user, by id or email, as the list shows them (whole metadata).
    pub async fn get(&self, key: &str) -> CoreResult<AppUserSummary> {
        let mut transaction = self.read().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let user = self.summary_of(&mut transaction, id).await?;
        transaction.commit().await?;
        Ok(user)
    }

    /// Everything about one user: sessions, OAuth links, impersonations,
    /// audit events and what deleting them would do.
    pub async fn detail(&self, key: &str) -> CoreResult<AppUserDetail> {
        let now = self.now();
        let mut transaction = self.read().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let user = self.summary_of(&mut transaction, id).await?;
        let (updated_at, failed): (Option<DateTime<Utc>>, Option<i32>) =
            sqlx::query_as("SELECT updated_at, failed_login_attempts FROM auth.users WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *transaction)
                .await?;
        let sessions: Vec<SessionRow> = sqlx::query_as(
            "SELECT id, created_at, updated_at, expires_at FROM auth.sessions WHERE user_id = $1 \
             ORDER BY created_at DESC NULLS LAST LIMIT 100",
        )
        .bind(id)
        .fetch_all(&mut *transaction)
        .await?;
        let admin_emails: BTreeMap<Uuid, String> =
            sqlx::query_as::<_, (Uuid, String)>(&self.tables.sql("SELECT id, email FROM dashboard.users"))
                .fetch_all(&mut *transaction)
                .await?
                .into_iter()
                .collect();
        // OAuth links and impersonation sessions are FORCE RLS for service_role claims.
        act_as(&mut transaction, "service_role", None).await?;
        let links: Vec<LinkRow> = sqlx::query_as(
            "SELECT provider::text, provider_user_id::text, email::text, created_at FROM auth.oauth_links \
             WHERE user_id = $1 ORDER BY provider, provider_user_id",
        )
        .bind(id)
        .fetch_all(&mut *transaction)
        .await?;
        type ImpersonationRow = (
            Uuid,
            Uuid,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            Option<bool>,
        );
        let impersonations: Vec<ImpersonationRow> = sqlx::query_as(
            "SELECT id, admin_user_id, reason, started_at, ended_at, is_active FROM auth.impersonation_sessions \
             WHERE target_user_id = $1 ORDER BY started_at DESC NULLS LAST LIMIT 100",
        )
        .bind(id)
        .fetch_all(&mut *transaction)
        .await?;
        let cascades = cascades(&mut transaction, &[id], self.admin()).await?;
        let settings = crate::instance_config::user_settings(&mut transaction, self.tables, id).await?;
        type EventRow = (i64, DateTime<Utc>, String, Option<String>, String, Value);
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT seq, occurred_at, action, admin_email, outcome, details FROM fluxdesk.audit_events \
             WHERE target = $1 OR target = $2 OR details->>'user_id' = $2 OR details->>'target_user_id' = $2 \
                OR details->'user_ids' ? $2 \
             ORDER BY seq DESC LIMIT 100",
        )
        .bind(&user.email)
        .bind(id.to_string())
        .fetch_all(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(AppUserDetail {
            user,
            updated_at: updated_at.map(rfc3339),
            failed_login_attempts: failed.unwrap_or(0),
            sessions: sessions
                .into_iter()
                .map(|(session, created, updated, expires)| AppUserSession {
                    id: session.to_string(),
                    created_at: created.map(rfc3339),
                    updated_at: updated.map(rfc3339),
                    expires_at: rfc3339(expires),
                    active: expires > now,
                })
                .collect(),
            oauth_links: links
                .into_iter()
                .map(|(provider, provider_user_id, email, created)| OAuthLink {
                    provider,
                    provider_user_id,
                    email,
                    created_at: created.map(rfc3339),
                })
                .collect(),
            impersonations: impersonations
                .into_iter()
                .map(
                    |(row, admin, reason, started, ended, active)| ImpersonationRecord {
                        id: row.to_string(),
                        admin: admin_emails
                            .get(&admin)
                            .cloned()
                            .unwrap_or_else(|| admin.to_string()),
                        reason,
                        started_at: started.map(rfc3339),
                        ended_at: ended.map(rfc3339),
                        active: active.unwrap_or(false) && ended.is_none(),
                    },
                )
                .collect(),
            audit_events: events
                .into_iter()
                .map(|(seq, at, action, admin, outcome, details)| UserAuditEvent {
                    seq,
                    occurred_at: rfc3339(at),
                    action,
                    admin,
                    outcome,
                    details: details.to_string(),
                })
                .collect(),
            cascades,
            settings,
        })
    }

    /// Creates an app user as Fluxbase's invite does (role `user`, email not
    /// verified, a random bcrypt password) and hands over that password, or a
    /// one-time token to choose one (valid 7 days). Sends no email.
    pub async fn invite(&self, invite: &UserInvite) -> CoreResult<InvitedUser> {
        let email = validate_email(&invite.email)?;
        let role = if invite.role.trim().is_empty() {
            DEFAULT_INVITE_ROLE.to_owned()
        } else {
            validate_role(&invite.role)?
        };
        let now = self.now();
        let mut transaction = self.write().await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM auth.users WHERE lower(email) = lower($1))")
                .bind(&email)
                .fetch_one(&mut *transaction)
                .await?;
        if exists {
            return Err(CoreError::InvalidInput(format!(
                "{email} is already a user of this instance."
            )));
        }
        // The user gets a password either way; with a token nobody knows it.
        let password = credentials::new_temporary_password();
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO auth.users (email, password_hash, role, email_verified, created_at, updated_at) \
             VALUES ($1, $2, $3, false, $4, $4) RETURNING id",
        )
        .bind(&email)
        .bind(hash_password(&password)?)
        .bind(&role)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
                CoreError::InvalidInput(format!("{email} is already a user of this instance."))
            }
            _ => CoreError::from(error),
        })?;
        if self.tables == AdminTables::PLATFORM {
            // 2026.3.7 scopes users to tenants; its server puts new ones in the default tenant.
            let placed = sqlx::query(&format!(
                "UPDATE auth.users SET tenant_id = ({DEFAULT_TENANT_SQL}) WHERE id = $1 AND tenant_id IS NULL"
            ))
            .bind(id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            let tenant: Option<Uuid> = sqlx::query_scalar("SELECT tenant_id FROM auth.users WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *transaction)
                .await?;
            if placed != 1 || tenant.is_none() {
                return Err(CoreError::InvalidInput(
                    "This Fluxbase 2026.3.7 instance has no default tenant to put the user in; nothing was created.".into(),
                ));
            }
        }
        let credential = match invite.credential {
            CredentialKind::TemporaryPassword => UserCredential::TemporaryPassword { password },
            CredentialKind::Token => {
                let expires_at = now + TimeDelta::hours(INVITE_TOKEN_HOURS);
                let token = insert_reset_token(&mut transaction, id, now, expires_at).await?;
                self.as_admin(&mut transaction).await?;
                token
            }
        };
        self.record(
            &mut transaction,
            AuditEvent::new(now, "user.invite", Outcome::Success)
                .target(email.clone())
                .details(json!({ "user_id": id.to_string(), "role": role, "credential": credential_kind(&credential) })),
        )
        .await?;
        let user = self.summary_of(&mut transaction, id).await?;
        transaction.commit().await?;
        Ok(InvitedUser { user, credential })
    }

    /// Sets a user's app role (free text).
    pub async fn set_role(&self, key: &str, role: &str) -> CoreResult<AppUserSummary> {
        let role = validate_role(role)?;
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let (email, before): (String, Option<String>) =
            sqlx::query_as("SELECT email, role FROM auth.users WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_one(&mut *transaction)
                .await?;
        sqlx::query("UPDATE auth.users SET role = $2 WHERE id = $1")
            .bind(id)
            .bind(&role)
            .execute(&mut *transaction)
            .await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "user.set_role", Outcome::Success)
                .target(email)
                .details(json!({ "user_id": id.to_string(), "before": before, "after": role })),
        )
        .await?;
        let user = self.summary_of(&mut transaction, id).await?;
        transaction.commit().await?;
        Ok(user)
    }

    /// Replaces `user_metadata` or `app_metadata` with a JSON object. The
    /// admin claim set for every write passes Fluxbase's app_metadata guard.
    pub async fn set_metadata(
        &self,
        key: &str,
        kind: MetadataKind,
        json_text: &str,
    ) -> CoreResult<AppUserSummary> {
        let value = parse_metadata(json_text)?;
        let column = match kind {
            MetadataKind::User => "user_metadata",
            MetadataKind::App => "app_metadata",
        };
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let (email, before): (String, Option<Value>) = sqlx::query_as(&format!(
            "SELECT email, {column} FROM auth.users WHERE id = $1 FOR UPDATE"
        ))
        .bind(id)
        .fetch_one(&mut *transaction)
        .await?;
        // The claims `write` set pass Fluxbase's app_metadata guard, which
        // accepts the claim roles admin and dashboard_admin (instance_admin on 2026.3.7).
        sqlx::query(&format!("UPDATE auth.users SET {column} = $2 WHERE id = $1"))
            .bind(id)
            .bind(&value)
            .execute(&mut *transaction)
            .await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, &format!("user.{column}"), Outcome::Success)
                .target(email)
                .details(json!({ "user_id": id.to_string(), "before": before, "after": value })),
        )
        .await?;
        let user = self.summary_of(&mut transaction, id).await?;
        transaction.commit().await?;
        Ok(user)
    }

    /// Resets a user's password (a temporary one, or a reset token in
    /// `auth.password_reset_tokens`) and ends all of their sessions.
    pub async fn reset_password(&self, key: &str, kind: CredentialKind) -> CoreResult<UserPasswordReset> {
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let email: String = sqlx::query_scalar("SELECT email FROM auth.users WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_one(&mut *transaction)
            .await?;
        let credential = match kind {
            CredentialKind::TemporaryPassword => {
                let password = credentials::new_temporary_password();
                sqlx::query("UPDATE auth.users SET password_hash = $2 WHERE id = $1")
                    .bind(id)
                    .bind(hash_password(&password)?)
                    .execute(&mut *transaction)
                    .await?;
                UserCredential::TemporaryPassword { password }
            }
            CredentialKind::Token => {
                let expires_at = now + TimeDelta::minutes(RESET_TOKEN_MINUTES);
                let token = insert_reset_token(&mut transaction, id, now, expires_at).await?;
                self.as_admin(&mut transaction).await?;
                token
            }
        };
        let revoked = end_sessions(&mut transaction, &[id]).await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "user.password_reset", Outcome::Success)
                .target(email)
                .details(json!({ "user_id": id.to_string(), "method": credential_kind(&credential), "sessions_revoked": revoked })),
        )
        .await?;
        transaction.commit().await?;
        Ok(UserPasswordReset {
            credential,
            sessions_revoked: revoked,
        })
    }

    /// Locks a user until a time (or until unlocked) and ends their sessions.
    pub async fn lock(&self, key: &str, until: Option<DateTime<Utc>>) -> CoreResult<(AppUserSummary, u64)> {
        let now = self.now();
        let until = until.map(to_database_precision);
        if until.is_some_and(|until| until <= now) {
            return Err(CoreError::InvalidInput("A lock must end in the future.".into()));
        }
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let revoked = self.lock_ids(&mut transaction, &[id], until, now, None).await?;
        let user = self.summary_of(&mut transaction, id).await?;
        transaction.commit().await?;
        Ok((user, revoked))
    }

    async fn lock_ids(
        &self,
        connection: &mut PgConnection,
        ids: &[Uuid],
        until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        batch: Option<&str>,
    ) -> CoreResult<u64> {
        let emails: Vec<(Uuid, String)> = sqlx::query_as(
            "UPDATE auth.users SET is_locked = true, locked_until = $2 WHERE id = ANY($1) RETURNING id, email",
        )
        .bind(ids)
        .bind(until)
        .fetch_all(&mut *connection)
        .await?;
        let revoked = end_sessions(connection, ids).await?;
        for (id, email) in emails {
            self.record(
                connection,
                AuditEvent::new(now, "user.lock", Outcome::Success)
                    .target(email)
                    .details(
                        json!({ "user_id": id.to_string(), "until": until.map(rfc3339), "batch": batch }),
                    ),
            )
            .await?;
        }
        Ok(revoked)
    }

    /// Clears a lock and the failed sign-in count.
    pub async fn unlock(&self, key: &str) -> CoreResult<AppUserSummary> {
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let (email, was_until): (String, Option<DateTime<Utc>>) = sqlx::query_as(
            "UPDATE auth.users SET is_locked = false, locked_until = NULL, failed_login_attempts = 0 \
             WHERE id = $1 RETURNING email, (SELECT locked_until FROM auth.users WHERE id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *transaction)
        .await?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "user.unlock", Outcome::Success)
                .target(email)
                .details(json!({ "user_id": id.to_string(), "was_locked_until": was_until.map(rfc3339) })),
        )
        .await?;
        let user = self.summary_of(&mut transaction, id).await?;
        transaction.commit().await?;
        Ok(user)
    }

    /// Ends one session of a user.
    pub async fn revoke_session(&self, key: &str, session_id: &str) -> CoreResult<()> {
        let session = parse_uuid(session_id, "session")?;
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let email: Option<String> = sqlx::query_scalar(
            "DELETE FROM auth.sessions s USING auth.users u WHERE s.id = $1 AND s.user_id = $2 AND u.id = s.user_id RETURNING u.email",
        )
        .bind(session)
        .bind(id)
        .fetch_optional(&mut *transaction)
        .await?;
        let email =
            email.ok_or_else(|| CoreError::NotFound(format!("This user has no session {session}.")))?;
        self.record(
            &mut transaction,
            AuditEvent::new(now, "user.session.revoke", Outcome::Success)
                .target(email)
                .details(json!({ "user_id": id.to_string(), "session_id": session.to_string() })),
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Ends every session of a user; returns how many.
    pub async fn revoke_sessions(&self, key: &str) -> CoreResult<u64> {
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let revoked = self.revoke_ids(&mut transaction, &[id], now, None).await?;
        transaction.commit().await?;
        Ok(revoked)
    }

    async fn revoke_ids(
        &self,
        connection: &mut PgConnection,
        ids: &[Uuid],
        now: DateTime<Utc>,
        batch: Option<&str>,
    ) -> CoreResult<u64> {
        let per_user: Vec<(Uuid, String, i64)> = sqlx::query_as(
            "WITH ended AS (DELETE FROM auth.sessions WHERE user_id = ANY($1) RETURNING user_id) \
             SELECT u.id, u.email, (SELECT count(*) FROM ended e WHERE e.user_id = u.id) \
             FROM auth.users u WHERE u.id = ANY($1) ORDER BY u.email",
        )
        .bind(ids)
        .fetch_all(&mut *connection)
        .await?;
        let mut total = 0;
        for (id, email, count) in per_user {
            total += count as u64;
            self.record(
                connection,
                AuditEvent::new(now, "user.sessions.revoke_all", Outcome::Success)
                    .target(email)
                    .details(json!({ "user_id": id.to_string(), "sessions_revoked": count, "batch": batch })),
            )
            .await?;
        }
        Ok(total)
    }

    /// Deletes a user for good, as Fluxbase does; `confirm_email` must be
    /// their email. Returns the user as they were and what cascaded.
    pub async fn delete(&self, key: &str, confirm_email: &str) -> CoreResult<(AppUserSummary, Vec<Cascade>)> {
        let now = self.now();
        let mut transaction = self.write().await?;
        let id = self.id_of(&mut transaction, key).await?;
        let user = self.summary_of(&mut transaction, id).await?;
        if !confirm_email.trim().eq_ignore_ascii_case(&user.email) {
            return Err(CoreError::InvalidInput(format!(
                "Type the user's email, {}, to confirm the delete.",
                user.email
            )));
        }
        let cascaded = self.delete_ids(&mut transaction, &[id], now, None).await?;
        transaction.commit().await?;
        Ok((user, cascaded))
    }

    async fn delete_ids(
        &self,
        connection: &mut PgConnection,
        ids: &[Uuid],
        now: DateTime<Utc>,
        batch: Option<&str>,
    ) -> CoreResult<Vec<Cascade>> {
        let cascaded = cascades(connection, ids, self.admin()).await?;
        if let Some(blocking) = cascaded
            .iter()
            .find(|cascade| cascade.rows > 0 && matches!(cascade.action.as_str(), "restrict" | "no action"))
        {
            return Err(CoreError::InvalidInput(format!(
                "{} row(s) of {} refer to {} through {} and do not allow the delete; delete or change them first. Nothing was deleted.",
                blocking.rows,
                blocking.table,
                if ids.len() == 1 {
                    "this user"
                } else {
                    "these users"
                },
                blocking.column
            )));
        }
        let deleted: Vec<(Uuid, String)> =
            sqlx::query_as("DELETE FROM auth.users WHERE id = ANY($1) RETURNING id, email")
                .bind(ids)
                .fetch_all(&mut *connection)
                .await
                .map_err(|error| match &error {
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("23503") => {
                        CoreError::InvalidInput(format!(
                            "Other rows still refer to {} ({}); nothing was deleted.",
                            if ids.len() == 1 {
                                "this user"
                            } else {
                                "these users"
                            },
                            db.message()
                        ))
                    }
                    _ => CoreError::from(error),
                })?;
        if deleted.len() != ids.len() {
            return Err(CoreError::NotFound(
                "Some of these users no longer exist; nothing was deleted.".into(),
            ));
        }
        let summary: Value = cascaded
            .iter()
            .filter(|cascade| cascade.rows > 0)
            .map(|cascade| {
                (
                    format!("{}.{}", cascade.table, cascade.column),
                    json!([cascade.action, cascade.rows]),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
        for (id, email) in deleted {
            self.record(
                connection,
                AuditEvent::new(now, "user.delete", Outcome::Success)
                    .target(email)
                    .details(json!({ "user_id": id.to_string(), "cascades": summary, "batch": batch })),
            )
            .await?;
        }
        Ok(cascaded)
    }

    /// What a batch action would touch; shown before it runs.
    pub async fn preview_bulk(&self, user_ids: &[String], action: &BulkAction) -> CoreResult<BulkPreview> {
        let ids = parse_user_ids(user_ids)?;
        let now = self.now();
        let mut transaction = self.read().await?;
        let found: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM auth.users WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(&mut *transaction)
            .await?;
        let active: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM auth.sessions WHERE user_id = ANY($1) AND expires_at > $2",
        )
        .bind(&found)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await?;
        let cascades = if matches!(action, BulkAction::Delete) {
            cascades(&mut transaction, &found, self.admin()).await?
        } else {
            Vec::new()
        };
        transaction.commit().await?;
        Ok(BulkPreview {
            users: found.len() as u64,
            missing: ids
                .iter()
                .filter(|id| !found.contains(id))
                .map(Uuid::to_string)
                .collect(),
            active_sessions: active,
            cascades,
        })
    }

    /// Runs a batch action in one transaction: all of it, or nothing.
    pub async fn apply_bulk(&self, request: &BulkRequest) -> CoreResult<BulkOutcome> {
        let ids = parse_user_ids(&request.user_ids)?;
        let now = self.now();
        let mut transaction = self.write().await?;
        let found: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM auth.users WHERE id = ANY($1) ORDER BY id FOR UPDATE")
                .bind(&ids)
                .fetch_all(&mut *transaction)
                .await?;
        if found.len() as u64 != request.expected_users || found.len() != ids.len() {
            return Err(CoreError::InvalidInput(format!(
                "{} of the {} selected users exist now, but the confirmation was for {}; nothing was changed. Review the batch again.",
                found.len(),
                ids.len(),
                request.expected_users
            )));
        }
        let batch = Uuid::new_v4().to_string();
        let sessions_revoked = match &request.action {
            BulkAction::Delete => {
                let active: i64 =
                    sqlx::query_scalar("SELECT count(*) FROM auth.sessions WHERE user_id = ANY($1)")
                        .bind(&ids)
                        .fetch_one(&mut *transaction)
                        .await?;
                self.delete_ids(&mut transaction, &ids, now, Some(&batch)).await?;
                active as u64
            }
            BulkAction::Lock { until } => {
                let until = until.as_deref().map(parse_time).transpose()?;
                if until.is_some_and(|until| until <= now) {
                    return Err(CoreError::InvalidInput("A lock must end in the future.".into()));
                }
                self.lock_ids(&mut transaction, &ids, until, now, Some(&batch))
                    .await?
            }
            BulkAction::RevokeSessions => self.revoke_ids(&mut transaction, &ids, now, Some(&batch)).await?,
        };
        self.record(
            &mut transaction,
            AuditEvent::new(now, "user.bulk", Outcome::Success)
                .target(format!("{} users", ids.len()))
                .details(json!({
                    "batch": batch,
                    "action": request.action,
                    "user_ids": ids.iter().map(Uuid::to_string).collect::<Vec<_>>(),
                    "sessions_revoked": sessions_revoked,
                })),
        )
        .await?;
        transaction.commit().await?;
        Ok(BulkOutcome {
            users: ids.len() as u64,
            sessions_revoked,
        })
    }
}

fn credential_kind(credential: &UserCredential) -> &'static str {
    match credential {
        UserCredential::TemporaryPassword { .. } => "temporary_password",
        UserCredential::Token { .. } => "token",
    }
}

/// An RFC 3339 time.
pub fn parse_time(text: &str) -> CoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| {
            CoreError::InvalidInput(format!(
                "\"{}\" is not a time such as 2026-12-01T09:00:00Z.",
                text.trim()
            ))
        })
}

/// A one-time token in `auth.password_reset_tokens`, made and stored as
/// Fluxbase makes them: the user opens `<site>/auth/reset-password?token=…`
/// and chooses a password. Written under service_role claims (FORCE RLS).
async fn insert_reset_token(
    connection: &mut PgConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> CoreResult<UserCredential> {
    let token = credentials::new_fluxbase_token();
    act_as(connection, "service_role", None).await?;
    sqlx::query(
        "INSERT INTO auth.password_reset_tokens (user_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(token_hash(&token))
    .bind(expires_at)
    .bind(now)
    .execute(&mut *connection)
    .await?;
    Ok(UserCredential::Token {
        token,
        table: "auth.password_reset_tokens".into(),
        expires_at: rfc3339(expires_at),
    })
}

/// Deletes every session of the users; returns how many.
pub(crate) async fn end_sessions(connection: &mut PgConnection, ids: &[Uuid]) -> CoreResult<u64> {
    Ok(sqlx::query("DELETE FROM auth.sessions WHERE user_id = ANY($1)")
        .bind(ids)
        .execute(&mut *connection)
        .await?
        .rows_affected())
}

/// Every foreign key to `auth.users`, with the rows that refer to `ids`.
/// Fluxbase's policies admit some tables to service_role claims and others
/// to the admin's, so rows are counted under both and the larger count kept
/// (RLS only ever hides rows). Leaves the admin's claims set.
async fn cascades(
    connection: &mut PgConnection,
    ids: &[Uuid],
    admin: (&str, Uuid),
) -> CoreResult<Vec<Cascade>> {
    let references: Vec<(String, String, String, String, bool)> = sqlx::query_as(
        "SELECT DISTINCT ON (n.nspname, c.relname, a.attname) n.nspname::text, c.relname::text, a.attname::text, con.confdeltype::text, \
                has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT') \
         FROM pg_constraint con \
         JOIN pg_class c ON c.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] \
         WHERE con.contype = 'f' AND con.confrelid = 'auth.users'::regclass AND cardinality(con.conkey) = 1 \
         ORDER BY n.nspname, c.relname, a.attname, con.confdeltype",
    )
    .fetch_all(&mut *connection)
    .await?;
    let mut found = Vec::with_capacity(references.len());
    for (schema, table, column, action, readable) in references {
        if !readable {
            found.push(Cascade {
                table: format!("{schema}.{table}"),
                column,
                action: delete_action(&action).to_owned(),
                rows: 0,
                readable: false,
            });
            continue;
        }
        let count = format!(
            "SELECT count(*) FROM {}.{} WHERE {} = ANY($1)",
            quote_ident(&schema),
            quote_ident(&table),
            quote_ident(&column)
        );
        let mut rows = 0_i64;
        for (role, subject) in [("service_role", None), (admin.0, Some(admin.1))] {
            act_as(connection, role, subject).await?;
            let seen: i64 = sqlx::query_scalar(&count)
                .bind(ids)
                .fetch_one(&mut *connection)
                .await?;
            rows = rows.max(seen);
        }
        found.push(Cascade {
            table: format!("{schema}.{table}"),
            column,
            action: delete_action(&action).to_owned(),
            rows,
            readable: true,
        });
    }
    act_as(connection, admin.0, Some(admin.1)).await?;
    Ok(found)
}

/// Whether the trigram index is in place, and what can be done if not.
async fn search_index_status(connection: &mut PgConnection) -> CoreResult<SearchIndex> {
    let (index_valid, installed, available): (Option<bool>, bool, bool) = sqlx::query_as(
        "SELECT (SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'auth' AND c.relname = $1), \
                EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'), \
                EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')",
    )
    .bind(SEARCH_INDEX)
    .fetch_one(&mut *connection)
    .await?;
    Ok(match (index_valid, installed, available) {
        (Some(true), _, _) => SearchIndex {
            in_place: true,
            can_create: false,
            message: format!("Search uses the trigram index auth.{SEARCH_INDEX} (pg_trgm)."),
        },
        (_, true, _) => SearchIndex {
            in_place: false,
            can_create: true,
            message: "pg_trgm is installed, but auth.users has no trigram index for search, so each search reads every user. Create the index to make search instant.".into(),
        },
        (_, false, true) => SearchIndex {
            in_place: false,
            can_create: true,
            message: "pg_trgm is not installed in this database, so each search reads every user. Creating the search index installs it (the server has it).".into(),
        },
        (_, false, false) => SearchIndex {
            in_place: false,
            can_create: false,
            message: "pg_trgm is not available on this server, so each search reads every user. Install PostgreSQL's contrib package to get it.".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_takes_wildcards_literally() {
        assert_eq!(contains_pattern(" 50%_Off\\ "), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn metadata_must_be_a_json_object() {
        assert!(parse_metadata(r#"{"plan": "pro"}"#).is_ok());
        let broken = parse_metadata(r#"{"plan": }"#).unwrap_err().to_string();
        assert!(
            broken.contains("not valid JSON") && broken.contains("line 1"),
            "{broken}"
        );
        assert!(
            parse_metadata("[1]")
                .unwrap_err()
                .to_string()
                .contains("JSON object")
        );
    }

    #[test]
    fn tokens_are_hashed_as_fluxbase_hashes_them() {
        // Go: base64.URLEncoding.EncodeToString(sha256.Sum256([]byte("abc")))
        assert_eq!(token_hash("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0=");
    }

    #[test]
    fn every_sort_column_has_a_name_that_parses_back() {
        for sort in UserSort::ALL {
            assert_eq!(UserSort::from_name(sort.name()), Some(sort));
        }
    }
}
