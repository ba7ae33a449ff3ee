//! `login`, `logout`, `schema` and `admin ...`: acting as a named Fluxbase admin.

use crate::output;
use clap::{Args, Subcommand};
use fluxdesk_core::admins::ResetMethod;
use fluxdesk_core::{Console, CoreError};
use fluxdesk_types::{Credentials, EnvironmentKind, InvitationFilter, SessionKind, SignInOutcome};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};

/// Environment variable holding the admin's email for `login` and one-shot admin verbs.
pub const EMAIL_ENV: &str = "FLUXDESK_ADMIN_EMAIL";
/// Environment variable holding the admin's password (instead of the prompt).
pub const PASSWORD_ENV: &str = "FLUXDESK_ADMIN_PASSWORD";

#[derive(Args)]
pub struct Login {
    /// The admin's email (default: FLUXDESK_ADMIN_EMAIL, else asked).
    #[arg(long)]
    pub email: Option<String>,
    /// The current TOTP code, or a backup code, when the admin has 2FA.
    #[arg(long)]
    pub totp: Option<String>,
}

#[derive(Subcommand)]
pub enum SchemaVerb {
    /// Whether Fluxdesk's own schema (fluxdesk) is installed, and what is pending.
    Status,
    /// Install or upgrade Fluxdesk's schema (asks first; --yes to agree).
    Install {
        /// Agree without being asked.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum AdminVerb {
    /// Fluxbase admins (dashboard.users).
    #[command(subcommand)]
    Users(UserVerb),
    /// Admin invitations (dashboard.invitation_tokens).
    #[command(subcommand)]
    Invitations(InvitationVerb),
    /// App-user sessions (auth.sessions), or admin sessions with --admin.
    #[command(subcommand)]
    Sessions(SessionVerb),
    /// Reset an admin's password; all of their sessions are revoked.
    PasswordReset {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// Set a temporary password now and print it once (default: print a
        /// one-hour reset token for the web dashboard's reset page).
        #[arg(long)]
        temporary_password: bool,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum UserVerb {
    /// List admins with role, 2FA, lock, last sign-in and active sessions.
    List,
    /// One admin, by id or email.
    Get {
        /// Id or email.
        admin: String,
    },
    /// Invite an admin: prints the invitation token (valid 7 days).
    Invite {
        /// Email to invite.
        #[arg(long)]
        email: String,
        /// dashboard_user (default) or dashboard_admin.
        #[arg(long, default_value = "dashboard_user")]
        role: String,
    },
    /// Delete an admin (soft delete, sessions revoked). Asks first; --yes to agree.
    Delete {
        /// Id or email.
        admin: String,
        /// Agree without being asked.
        #[arg(long)]
        yes: bool,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
    /// Unlock an admin locked after failed sign-ins.
    Unlock {
        /// Id or email.
        admin: String,
    },
}

#[derive(Subcommand)]
pub enum InvitationVerb {
    /// Pending invitations (add accepted or expired ones with the flags).
    List {
        /// Include accepted invitations.
        #[arg(long)]
        include_accepted: bool,
        /// Include expired invitations.
        #[arg(long)]
        include_expired: bool,
    },
    /// Revoke (delete) an invitation.
    Revoke {
        /// The invitation token. Tokens are base64url and may start with "-".
        #[arg(allow_hyphen_values = true)]
        token: String,
    },
}

#[derive(Subcommand)]
pub enum SessionVerb {
    /// Unexpired sessions, newest first.
    List {
        /// Admin sessions (dashboard.sessions) instead of app-user sessions.
        #[arg(long)]
        admin: bool,
    },
    /// Revoke one session (admin or app user) by id.
    Revoke {
        /// Session id.
        id: String,
        /// The access token's id (JWT jti), when known: it is blacklisted too,
        /// so the token stops working before it expires.
        #[arg(long)]
        token_id: Option<String>,
    },
    /// Revoke every session of one user or admin.
    RevokeAll {
        /// User or admin id.
        user_id: String,
        /// Step-up code for production profiles (or FLUXDESK_ADMIN_PASSWORD without 2FA).
        #[arg(long)]
        totp: Option<String>,
    },
}

fn prompt(question: &str) -> Result<String, CoreError> {
    if !std::io::stdin().is_terminal() {
        return Err(CoreError::InvalidInput(format!(
            "{question} is needed and there is no terminal to ask on; pass it with an option or the environment."
        )));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{question}: ");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| CoreError::io("Cannot read the answer", error))?;
    Ok(line.trim().to_owned())
}

fn admin_password() -> Result<String, CoreError> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CoreError::InvalidInput(format!(
            "The admin password is needed: set {PASSWORD_ENV} or run on a terminal to be asked."
        )));
    }
    rpassword::prompt_password("Admin password: ")
        .map_err(|error| CoreError::io("Cannot read the password", error))
}

pub(crate) fn confirm(question: &str, yes: bool) -> Result<bool, CoreError> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    Ok(matches!(
        prompt(&format!("{question} [y/N]"))?.as_str(),
        "y" | "Y" | "yes"
    ))
}

/// `login`: signs in and keeps the session token in the OS keyring.
pub async fn login(console: &Console, id: &str, login: &Login, json: bool) -> Result<(), CoreError> {
    let email = match login.email.clone().or_else(|| std::env::var(EMAIL_ENV).ok()) {
        Some(email) => email,
        None => prompt("Admin email")?,
    };
    let credentials = Credentials {
        email,
        password: admin_password()?,
        code: login.totp.clone(),
    };
    match console.sign_in(id, credentials).await? {
        SignInOutcome::SecondFactorNeeded => Err(CoreError::AuthenticationFailed(
            "This admin uses two-factor authentication: pass --totp with the current code (or a backup code).".into(),
        )),
        SignInOutcome::SignedIn { session } => {
            console.remember_session(id).await?;
            if json {
                output::emit_json_value(&serde_json::to_value(&session).expect("sessions serialize"))
            } else {
                output::emit_line(&format!(
                    "Signed in as {} ({}); the session lasts until {} and is kept in the OS keyring.",
                    session.email, session.role, session.expires_at
                ))
            }
        }
    }
}

/// `logout`: deletes the session row and forgets the token.
pub async fn logout(console: &Console, id: &str, json: bool) -> Result<(), CoreError> {
    let was_signed_in = console.sign_out_remembered(id).await?;
    if json {
        output::emit_json_value(&json!({ "signed_out": was_signed_in }))
    } else if was_signed_in {
        output::emit_line("Signed out; the session row is deleted.")
    } else {
        output::emit_line("Nobody was signed in.")
    }
}

/// `schema status|install`.
pub async fn schema(console: &Console, id: &str, verb: &SchemaVerb, json: bool) -> Result<(), CoreError> {
    let status = match verb {
        SchemaVerb::Status => console.schema_status(id).await?,
        SchemaVerb::Install { yes } => {
            let before = console.schema_status(id).await?;
            if !before.up_to_date
                && !confirm(
                    "Install Fluxdesk's schema (fluxdesk: audit trail and sign-in bookkeeping) in this instance?",
                    *yes,
                )?
            {
                return Err(CoreError::InvalidInput(
                    "Not installed: agree on the terminal or pass --yes.".into(),
                ));
            }
            console.install_schema(id).await?
        }
    };
    if json {
        output::emit_json_value(&serde_json::to_value(&status).expect("status serializes"))
    } else if status.up_to_date {
        output::emit_line(&format!(
            "Fluxdesk's schema is installed (migrations {:?}).",
            status.applied
        ))
    } else {
        output::emit_line(&format!("Fluxdesk's schema needs: {}", status.pending.join(", ")))
    }
}

/// Acts as the remembered admin, or signs in for this run from the environment.
/// Returns whether the session must be signed out at the end.
pub async fn act_as_admin(console: &Console, id: &str) -> Result<bool, CoreError> {
    if console.resume_remembered_session(id).await?.is_some() {
        return Ok(false);
    }
    let (Ok(email), Ok(password)) = (std::env::var(EMAIL_ENV), std::env::var(PASSWORD_ENV)) else {
        return Err(CoreError::SignInRequired(format!(
            "Sign in first with `fluxdesk-cli login` (or set {EMAIL_ENV} and {PASSWORD_ENV} to sign in for one command)."
        )));
    };
    let code = std::env::var("FLUXDESK_ADMIN_TOTP").ok();
    match console.sign_in(id, Credentials { email, password, code }).await? {
        SignInOutcome::SignedIn { .. } => Ok(true),
        SignInOutcome::SecondFactorNeeded => Err(CoreError::AuthenticationFailed(
            "This admin uses two-factor authentication: set FLUXDESK_ADMIN_TOTP, or sign in with `login --totp`.".into(),
        )),
    }
}

/// Step-up before a destructive action on a production profile.
pub async fn step_up_if_production(
    console: &Console,
    id: &str,
    code: Option<&str>,
    purpose: &str,
) -> Result<(), CoreError> {
    if console.profile(id)?.environment.kind != EnvironmentKind::Production {
        return Ok(());
    }
    let secret = match code {
        Some(code) => code.to_owned(),
        // Signed in by this very command: that counts as the step-up.
        None if console.has_step_up(id, purpose) => return Ok(()),
        None => std::env::var(PASSWORD_ENV).map_err(|_| {
            CoreError::StepUpRequired(format!(
                "This is a production profile: confirm before you {purpose} with --totp CODE (or {PASSWORD_ENV} when the admin has no 2FA)."
            ))
        })?,
    };
    console.step_up(id, &secret, purpose).await
}

/// `admin ...`.
pub async fn admin(console: &Console, id: &str, verb: &AdminVerb, json: bool) -> Result<(), CoreError> {
    let one_shot = act_as_admin(console, id).await?;
    let result = run_admin(console, id, verb, json).await;
    if one_shot {
        let _ = console.sign_out(id).await;
    }
    result
}

async fn run_admin(console: &Console, id: &str, verb: &AdminVerb, json: bool) -> Result<(), CoreError> {
    match verb {
        AdminVerb::Users(UserVerb::List) => output::admins(&console.admins(id).await?, json),
        AdminVerb::Users(UserVerb::Get { admin }) => output::admins(&[console.admin(id, admin).await?], json),
        AdminVerb::Users(UserVerb::Invite { email, role }) => {
            output::invitations(&[console.invite_admin(id, email, role).await?], json)
        }
        AdminVerb::Users(UserVerb::Delete { admin, yes, totp }) => {
            let target = console.admin(id, admin).await?;
            if !confirm(
                &format!("Delete admin {} and end their sessions?", target.email),
                *yes,
            )? {
                return Err(CoreError::InvalidInput(
                    "Not deleted: agree on the terminal or pass --yes.".into(),
                ));
            }
            step_up_if_production(console, id, totp.as_deref(), "delete an admin").await?;
            output::admins(&[console.delete_admin(id, admin).await?], json)
        }
        AdminVerb::Users(UserVerb::Unlock { admin }) => {
            output::admins(&[console.unlock_admin(id, admin).await?], json)
        }
        AdminVerb::Invitations(InvitationVerb::List {
            include_accepted,
            include_expired,
        }) => {
            let filter = InvitationFilter {
                include_accepted: *include_accepted,
                include_expired: *include_expired,
            };
            output::invitations(&console.invitations(id, filter).await?, json)
        }
        AdminVerb::Invitations(InvitationVerb::Revoke { token }) => {
            console.revoke_invitation(id, token).await?;
            output::done(json!({ "revoked": token }), "Invitation revoked.", json)
        }
        AdminVerb::Sessions(SessionVerb::List { admin }) => {
            let kind = if *admin {
                SessionKind::Admin
            } else {
                SessionKind::App
            };
            output::sessions(&console.sessions(id, kind).await?, json)
        }
        AdminVerb::Sessions(SessionVerb::Revoke {
            id: session,
            token_id,
        }) => {
            let kind = console.revoke_session(id, session, token_id.as_deref()).await?;
            let kind = if kind == SessionKind::Admin {
                "admin"
            } else {
                "app"
            };
            output::done(
                json!({ "revoked": session, "kind": kind, "token_blacklisted": token_id.is_some() }),
                &format!("Revoked {kind} session {session}."),
                json,
            )
        }
        AdminVerb::Sessions(SessionVerb::RevokeAll { user_id, totp }) => {
            step_up_if_production(console, id, totp.as_deref(), "revoke all of a user's sessions").await?;
            let count = console.revoke_all_sessions(id, user_id).await?;
            output::done(
                json!({ "user_id": user_id, "revoked": count }),
                &format!("Revoked {count} sessions of {user_id}."),
                json,
            )
        }
        AdminVerb::PasswordReset {
            email,
            temporary_password,
            totp,
        } => {
            step_up_if_production(console, id, totp.as_deref(), "reset an admin's password").await?;
            let method = if *temporary_password {
                ResetMethod::TemporaryPassword
            } else {
                ResetMethod::ResetToken
            };
            output::password_reset(&console.reset_admin_password(id, email, method).await?, json)
        }
    }
}
