//! The UI's only door to the backend: one async function per IPC command.

mod app_users;
mod audit;
mod impersonation;
mod instance_config;
mod ipc;
mod monitoring;
pub mod query_history;
pub mod saved_views;

use fluxdesk_types::{
    AccessGate, AdminSession, AdminSummary, BackupCodes, Credentials, FirstAdmin, Invitation,
    InvitationFilter, PasswordReset, PasswordStrength, SchemaStatus, SessionKind, SessionPolicy,
    SessionSummary, SignInOutcome, TotpEnrolment,
};
use fluxdesk_types::{
    ApiError, ConnectionInfo, Diagnosis, EnvironmentKind, ImportReport, InstanceHealth, KeysetCursor,
    LaunchState, PendingWrite, ProfileDraft, ProfileEntry, RowDetail, RowPage, RowsRequest, SchemaSummary,
    StatementOutcome, TableRef, TableSummary,
};
use fluxdesk_types::{AppAction, DemoInstance, Diagnostics, ThemeChoice};
use fluxdesk_types::{
    ChangeOutcome, ChangeSet, ExportProgress, ExportRequest, ExportSummary, LiveChanges, TablePage,
};
use serde::Serialize;

pub use app_users::{
    app_roles, app_user_detail, app_users, apply_app_user_batch, create_user_search_index, delete_app_user,
    invite_app_user, lock_app_user, preview_app_user_batch, reset_app_user_password, revoke_app_user_session,
    revoke_app_user_sessions, set_app_user_metadata, set_app_user_role, unlock_app_user,
};
pub use audit::{
    audit_log, audit_timeline, close_review, export_audit_bundle, on_bundle_arrival, open_audit_bundle,
    pick_audit_bundle, review_csv, review_impersonations, review_page, review_summary, review_timeline,
    verify_audit_chain,
};
pub use impersonation::{
    active_impersonation, commit_changes_as_identity, commit_statement_as_identity, rls_insight,
    search_app_users, start_impersonation, stop_impersonation,
};
pub use instance_config::{
    bucket_objects, buckets, disable_realtime, enable_realtime, preview_settings, realtime_tables,
    save_settings, settings, update_bucket,
};
pub use monitoring::{health_snapshot, reset_statement_stats, save_chart, stop_backend};

#[derive(Serialize)]
struct ProfileArgs<'a> {
    profile_id: &'a str,
}

#[derive(Serialize)]
struct ProfilePasswordArgs<'a> {
    profile_id: &'a str,
    password: Option<&'a str>,
}

#[derive(Serialize)]
struct DraftArgs<'a> {
    draft: &'a ProfileDraft,
}

#[derive(Serialize)]
struct PathArgs<'a> {
    path: &'a str,
}

#[derive(Serialize)]
struct PendingArgs<'a> {
    pending_id: &'a str,
}

/// What the app was started with, and every profile.
pub async fn launch_state() -> Result<LaunchState, ApiError> {
    ipc::invoke("launch_state", &()).await
}

/// Every profile, with password states and connections.
pub async fn list_profiles() -> Result<Vec<ProfileEntry>, ApiError> {
    ipc::invoke("list_profiles", &()).await
}

/// Creates or updates a profile; a password in the draft goes to the keyring.
pub async fn save_profile(draft: &ProfileDraft) -> Result<ProfileEntry, ApiError> {
    ipc::invoke("save_profile", &DraftArgs { draft }).await
}

/// Creates a profile from a `postgres://` URL; `environment` overrides the
/// guess from the host and database names.
pub async fn create_profile_from_url(
    url: &str,
    name: Option<&str>,
    environment: Option<EnvironmentKind>,
) -> Result<ProfileEntry, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        url: &'a str,
        name: Option<&'a str>,
        environment: Option<EnvironmentKind>,
    }
    ipc::invoke(
        "create_profile_from_url",
        &Args {
            url,
            name,
            environment,
        },
    )
    .await
}

/// Deletes a profile and its keyring entry.
pub async fn delete_profile(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("delete_profile", &ProfileArgs { profile_id }).await
}

/// "Test connection" for a saved profile.
pub async fn test_profile(profile_id: &str, password: Option<&str>) -> Result<Diagnosis, ApiError> {
    ipc::invoke("test_profile", &ProfilePasswordArgs { profile_id, password }).await
}

/// "Test connection" for a profile being edited.
pub async fn test_draft(draft: &ProfileDraft) -> Result<Diagnosis, ApiError> {
    ipc::invoke("test_draft", &DraftArgs { draft }).await
}

/// Connects a profile; `password` for profiles that ask every time.
pub async fn connect_profile(profile_id: &str, password: Option<&str>) -> Result<ConnectionInfo, ApiError> {
    ipc::invoke("connect_profile", &ProfilePasswordArgs { profile_id, password }).await
}

/// Disconnects a profile.
pub async fn disconnect_profile(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("disconnect_profile", &ProfileArgs { profile_id }).await
}

/// A profile's line in the fleet overview.
pub async fn instance_health(profile_id: &str) -> Result<InstanceHealth, ApiError> {
    ipc::invoke("instance_health", &ProfileArgs { profile_id }).await
}

/// Writes every saved profile, without passwords, to `path`.
pub async fn export_profiles(path: &str) -> Result<usize, ApiError> {
    ipc::invoke("export_profiles", &PathArgs { path }).await
}

/// Imports the profiles of an export file.
pub async fn import_profiles(path: &str) -> Result<ImportReport, ApiError> {
    ipc::invoke("import_profiles", &PathArgs { path }).await
}

/// Schemas of a connected instance.
pub async fn list_schemas(profile_id: &str) -> Result<Vec<SchemaSummary>, ApiError> {
    ipc::invoke("list_schemas", &ProfileArgs { profile_id }).await
}

/// Relations of one schema, with row estimates.
pub async fn list_tables(profile_id: &str, schema: &str) -> Result<Vec<TableSummary>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        schema: &'a str,
    }
    ipc::invoke("list_tables", &Args { profile_id, schema }).await
}

/// One page of rows.
pub async fn fetch_rows(profile_id: &str, request: &RowsRequest) -> Result<RowPage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        request: &'a RowsRequest,
    }
    ipc::invoke("fetch_rows", &Args { profile_id, request }).await
}

/// One row with every value whole.
pub async fn fetch_row(
    profile_id: &str,
    table: &TableRef,
    key: &KeysetCursor,
) -> Result<RowDetail, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        table: &'a TableRef,
        key: &'a KeysetCursor,
    }
    ipc::invoke(
        "fetch_row",
        &Args {
            profile_id,
            table,
            key,
        },
    )
    .await
}

/// The first `limit` relations of a schema whose names contain `filter`.
pub async fn list_table_page(
    profile_id: &str,
    schema: &str,
    filter: &str,
    limit: u32,
) -> Result<TablePage, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        schema: &'a str,
        filter: &'a str,
        limit: u32,
    }
    ipc::invoke(
        "list_table_page",
        &Args {
            profile_id,
            schema,
            filter,
            limit,
        },
    )
    .await
}

/// Changes to a realtime table heard since `since` (`None`: where to start).
pub async fn live_changes(
    profile_id: &str,
    table: &TableRef,
    since: Option<u64>,
) -> Result<LiveChanges, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        table: &'a TableRef,
        since: Option<u64>,
    }
    ipc::invoke(
        "live_changes",
        &Args {
            profile_id,
            table,
            since,
        },
    )
    .await
}

/// The exact row count of a table (reads it all; on request only).
pub async fn count_rows(profile_id: &str, table: &TableRef, run_id: &str) -> Result<i64, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        table: &'a TableRef,
        run_id: &'a str,
    }
    ipc::invoke(
        "count_rows",
        &Args {
            profile_id,
            table,
            run_id,
        },
    )
    .await
}

/// The plan of one statement; with `analyze` it runs, rolled back.
pub async fn explain_statement(profile_id: &str, sql: &str, analyze: bool) -> Result<String, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        sql: &'a str,
        analyze: bool,
    }
    ipc::invoke(
        "explain_statement",
        &Args {
            profile_id,
            sql,
            analyze,
        },
    )
    .await
}

/// Runs one statement, or a script in one transaction, under the instance's
/// protection; `run_id` lets [`cancel_query`] stop it.
/// `acting_as` is the impersonation the window shows as in force: if
/// another one (or none) is, the backend runs nothing.
pub async fn run_statement(
    profile_id: &str,
    sql: &str,
    run_id: Option<&str>,
    acting_as: Option<&str>,
) -> Result<StatementOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        sql: &'a str,
        run_id: Option<&'a str>,
        acting_as: Option<&'a str>,
    }
    ipc::invoke(
        "run_statement",
        &Args {
            profile_id,
            sql,
            run_id,
            acting_as,
        },
    )
    .await
}

/// Stops a running query; its transaction is rolled back.
pub async fn cancel_query(run_id: &str) -> Result<bool, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        run_id: &'a str,
    }
    ipc::invoke("cancel_query", &Args { run_id }).await
}

#[derive(Serialize)]
struct ChangesArgs<'a> {
    profile_id: &'a str,
    changes: &'a ChangeSet,
}

/// The SQL staged changes would run, one statement per change.
pub async fn review_changes(profile_id: &str, changes: &ChangeSet) -> Result<Vec<String>, ApiError> {
    ipc::invoke("review_changes", &ChangesArgs { profile_id, changes }).await
}

/// Applies staged changes, all in one transaction (a dry run while
/// impersonating; `acting_as` as for [`run_statement`]).
pub async fn commit_changes(
    profile_id: &str,
    changes: &ChangeSet,
    acting_as: Option<&str>,
) -> Result<ChangeOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        changes: &'a ChangeSet,
        acting_as: Option<&'a str>,
    }
    ipc::invoke(
        "commit_changes",
        &Args {
            profile_id,
            changes,
            acting_as,
        },
    )
    .await
}

/// Runs an export to its end (poll [`export_progress`] meanwhile).
pub async fn export_rows(
    profile_id: &str,
    export_id: &str,
    request: &ExportRequest,
) -> Result<ExportSummary, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        export_id: &'a str,
        request: &'a ExportRequest,
    }
    ipc::invoke(
        "export_rows",
        &Args {
            profile_id,
            export_id,
            request,
        },
    )
    .await
}

#[derive(Serialize)]
struct ExportArgs<'a> {
    export_id: &'a str,
}

/// How far an export has come, if it is running.
pub async fn export_progress(export_id: &str) -> Result<Option<ExportProgress>, ApiError> {
    ipc::invoke("export_progress", &ExportArgs { export_id }).await
}

/// Cancels a running export; its partial file is removed.
pub async fn cancel_export(export_id: &str) -> Result<(), ApiError> {
    ipc::invoke("cancel_export", &ExportArgs { export_id }).await
}

/// Commits a write that awaited confirmation.
pub async fn commit_write(pending_id: &str) -> Result<PendingWrite, ApiError> {
    ipc::invoke("commit_write", &PendingArgs { pending_id }).await
}

/// Rolls back a write that awaited confirmation.
pub async fn rollback_write(pending_id: &str) -> Result<PendingWrite, ApiError> {
    ipc::invoke("rollback_write", &PendingArgs { pending_id }).await
}

/// Sets the native window title.
pub async fn set_window_title(title: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        title: &'a str,
    }
    ipc::invoke("set_window_title", &Args { title }).await
}

// ---- Admin sign-in, 2FA, sessions and admin management -----------------

/// What the instance asks for now: install, setup, sign-in, unlock, or nothing.
pub async fn access_gate(profile_id: &str) -> Result<AccessGate, ApiError> {
    ipc::invoke("access_gate", &ProfileArgs { profile_id }).await
}

/// Installs Fluxdesk's schema in the instance (the admin agreed).
pub async fn install_schema(profile_id: &str) -> Result<SchemaStatus, ApiError> {
    ipc::invoke("install_schema", &ProfileArgs { profile_id }).await
}

/// The strength meter's verdict on a new password.
pub async fn password_strength(
    password: &str,
    email: &str,
    full_name: &str,
) -> Result<PasswordStrength, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        password: &'a str,
        email: &'a str,
        full_name: &'a str,
    }
    ipc::invoke(
        "password_strength",
        &Args {
            password,
            email,
            full_name,
        },
    )
    .await
}

/// First-time setup: creates the first admin and signs them in.
pub async fn create_first_admin(profile_id: &str, first: &FirstAdmin) -> Result<AdminSession, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        first: &'a FirstAdmin,
    }
    ipc::invoke("create_first_admin", &Args { profile_id, first }).await
}

/// Signs in (or unlocks by signing in again).
pub async fn sign_in(profile_id: &str, credentials: &Credentials) -> Result<SignInOutcome, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        credentials: &'a Credentials,
    }
    ipc::invoke(
        "sign_in",
        &Args {
            profile_id,
            credentials,
        },
    )
    .await
}

/// Signs out; the session row is deleted.
pub async fn sign_out(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("sign_out", &ProfileArgs { profile_id }).await
}

/// Reports user activity for the idle timeout.
pub async fn touch_session(profile_id: &str) -> Result<(), ApiError> {
    ipc::invoke("touch_session", &ProfileArgs { profile_id }).await
}

/// Step-up: a fresh code (or the password without 2FA) before `purpose`.
pub async fn step_up(profile_id: &str, secret: &str, purpose: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        secret: &'a str,
        purpose: &'a str,
    }
    ipc::invoke(
        "step_up",
        &Args {
            profile_id,
            secret,
            purpose,
        },
    )
    .await
}

/// Starts 2FA enrolment.
pub async fn begin_totp_enrolment(profile_id: &str) -> Result<TotpEnrolment, ApiError> {
    ipc::invoke("begin_totp_enrolment", &ProfileArgs { profile_id }).await
}

/// Confirms 2FA enrolment with a code; returns the backup codes.
pub async fn confirm_totp(profile_id: &str, code: &str) -> Result<BackupCodes, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        code: &'a str,
    }
    ipc::invoke("confirm_totp", &Args { profile_id, code }).await
}

/// Turns 2FA off.
pub async fn disable_totp(profile_id: &str, password: &str, code: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        password: &'a str,
        code: &'a str,
    }
    ipc::invoke(
        "disable_totp",
        &Args {
            profile_id,
            password,
            code,
        },
    )
    .await
}

/// The session timeouts in force.
pub async fn session_policy() -> Result<SessionPolicy, ApiError> {
    ipc::invoke("session_policy", &()).await
}

/// Saves new session timeouts.
pub async fn set_session_policy(policy: SessionPolicy) -> Result<SessionPolicy, ApiError> {
    #[derive(Serialize)]
    struct Args {
        policy: SessionPolicy,
    }
    ipc::invoke("set_session_policy", &Args { policy }).await
}

/// The native Save dialog; `None` when the user cancels.
pub async fn pick_save_path(
    title: &str,
    suggested: &str,
    extension: &str,
) -> Result<Option<String>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        title: &'a str,
        suggested: &'a str,
        extension: &'a str,
    }
    ipc::invoke(
        "pick_save_path",
        &Args {
            title,
            suggested,
            extension,
        },
    )
    .await
}

/// Starts the local demo instance and registers it for this run.
pub async fn open_demo() -> Result<DemoInstance, ApiError> {
    ipc::invoke("open_demo", &()).await
}

/// Versions and folders for the About dialog.
pub async fn diagnostics() -> Result<Diagnostics, ApiError> {
    ipc::invoke("diagnostics", &()).await
}

/// Puts `text` on the system clipboard.
pub async fn copy_to_clipboard(text: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        text: &'a str,
    }
    ipc::invoke("copy_to_clipboard", &Args { text }).await
}

/// Calls `on_action` with each action chosen from the native menu.
pub fn on_menu_action(on_action: yew::Callback<AppAction>) {
    ipc::listen(fluxdesk_types::MENU_ACTION_EVENT, move |payload| {
        if let Some(action) = payload.as_str().and_then(AppAction::from_id) {
            on_action.emit(action);
        }
    });
}

/// The saved colour theme.
pub async fn theme() -> Result<ThemeChoice, ApiError> {
    ipc::invoke("theme", &()).await
}

/// Saves the colour theme; the native window follows it too.
pub async fn set_theme(theme: ThemeChoice) -> Result<ThemeChoice, ApiError> {
    #[derive(Serialize)]
    struct Args {
        theme: ThemeChoice,
    }
    ipc::invoke("set_theme", &Args { theme }).await
}

#[derive(Serialize)]
struct AdminArgs<'a> {
    profile_id: &'a str,
    admin: &'a str,
}

/// Admins of the instance.
pub async fn list_admins(profile_id: &str) -> Result<Vec<AdminSummary>, ApiError> {
    ipc::invoke("list_admins", &ProfileArgs { profile_id }).await
}

/// Deletes an admin (soft delete).
pub async fn delete_admin(profile_id: &str, admin: &str) -> Result<AdminSummary, ApiError> {
    ipc::invoke("delete_admin", &AdminArgs { profile_id, admin }).await
}

/// Unlocks an admin.
pub async fn unlock_admin(profile_id: &str, admin: &str) -> Result<AdminSummary, ApiError> {
    ipc::invoke("unlock_admin", &AdminArgs { profile_id, admin }).await
}

/// Resets an admin's password: a temporary password, or a reset token.
pub async fn reset_admin_password(
    profile_id: &str,
    admin: &str,
    temporary_password: bool,
) -> Result<PasswordReset, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        admin: &'a str,
        temporary_password: bool,
    }
    ipc::invoke(
        "reset_admin_password",
        &Args {
            profile_id,
            admin,
            temporary_password,
        },
    )
    .await
}

/// Invites an admin.
pub async fn invite_admin(profile_id: &str, email: &str, role: &str) -> Result<Invitation, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        email: &'a str,
        role: &'a str,
    }
    ipc::invoke(
        "invite_admin",
        &Args {
            profile_id,
            email,
            role,
        },
    )
    .await
}

/// Invitations.
pub async fn list_invitations(
    profile_id: &str,
    filter: InvitationFilter,
) -> Result<Vec<Invitation>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        filter: InvitationFilter,
    }
    ipc::invoke("list_invitations", &Args { profile_id, filter }).await
}

/// Revokes an invitation.
pub async fn revoke_invitation(profile_id: &str, token: &str) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        token: &'a str,
    }
    ipc::invoke("revoke_invitation", &Args { profile_id, token }).await
}

/// Sessions of admins or app users.
pub async fn list_sessions(profile_id: &str, kind: SessionKind) -> Result<Vec<SessionSummary>, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        kind: SessionKind,
    }
    ipc::invoke("list_sessions", &Args { profile_id, kind }).await
}

/// Revokes a session (and blacklists a token id when given).
pub async fn revoke_session(
    profile_id: &str,
    session_id: &str,
    token_id: Option<&str>,
) -> Result<SessionKind, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        session_id: &'a str,
        token_id: Option<&'a str>,
    }
    ipc::invoke(
        "revoke_session",
        &Args {
            profile_id,
            session_id,
            token_id,
        },
    )
    .await
}

/// Revokes every session of a user or admin.
pub async fn revoke_all_sessions(profile_id: &str, user_id: &str) -> Result<u64, ApiError> {
    #[derive(Serialize)]
    struct Args<'a> {
        profile_id: &'a str,
        user_id: &'a str,
    }
    ipc::invoke("revoke_all_sessions", &Args { profile_id, user_id }).await
}

/// Polls the progress of long work `id` (an export, or a bundle being opened)
/// every 250 ms until the returned flag is set, handing each report to `report`.
pub fn watch_progress(
    id: String,
    report: impl Fn(ExportProgress) + 'static,
) -> std::rc::Rc<std::cell::Cell<bool>> {
    let finished = std::rc::Rc::new(std::cell::Cell::new(false));
    let watching = finished.clone();
    wasm_bindgen_futures::spawn_local(async move {
        while !watching.get() {
            gloo_timers::future::TimeoutFuture::new(250).await;
            if let Ok(Some(step)) = export_progress(&id).await
                && !watching.get()
            {
                report(step);
            }
        }
    });
    finished
}
