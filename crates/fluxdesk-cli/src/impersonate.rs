//! `impersonate ... query SQL`: one statement or script run exactly as a
//! Fluxbase request of an app user, anon or the service role would run.

use crate::admin::{PASSWORD_ENV, act_as_admin};
use crate::output;
use clap::{Args, Subcommand};
use fluxdesk_core::console::impersonating::START_PURPOSE;
use fluxdesk_core::{Console, CoreError};
use fluxdesk_types::{ImpersonationRequest, ImpersonationTarget, StatementOutcome};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("identity").required(true).args(["user", "user_id", "anon", "service"])))]
pub struct Impersonate {
    /// Act as the app user with this email (auth.users).
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Act as the app user with this id.
    #[arg(long, value_name = "UUID")]
    pub user_id: Option<String>,
    /// Act as an anonymous visitor (role anon).
    #[arg(long)]
    pub anon: bool,
    /// Act as the service role (bypasses RLS).
    #[arg(long)]
    pub service: bool,
    /// Why; required, and recorded in auth.impersonation_sessions and the audit trail.
    #[arg(long)]
    pub reason: String,
    /// Step-up code (or FLUXDESK_ADMIN_PASSWORD when the admin has no 2FA);
    /// not needed when this command signed in from the environment.
    #[arg(long)]
    pub totp: Option<String>,
    #[command(subcommand)]
    pub action: ImpersonatedAction,
}

#[derive(Subcommand)]
pub enum ImpersonatedAction {
    /// Run SQL as the identity, in one transaction; writes are dry runs,
    /// always rolled back.
    Query {
        /// The statement or script.
        sql: String,
    },
}

/// Signs in (or resumes), steps up, starts the impersonation, runs the
/// query, and always stops it again.
pub async fn impersonate(
    console: &Console,
    id: &str,
    args: &Impersonate,
    json: bool,
) -> Result<(), CoreError> {
    let one_shot = act_as_admin(console, id).await?;
    let result = run(console, id, args, json).await;
    let _ = console.stop_impersonation(id).await;
    if one_shot {
        let _ = console.sign_out(id).await;
    }
    result
}

async fn run(console: &Console, id: &str, args: &Impersonate, json: bool) -> Result<(), CoreError> {
    let target = match (&args.user, &args.user_id) {
        (Some(email), _) => {
            let found = console.search_app_users(id, email, 20).await?;
            let user = found
                .into_iter()
                .find(|user| user.email.eq_ignore_ascii_case(email.trim()))
                .ok_or_else(|| CoreError::NotFound(format!("There is no app user with email {email}.")))?;
            ImpersonationTarget::User { user_id: user.id }
        }
        (None, Some(user_id)) => ImpersonationTarget::User {
            user_id: user_id.clone(),
        },
        (None, None) if args.anon => ImpersonationTarget::Anon,
        _ => ImpersonationTarget::Service,
    };
    if !console.has_step_up(id, START_PURPOSE) {
        let secret = match &args.totp {
            Some(code) => code.clone(),
            None => std::env::var(PASSWORD_ENV).map_err(|_| {
                CoreError::StepUpRequired(format!(
                    "Confirm before you impersonate: pass --totp CODE (or set {PASSWORD_ENV} when the admin has no 2FA)."
                ))
            })?,
        };
        console.step_up(id, &secret, START_PURPOSE).await?;
    }
    let acting = console
        .start_impersonation(
            id,
            &ImpersonationRequest {
                target,
                reason: args.reason.clone(),
            },
        )
        .await?;
    let ImpersonatedAction::Query { sql } = &args.action;
    let (outcome, wrote, rows_affected, result) = match console.run_statement(id, sql).await? {
        StatementOutcome::Done {
            rows_affected,
            result,
            ..
        } => ("done", false, rows_affected, result),
        StatementOutcome::DryRun {
            rows_affected,
            result,
            ..
        } => ("dry_run", true, rows_affected, result),
        StatementOutcome::AwaitingConfirmation { .. } => {
            return Err(CoreError::InvalidInput(
                "An impersonated write was held for confirmation; this should not happen.".to_owned(),
            ));
        }
    };
    output::impersonated(&acting, outcome, wrote, rows_affected, result.as_ref(), json)
}
