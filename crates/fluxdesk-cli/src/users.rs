//! `users ...`: app users (`auth.users`) as the signed-in admin.

use crate::admin::{act_as_admin, confirm, step_up_if_production};
use crate::output;
use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use fluxdesk_core::{Console, CoreError};
use fluxdesk_types::{
    AppUserSummary, BulkAction, BulkRequest, CredentialKind, DELETE_APP_USERS, LOCK_APP_USERS, MetadataKind,
    RESET_APP_USER_PASSWORD, REVOKE_APP_USER_SESSIONS, UserCredential, UserFilters, UserListRequest,
    UserSort,
};
use serde_json::json;
use std::io::IsTerminal;

#[derive(Clone, Copy, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

fn flag(value: Option<YesNo>) -> Option<bool> {
    value.map(|value| matches!(value, YesNo::Yes))
}

#[derive(Args)]
pub struct ListArgs {
    /// Text searched on the server in email, id, user_metadata and app_metadata.
    #[arg(long)]
    search: Option<String>,
    /// Only users with exactly this role.
    #[arg(long)]
    role: Option<String>,
    /// Email verified or not.
    #[arg(long, value_enum)]
    verified: Option<YesNo>,
    /// Locked now or not.
    #[arg(long, value_enum)]
    locked: Option<YesNo>,
    /// TOTP enabled or not.
    #[arg(long, value_enum)]
    two_factor: Option<YesNo>,
    /// Has an unexpired session or not.
    #[arg(long, value_enum)]
    has_sessions: Option<YesNo>,
    /// Sort column: email, id, role, email_verified, created_at, last_sign_in,
    /// active_sessions, provider, two_factor, locked, user_metadata, app_metadata.
    #[arg(long, default_value = "created_at")]
    sort: String,
    /// Sort descending.
    #[arg(long)]
    desc: bool,
    /// Users per page, 1 to 500.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Continue after this position: the "next" value of the previous page.
    #[arg(long, allow_hyphen_values = true)]
    after: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum BulkVerb {
    Delete,
    Lock,
    RevokeSessions,
}

#[derive(Subcommand)]
pub enum UsersVerb {
    /// One page of app users, sorted, searched and filtered on the server.
    List(ListArgs),
    /// Everything about one user (by id or email): sessions, OAuth links,
    /// impersonations, audit events, and what deleting them would take along.
    Get {
        /// Id or email.
        user: String,
    },
    /// Create a user (role "user" unless --role) and print a temporary
    /// password, or with --token a one-time token to choose one (7 days). No email is sent.
    Invite {
        /// Email.
        #[arg(long)]
        email: String,
        /// App role (free text).
        #[arg(long, default_value = "user")]
        role: String,
        /// A one-time token in auth.password_reset_tokens instead of a password.
        #[arg(long)]
        token: bool,
        /// Step-up code on production profiles for a role that bypasses RLS
        /// (admin, dashboard_admin, instance_admin, service_role).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Set a user's app role (free text).
    SetRole {
        /// Id or email.
        user: String,
        /// The role.
        role: String,
        /// Step-up code on production profiles for a role that bypasses RLS
        /// (admin, dashboard_admin, instance_admin, service_role).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Replace user_metadata (or app_metadata with --app) with a JSON object.
    SetMetadata {
        /// Id or email.
        user: String,
        /// The JSON object.
        #[arg(value_name = "JSON")]
        document: String,
        /// app_metadata (admins only) instead of user_metadata.
        #[arg(long)]
        app: bool,
    },
    /// Reset a user's password: a temporary password, or with --token a
    /// one-hour reset token. Every session of the user ends.
    ResetPassword {
        /// Id or email.
        user: String,
        /// A reset token instead of a temporary password.
        #[arg(long)]
        token: bool,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Lock a user (their sessions end) until a time or for a while, or until unlocked.
    Lock {
        /// Id or email.
        user: String,
        /// RFC 3339 time (2026-12-01T09:00:00Z) or a duration from now (30m, 24h, 7d).
        #[arg(long)]
        until: Option<String>,
    },
    /// Unlock a user and clear their failed sign-in count.
    Unlock {
        /// Id or email.
        user: String,
    },
    /// End every session of a user, or one with --session.
    RevokeSessions {
        /// Id or email.
        user: String,
        /// Only this session.
        #[arg(long)]
        session: Option<String>,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Delete a user for good, with what cascades. Asks you to type the email; --yes to agree.
    Delete {
        /// Id or email.
        user: String,
        /// Agree without being asked.
        #[arg(long)]
        yes: bool,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Delete, lock or end the sessions of several users in one transaction:
    /// all of them or none. Shows the count first and asks; --yes to agree.
    Bulk {
        /// What to do.
        #[arg(value_enum)]
        action: BulkVerb,
        /// User ids.
        #[arg(required = true, num_args = 1..)]
        ids: Vec<String>,
        /// For lock: RFC 3339 time or a duration from now (default: until unlocked).
        #[arg(long)]
        until: Option<String>,
        /// Agree without being asked.
        #[arg(long)]
        yes: bool,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Whether search has its trigram index; --create makes it (pg_trgm).
    SearchIndex {
        /// Create the index (without blocking writes).
        #[arg(long)]
        create: bool,
    },
}

/// RFC 3339, or now plus a duration such as `24h`.
fn until_time(text: &str) -> Result<String, CoreError> {
    if chrono::DateTime::parse_from_rfc3339(text.trim()).is_ok() {
        return Ok(text.trim().to_owned());
    }
    let duration = humantime::parse_duration(text.trim()).map_err(|_| {
        CoreError::InvalidInput(format!(
            "\"{}\" is neither a time such as 2026-12-01T09:00:00Z nor a duration such as 24h.",
            text.trim()
        ))
    })?;
    let delta = chrono::TimeDelta::from_std(duration)
        .map_err(|_| CoreError::InvalidInput("That duration is too long.".into()))?;
    Ok((Utc::now() + delta).to_rfc3339())
}

fn confirm_typed(email: &str, yes: bool) -> Result<(), CoreError> {
    if yes {
        return Ok(());
    }
    if std::io::stdin().is_terminal() {
        eprint!("Type the user's email ({email}) to delete them for good: ");
        let mut typed = String::new();
        std::io::stdin()
            .read_line(&mut typed)
            .map_err(|error| CoreError::io("Cannot read the answer", error))?;
        if typed.trim().eq_ignore_ascii_case(email) {
            return Ok(());
        }
    }
    Err(CoreError::InvalidInput(
        "Not deleted: type the email on the terminal or pass --yes.".into(),
    ))
}

/// What a delete takes along, on stderr before the question.
fn print_cascades(cascades: &[fluxdesk_types::Cascade]) {
    for cascade in cascades
        .iter()
        .filter(|cascade| cascade.rows > 0 || !cascade.readable)
    {
        let rows = if cascade.readable {
            format!("{} rows", cascade.rows)
        } else {
            "rows this connection may not read".to_owned()
        };
        eprintln!(
            "{rows} of {} ({}): {}",
            cascade.table, cascade.column, cascade.action
        );
    }
}

fn users_table(users: &[AppUserSummary]) -> String {
    let mut table = output::text_table(vec![
        "id",
        "email",
        "role",
        "verified",
        "created",
        "last sign-in",
        "sessions",
        "providers",
        "2FA",
        "locked",
    ]);
    for user in users {
        table.add_row(vec![
            user.id.clone(),
            user.email.clone(),
            user.role.clone(),
            if user.email_verified { "yes" } else { "no" }.into(),
            user.created_at.clone().unwrap_or_default(),
            user.last_sign_in_at.clone().unwrap_or_default(),
            user.active_sessions.to_string(),
            user.providers.join(","),
            if user.totp_enabled { "on" } else { "off" }.into(),
            if user.locked {
                user.locked_until
                    .clone()
                    .unwrap_or_else(|| "until unlocked".into())
            } else {
                String::new()
            },
        ]);
    }
    table.to_string()
}

fn credential_line(credential: &UserCredential) -> String {
    match credential {
        UserCredential::TemporaryPassword { password } => {
            format!("Temporary password (shown once): {password}")
        }
        UserCredential::Token {
            token, expires_at, ..
        } => format!(
            "One-time token (shown once), valid until {expires_at}; the user opens <site>/auth/reset-password?token=<token>:\n{token}"
        ),
    }
}

/// `users ...`.
pub async fn users(console: &Console, id: &str, verb: &UsersVerb, json: bool) -> Result<(), CoreError> {
    let one_shot = act_as_admin(console, id).await?;
    let result = run(console, id, verb, json).await;
    if one_shot {
        let _ = console.sign_out(id).await;
    }
    result
}

fn emit<T: serde::Serialize>(value: &T, text: &str, json: bool) -> Result<(), CoreError> {
    output::done(
        serde_json::to_value(value).expect("user types serialize"),
        text,
        json,
    )
}

async fn run(console: &Console, id: &str, verb: &UsersVerb, json: bool) -> Result<(), CoreError> {
    match verb {
        UsersVerb::List(args) => {
            let sort = UserSort::from_name(args.sort.trim()).ok_or_else(|| {
                CoreError::InvalidInput(format!("There is no sort column \"{}\".", args.sort))
            })?;
            let request = UserListRequest {
                search: args.search.clone().unwrap_or_default(),
                filters: UserFilters {
                    role: args.role.clone(),
                    verified: flag(args.verified),
                    locked: flag(args.locked),
                    two_factor: flag(args.two_factor),
                    has_sessions: flag(args.has_sessions),
                },
                sort,
                descending: args.desc,
                after: args.after.clone(),
                limit: args.limit,
            };
            let page = console.app_users(id, &request).await?;
            let mut text = users_table(&page.users);
            if let Some(next) = &page.next {
                // Quoted for a POSIX shell: the cursor may hold a quote.
                text.push_str(&format!(
                    "\nMore: the same command with --after '{}'",
                    next.replace('\'', "'\\''")
                ));
            }
            if !page.search_index.in_place && !request.search.is_empty() {
                text.push_str(&format!("\n{}", page.search_index.message));
            }
            emit(&page, &text, json)
        }
        UsersVerb::Get { user } => {
            let detail = console.app_user_detail(id, user).await?;
            let text = format!(
                "{}\n{} sessions, {} OAuth links, {} impersonations, {} audit events, {} settings",
                users_table(std::slice::from_ref(&detail.user)),
                detail.sessions.len(),
                detail.oauth_links.len(),
                detail.impersonations.len(),
                detail.audit_events.len(),
                detail.settings.len()
            );
            emit(&detail, &text, json)
        }
        UsersVerb::Invite {
            email,
            role,
            token,
            totp,
        } => {
            if fluxdesk_types::is_elevated_role(role) {
                step_up_if_production(console, id, totp.as_deref(), fluxdesk_types::GRANT_ELEVATED_ROLE)
                    .await?;
            }
            let invite = fluxdesk_types::UserInvite {
                email: email.clone(),
                role: role.clone(),
                credential: if *token {
                    CredentialKind::Token
                } else {
                    CredentialKind::TemporaryPassword
                },
            };
            let invited = console.invite_app_user(id, &invite).await?;
            let text = format!(
                "Invited {} as {}.\n{}",
                invited.user.email,
                invited.user.role,
                credential_line(&invited.credential)
            );
            emit(&invited, &text, json)
        }
        UsersVerb::SetRole { user, role, totp } => {
            if fluxdesk_types::is_elevated_role(role) {
                step_up_if_production(console, id, totp.as_deref(), fluxdesk_types::GRANT_ELEVATED_ROLE)
                    .await?;
            }
            let user = console.set_app_user_role(id, user, role).await?;
            let text = format!("{} now has role {}.", user.email, user.role);
            emit(&user, &text, json)
        }
        UsersVerb::SetMetadata { user, document, app } => {
            let kind = if *app {
                MetadataKind::App
            } else {
                MetadataKind::User
            };
            let user = console.set_app_user_metadata(id, user, kind, document).await?;
            let text = format!("Saved the metadata of {}.", user.email);
            emit(&user, &text, json)
        }
        UsersVerb::ResetPassword { user, token, totp } => {
            step_up_if_production(console, id, totp.as_deref(), RESET_APP_USER_PASSWORD).await?;
            let kind = if *token {
                CredentialKind::Token
            } else {
                CredentialKind::TemporaryPassword
            };
            let reset = console.reset_app_user_password(id, user, kind).await?;
            let text = format!(
                "{}\n{} sessions ended.",
                credential_line(&reset.credential),
                reset.sessions_revoked
            );
            emit(&reset, &text, json)
        }
        UsersVerb::Lock { user, until } => {
            let until = until.as_deref().map(until_time).transpose()?;
            let (user, revoked) = console.lock_app_user(id, user, until.as_deref()).await?;
            let text = format!(
                "Locked {} {}; {revoked} sessions ended.",
                user.email,
                user.locked_until
                    .as_ref()
                    .map(|u| format!("until {u}"))
                    .unwrap_or_else(|| "until unlocked".into())
            );
            output::done(json!({ "user": user, "sessions_revoked": revoked }), &text, json)
        }
        UsersVerb::Unlock { user } => {
            let user = console.unlock_app_user(id, user).await?;
            let text = format!("Unlocked {}.", user.email);
            emit(&user, &text, json)
        }
        UsersVerb::RevokeSessions { user, session, totp } => match session {
            Some(session) => {
                console.revoke_app_user_session(id, user, session).await?;
                output::done(
                    json!({ "user": user, "revoked": 1 }),
                    &format!("Ended session {session}."),
                    json,
                )
            }
            None => {
                step_up_if_production(console, id, totp.as_deref(), REVOKE_APP_USER_SESSIONS).await?;
                let count = console.revoke_app_user_sessions(id, user).await?;
                output::done(
                    json!({ "user": user, "revoked": count }),
                    &format!("Ended {count} sessions."),
                    json,
                )
            }
        },
        UsersVerb::Delete { user, yes, totp } => {
            let detail = console.app_user_detail(id, user).await?;
            print_cascades(&detail.cascades);
            confirm_typed(&detail.user.email, *yes)?;
            step_up_if_production(console, id, totp.as_deref(), DELETE_APP_USERS).await?;
            let (user, cascades) = console.delete_app_user(id, user, &detail.user.email).await?;
            let text = format!("Deleted {}.", user.email);
            output::done(json!({ "deleted": user, "cascades": cascades }), &text, json)
        }
        UsersVerb::Bulk {
            action,
            ids,
            until,
            yes,
            totp,
        } => {
            let action = match action {
                BulkVerb::Delete => BulkAction::Delete,
                BulkVerb::Lock => BulkAction::Lock {
                    until: until.as_deref().map(until_time).transpose()?,
                },
                BulkVerb::RevokeSessions => BulkAction::RevokeSessions,
            };
            let preview = console.preview_app_user_batch(id, ids, &action).await?;
            if !preview.missing.is_empty() {
                return Err(CoreError::NotFound(format!(
                    "No user has these ids: {}. Nothing was changed.",
                    preview.missing.join(", ")
                )));
            }
            eprintln!(
                "{} users, {} active sessions.",
                preview.users, preview.active_sessions
            );
            print_cascades(&preview.cascades);
            if !confirm(
                &format!("Apply to all {} users, in one transaction?", preview.users),
                *yes,
            )? {
                return Err(CoreError::InvalidInput(
                    "Nothing done: agree on the terminal or pass --yes.".into(),
                ));
            }
            let purpose = match action {
                BulkAction::Delete => DELETE_APP_USERS,
                BulkAction::Lock { .. } => LOCK_APP_USERS,
                BulkAction::RevokeSessions => REVOKE_APP_USER_SESSIONS,
            };
            step_up_if_production(console, id, totp.as_deref(), purpose).await?;
            let outcome = console
                .apply_app_user_batch(
                    id,
                    &BulkRequest {
                        user_ids: ids.clone(),
                        action,
                        expected_users: preview.users,
                    },
                )
                .await?;
            let text = format!(
                "Done for {} users; {} sessions ended.",
                outcome.users, outcome.sessions_revoked
            );
            emit(&outcome, &text, json)
        }
        UsersVerb::SearchIndex { create } => {
            let index = if *create {
                console.create_user_search_index(id).await?
            } else {
                console.user_search_index(id).await?
            };
            let text = index.message.clone();
            emit(&index, &text, json)
        }
    }
}
