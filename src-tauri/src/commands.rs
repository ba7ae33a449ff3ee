//! IPC commands. Each one passes its arguments to the console and converts the error.

use crate::exports::{RunningExports, resolve_path};
use crate::finished_work::{count, tell};
use crate::launch::Startup;
use fluxdesk_core::Console;
use fluxdesk_core::admins::ResetMethod;
use fluxdesk_core::audit_export::AuditExport;
use fluxdesk_core::audit_review::OpenReviews;
use fluxdesk_types::{
    AccessGate, AdminSession, AdminSummary, BackupCodes, ChainVerification, Credentials, FirstAdmin,
    Invitation, InvitationFilter, PasswordReset, PasswordStrength, SchemaStatus, SessionKind, SessionPolicy,
    SessionSummary, SignInOutcome, TotpEnrolment,
};
use fluxdesk_types::{ActiveImpersonation, AppUserMatch, ImpersonationRequest, RlsInsight};
use fluxdesk_types::{
    ApiError, ConnectionInfo, Diagnosis, EnvironmentKind, ImportReport, InstanceHealth, KeysetCursor,
    LaunchState, PendingWrite, ProfileDraft, ProfileEntry, RowDetail, RowPage, RowsRequest, SchemaSummary,
    StatementOutcome, TableRef, TableSummary,
};
use fluxdesk_types::{
    AppUserDetail, AppUserSummary, BulkAction, BulkOutcome, BulkPreview, BulkRequest, Cascade,
    CredentialKind, InvitedUser, MetadataKind, RoleInUse, SearchIndex, UserInvite, UserListRequest, UserPage,
    UserPasswordReset,
};
use fluxdesk_types::{
    AuditFilter, AuditLogPage, AuditLogRequest, AuditSummary, BundleExportRequest, BundleExported,
    BundleOpenRequest, BundleReview, ImpersonationReview, ReviewCsvRequest, ReviewPage, ReviewRequest,
    Timeline,
};
use fluxdesk_types::{
    Bucket, BucketEdit, ObjectListRequest, ObjectPage, RealtimeDisabled, RealtimeRequest, RealtimeTable,
    Setting, SettingDiff, SettingEdit, SettingsSaved,
};
use fluxdesk_types::{
    ChangeOutcome, ChangeSet, ExportProgress, ExportRequest, ExportSummary, LiveChanges, TablePage,
};
use fluxdesk_types::{DemoInstance, Diagnostics, ThemeChoice};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

#[tauri::command(rename_all = "snake_case")]
pub async fn launch_state(
    console: State<'_, Console>,
    startup: State<'_, Startup>,
    arrived: State<'_, crate::bundle_files::ArrivedBundle>,
) -> Reply<LaunchState> {
    Ok(LaunchState {
        profiles: console.profiles().await?,
        connect_on_start: startup.connect_on_start.clone(),
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        startup_error: startup.error.clone(),
        keyring_error: console.keyring_status().await.err().map(ApiError::from),
        open_bundle: arrived.take().or_else(|| startup.open_bundle.clone()),
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_profiles(console: State<'_, Console>) -> Reply<Vec<ProfileEntry>> {
    Ok(console.profiles().await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_profile(console: State<'_, Console>, draft: ProfileDraft) -> Reply<ProfileEntry> {
    Ok(console.save_profile(draft).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_profile_from_url(
    console: State<'_, Console>,
    url: String,
    name: Option<String>,
    environment: Option<EnvironmentKind>,
) -> Reply<ProfileEntry> {
    Ok(console
        .create_from_url(&url, name.as_deref(), environment)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_profile(console: State<'_, Console>, profile_id: String) -> Reply<()> {
    console.delete_profile(&profile_id).await?;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_profile(
    console: State<'_, Console>,
    profile_id: String,
    password: Option<String>,
) -> Reply<Diagnosis> {
    Ok(console.test_profile(&profile_id, password).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_draft(console: State<'_, Console>, draft: ProfileDraft) -> Reply<Diagnosis> {
    Ok(console.test_draft(draft).await)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connect_profile(
    console: State<'_, Console>,
    profile_id: String,
    password: Option<String>,
) -> Reply<ConnectionInfo> {
    Ok(console.connect(&profile_id, password).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disconnect_profile(console: State<'_, Console>, profile_id: String) -> Reply<()> {
    console.disconnect(&profile_id).await;
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn instance_health(console: State<'_, Console>, profile_id: String) -> Reply<InstanceHealth> {
    Ok(console.health(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_profiles(console: State<'_, Console>, path: PathBuf) -> Reply<usize> {
    Ok(console.export_profiles_to(&path)?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_profiles(console: State<'_, Console>, path: PathBuf) -> Reply<ImportReport> {
    Ok(console.import_profiles_from(&path).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_schemas(console: State<'_, Console>, profile_id: String) -> Reply<Vec<SchemaSummary>> {
    Ok(console.schemas(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_tables(
    console: State<'_, Console>,
    profile_id: String,
    schema: String,
) -> Reply<Vec<TableSummary>> {
    Ok(console.tables(&profile_id, &schema).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fetch_rows(
    console: State<'_, Console>,
    profile_id: String,
    request: RowsRequest,
) -> Reply<RowPage> {
    Ok(console.rows(&profile_id, &request).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn run_statement(
    console: State<'_, Console>,
    profile_id: String,
    sql: String,
    run_id: Option<String>,
    acting_as: Option<String>,
) -> Reply<StatementOutcome> {
    Ok(console
        .run_cancellable(&profile_id, &sql, run_id.as_deref(), acting_as.as_deref())
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_query(console: State<'_, Console>, run_id: String) -> Reply<bool> {
    Ok(console.cancel_query(&run_id).await?)
}

/// Runs an export to its end; poll `export_progress` meanwhile.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_rows(
    app: tauri::AppHandle,
    console: State<'_, Console>,
    exports: State<'_, RunningExports>,
    profile_id: String,
    export_id: String,
    mut request: ExportRequest,
) -> Reply<ExportSummary> {
    request.path = resolve_path(&request.path).display().to_string();
    let (board, cancel) = (exports.inner().clone(), exports.begin(&export_id));
    let report = |progress| board.report(&export_id, progress);
    let outcome = console.export(&profile_id, &request, &report, &cancel).await;
    exports.finish(&export_id);
    match &outcome {
        Ok(done) => tell(
            &app,
            "Export finished",
            &format!("{} to {}", count(done.rows, "rows"), done.path),
        ),
        Err(error) => tell(&app, "Export stopped", &error.to_string()),
    }
    Ok(outcome?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn export_progress(exports: State<'_, RunningExports>, export_id: String) -> Option<ExportProgress> {
    exports.progress(&export_id)
}

#[tauri::command(rename_all = "snake_case")]
pub fn cancel_export(exports: State<'_, RunningExports>, export_id: String) {
    exports.cancel(&export_id)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn review_changes(
    console: State<'_, Console>,
    profile_id: String,
    changes: ChangeSet,
) -> Reply<Vec<String>> {
    Ok(console.review_changes(&profile_id, &changes).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn commit_changes(
    console: State<'_, Console>,
    profile_id: String,
    changes: ChangeSet,
    acting_as: Option<String>,
) -> Reply<ChangeOutcome> {
    Ok(console
        .commit_changes(&profile_id, &changes, acting_as.as_deref())
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn commit_write(console: State<'_, Console>, pending_id: String) -> Reply<PendingWrite> {
    Ok(console.commit_write(&pending_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rollback_write(console: State<'_, Console>, pending_id: String) -> Reply<PendingWrite> {
    Ok(console.rollback_write(&pending_id).await?)
}

/// The native window title names the instance on display, so a production
/// window is recognisable in the taskbar and window switcher too.
#[tauri::command(rename_all = "snake_case")]
pub fn set_window_title(window: tauri::Window, title: String) -> Reply<()> {
    window.set_title(&title).map_err(|error| {
        ApiError::new(
            fluxdesk_types::ErrorCode::Internal,
            format!("Cannot set the window title: {error}"),
        )
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fetch_row(
    console: State<'_, Console>,
    profile_id: String,
    table: TableRef,
    key: KeysetCursor,
) -> Reply<RowDetail> {
    Ok(console.row(&profile_id, &table, &key).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn explain_statement(
    console: State<'_, Console>,
    profile_id: String,
    sql: String,
    analyze: bool,
) -> Reply<String> {
    Ok(console.explain(&profile_id, &sql, analyze).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_table_page(
    console: State<'_, Console>,
    profile_id: String,
    schema: String,
    filter: String,
    limit: u32,
) -> Reply<TablePage> {
    Ok(console.table_page(&profile_id, &schema, &filter, limit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn live_changes(
    console: State<'_, Console>,
    profile_id: String,
    table: TableRef,
    since: Option<u64>,
) -> Reply<LiveChanges> {
    Ok(console.live_changes(&profile_id, &table, since).await?)
}

#[tauri::command(rename_all = "snake_case")]
/// Counts every row; `cancel_query(run_id)` stops it.
pub async fn count_rows(
    console: State<'_, Console>,
    profile_id: String,
    table: TableRef,
    run_id: Option<String>,
) -> Reply<i64> {
    Ok(console
        .exact_count(&profile_id, &table, run_id.as_deref())
        .await?)
}

// ---- Admin sign-in, 2FA, sessions and admin management -----------------

#[tauri::command(rename_all = "snake_case")]
pub async fn access_gate(console: State<'_, Console>, profile_id: String) -> Reply<AccessGate> {
    Ok(console.access_gate(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn install_schema(console: State<'_, Console>, profile_id: String) -> Reply<SchemaStatus> {
    Ok(console.install_schema(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn password_strength(
    console: State<'_, Console>,
    password: String,
    email: String,
    full_name: String,
) -> PasswordStrength {
    console.password_strength(&password, &email, &full_name)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_first_admin(
    console: State<'_, Console>,
    profile_id: String,
    first: FirstAdmin,
) -> Reply<AdminSession> {
    Ok(console.create_first_admin(&profile_id, first).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    console: State<'_, Console>,
    profile_id: String,
    credentials: Credentials,
) -> Reply<SignInOutcome> {
    Ok(console.sign_in(&profile_id, credentials).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(console: State<'_, Console>, profile_id: String) -> Reply<()> {
    Ok(console.sign_out(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn touch_session(console: State<'_, Console>, profile_id: String) {
    console.touch(&profile_id);
}

#[tauri::command(rename_all = "snake_case")]
pub async fn step_up(
    console: State<'_, Console>,
    profile_id: String,
    secret: String,
    purpose: String,
) -> Reply<()> {
    Ok(console.step_up(&profile_id, &secret, &purpose).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn begin_totp_enrolment(console: State<'_, Console>, profile_id: String) -> Reply<TotpEnrolment> {
    Ok(console.begin_totp_enrolment(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn confirm_totp(
    console: State<'_, Console>,
    profile_id: String,
    code: String,
) -> Reply<BackupCodes> {
    Ok(console.confirm_totp(&profile_id, &code).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disable_totp(
    console: State<'_, Console>,
    profile_id: String,
    password: String,
    code: String,
) -> Reply<()> {
    Ok(console.disable_totp(&profile_id, &password, &code).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn session_policy(console: State<'_, Console>) -> SessionPolicy {
    console.session_policy()
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_session_policy(
    app: tauri::AppHandle,
    console: State<'_, Console>,
    policy: SessionPolicy,
) -> Reply<SessionPolicy> {
    let policy = console.set_session_policy(policy)?;
    crate::settings::save_session_policy(&app, policy);
    Ok(policy)
}

/// Starts the local demo instance (a first run's offer) and registers it for this run.
#[cfg(unix)]
#[tauri::command(rename_all = "snake_case")]
pub async fn open_demo(
    console: State<'_, Console>,
    running: State<'_, crate::demo::RunningDemo>,
) -> Reply<DemoInstance> {
    crate::demo::open(&console, &running).await
}

/// The demo's sandbox runs PostgreSQL the Unix way; elsewhere, say so.
#[cfg(not(unix))]
#[tauri::command(rename_all = "snake_case")]
pub async fn open_demo() -> Reply<DemoInstance> {
    Err(ApiError::new(
        fluxdesk_types::ErrorCode::ConnectionFailed,
        "The demo instance runs on Linux and macOS only. Add a profile for an instance you have.",
    ))
}

/// Versions and folders for the About dialog.
#[tauri::command(rename_all = "snake_case")]
pub fn diagnostics(app: tauri::AppHandle) -> Diagnostics {
    crate::desktop_info::diagnostics(&app)
}

/// Puts `text` on the system clipboard (the About dialog's Copy diagnostics).
#[tauri::command(rename_all = "snake_case")]
pub fn copy_to_clipboard(app: tauri::AppHandle, text: String) -> Reply<()> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    app.clipboard().write_text(text).map_err(|error| {
        ApiError::new(
            fluxdesk_types::ErrorCode::Internal,
            format!("Cannot copy to the clipboard: {error}. Select the text and copy it by hand."),
        )
    })
}

/// The saved colour theme.
#[tauri::command(rename_all = "snake_case")]
pub fn theme(app: tauri::AppHandle) -> ThemeChoice {
    crate::settings::load_theme(&app)
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_theme(app: tauri::AppHandle, theme: ThemeChoice) -> ThemeChoice {
    crate::settings::save_theme(&app, theme);
    theme
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_admins(console: State<'_, Console>, profile_id: String) -> Reply<Vec<AdminSummary>> {
    Ok(console.admins(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_admin(
    console: State<'_, Console>,
    profile_id: String,
    admin: String,
) -> Reply<AdminSummary> {
    Ok(console.delete_admin(&profile_id, &admin).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock_admin(
    console: State<'_, Console>,
    profile_id: String,
    admin: String,
) -> Reply<AdminSummary> {
    Ok(console.unlock_admin(&profile_id, &admin).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reset_admin_password(
    console: State<'_, Console>,
    profile_id: String,
    admin: String,
    temporary_password: bool,
) -> Reply<PasswordReset> {
    let method = if temporary_password {
        ResetMethod::TemporaryPassword
    } else {
        ResetMethod::ResetToken
    };
    Ok(console.reset_admin_password(&profile_id, &admin, method).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn invite_admin(
    console: State<'_, Console>,
    profile_id: String,
    email: String,
    role: String,
) -> Reply<Invitation> {
    Ok(console.invite_admin(&profile_id, &email, &role).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_invitations(
    console: State<'_, Console>,
    profile_id: String,
    filter: InvitationFilter,
) -> Reply<Vec<Invitation>> {
    Ok(console.invitations(&profile_id, filter).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_invitation(console: State<'_, Console>, profile_id: String, token: String) -> Reply<()> {
    Ok(console.revoke_invitation(&profile_id, &token).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_sessions(
    console: State<'_, Console>,
    profile_id: String,
    kind: SessionKind,
) -> Reply<Vec<SessionSummary>> {
    Ok(console.sessions(&profile_id, kind).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_session(
    console: State<'_, Console>,
    profile_id: String,
    session_id: String,
    token_id: Option<String>,
) -> Reply<SessionKind> {
    Ok(console
        .revoke_session(&profile_id, &session_id, token_id.as_deref())
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_all_sessions(
    console: State<'_, Console>,
    profile_id: String,
    user_id: String,
) -> Reply<u64> {
    Ok(console.revoke_all_sessions(&profile_id, &user_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn verify_audit_chain(console: State<'_, Console>, profile_id: String) -> Reply<ChainVerification> {
    Ok(console.verify_audit_chain(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn search_app_users(
    console: State<'_, Console>,
    profile_id: String,
    text: String,
) -> Reply<Vec<AppUserMatch>> {
    Ok(console.search_app_users(&profile_id, &text, 20).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn start_impersonation(
    console: State<'_, Console>,
    profile_id: String,
    request: ImpersonationRequest,
) -> Reply<ActiveImpersonation> {
    Ok(console.start_impersonation(&profile_id, &request).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn stop_impersonation(console: State<'_, Console>, profile_id: String) -> Reply<bool> {
    Ok(console.stop_impersonation(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn active_impersonation(
    console: State<'_, Console>,
    profile_id: String,
) -> Reply<Option<ActiveImpersonation>> {
    Ok(console.current_impersonation(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rls_insight(
    console: State<'_, Console>,
    profile_id: String,
    table: TableRef,
) -> Reply<RlsInsight> {
    Ok(console.rls_insight(&profile_id, &table).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn commit_statement_as_identity(
    console: State<'_, Console>,
    profile_id: String,
    sql: String,
    run_id: Option<String>,
    acting_as: String,
) -> Reply<StatementOutcome> {
    Ok(console
        .run_committing_as_identity(&profile_id, &sql, run_id.as_deref(), &acting_as)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn commit_changes_as_identity(
    console: State<'_, Console>,
    profile_id: String,
    changes: ChangeSet,
    acting_as: String,
) -> Reply<ChangeOutcome> {
    Ok(console
        .commit_changes_as_identity(&profile_id, &changes, &acting_as)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_users(
    console: State<'_, Console>,
    profile_id: String,
    request: UserListRequest,
) -> Reply<UserPage> {
    Ok(console.app_users(&profile_id, &request).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_user_detail(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
) -> Reply<AppUserDetail> {
    Ok(console.app_user_detail(&profile_id, &user).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_roles(console: State<'_, Console>, profile_id: String) -> Reply<Vec<RoleInUse>> {
    Ok(console.app_roles(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_user_search_index(console: State<'_, Console>, profile_id: String) -> Reply<SearchIndex> {
    Ok(console.create_user_search_index(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn invite_app_user(
    console: State<'_, Console>,
    profile_id: String,
    invite: UserInvite,
) -> Reply<InvitedUser> {
    Ok(console.invite_app_user(&profile_id, &invite).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_app_user_role(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
    role: String,
) -> Reply<AppUserSummary> {
    Ok(console.set_app_user_role(&profile_id, &user, &role).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_app_user_metadata(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
    kind: MetadataKind,
    json: String,
) -> Reply<AppUserSummary> {
    Ok(console
        .set_app_user_metadata(&profile_id, &user, kind, &json)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reset_app_user_password(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
    credential: CredentialKind,
) -> Reply<UserPasswordReset> {
    Ok(console
        .reset_app_user_password(&profile_id, &user, credential)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn lock_app_user(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
    until: Option<String>,
) -> Reply<(AppUserSummary, u64)> {
    Ok(console
        .lock_app_user(&profile_id, &user, until.as_deref())
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock_app_user(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
) -> Reply<AppUserSummary> {
    Ok(console.unlock_app_user(&profile_id, &user).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_app_user_session(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
    session_id: String,
) -> Reply<()> {
    Ok(console
        .revoke_app_user_session(&profile_id, &user, &session_id)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn revoke_app_user_sessions(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
) -> Reply<u64> {
    Ok(console.revoke_app_user_sessions(&profile_id, &user).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delete_app_user(
    console: State<'_, Console>,
    profile_id: String,
    user: String,
    confirm_email: String,
) -> Reply<(AppUserSummary, Vec<Cascade>)> {
    Ok(console
        .delete_app_user(&profile_id, &user, &confirm_email)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn preview_app_user_batch(
    console: State<'_, Console>,
    profile_id: String,
    user_ids: Vec<String>,
    action: BulkAction,
) -> Reply<BulkPreview> {
    Ok(console
        .preview_app_user_batch(&profile_id, &user_ids, &action)
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn apply_app_user_batch(
    console: State<'_, Console>,
    profile_id: String,
    request: BulkRequest,
) -> Reply<BulkOutcome> {
    Ok(console.apply_app_user_batch(&profile_id, &request).await?)
}

/// One page of the merged audit log.
#[tauri::command(rename_all = "snake_case")]
pub async fn audit_log(
    console: State<'_, Console>,
    profile_id: String,
    request: AuditLogRequest,
) -> Reply<AuditLogPage> {
    Ok(console.audit_log(&profile_id, &request).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn audit_timeline(
    console: State<'_, Console>,
    profile_id: String,
    filter: AuditFilter,
) -> Reply<Timeline> {
    Ok(console.audit_timeline(&profile_id, &filter).await?)
}

/// Exports the audit chain to a signed bundle; poll `export_progress` meanwhile.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_audit_bundle(
    app: tauri::AppHandle,
    console: State<'_, Console>,
    exports: State<'_, RunningExports>,
    profile_id: String,
    export_id: String,
    mut request: BundleExportRequest,
) -> Reply<BundleExported> {
    request.path = resolve_path(&request.path).display().to_string();
    let export = AuditExport::from_request(&request)?;
    let (board, cancel) = (exports.inner().clone(), exports.begin(&export_id));
    let report = |progress| board.report(&export_id, crate::exports::events_progress(progress));
    let outcome = console
        .export_audit_bundle(&profile_id, &export, &report, &cancel)
        .await;
    exports.finish(&export_id);
    match &outcome {
        Ok(done) => tell(
            &app,
            "Audit bundle exported",
            &format!("{} to {}", count(done.events, "events"), done.path.display()),
        ),
        Err(error) => tell(&app, "Audit export stopped", &error.to_string()),
    }
    Ok(outcome?.into())
}

/// Opens and verifies a bundle for offline review; poll `export_progress` with `open_id` meanwhile.
#[tauri::command(rename_all = "snake_case")]
pub async fn open_audit_bundle(
    reviews: State<'_, OpenReviews>,
    exports: State<'_, RunningExports>,
    open_id: String,
    request: BundleOpenRequest,
) -> Reply<BundleReview> {
    let (board, cancel) = (exports.inner().clone(), exports.begin(&open_id));
    let id = open_id.clone();
    let progress = Arc::new(move |events| board.report(&id, crate::exports::read_progress(events)));
    let path = resolve_path(&request.path);
    let outcome = reviews
        .open(
            path,
            request.passphrase,
            request.pinned_public_key,
            progress,
            cancel,
        )
        .await;
    exports.finish(&open_id);
    Ok(outcome?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn review_page(reviews: State<'_, OpenReviews>, request: ReviewRequest) -> Reply<ReviewPage> {
    let ReviewRequest {
        review_id,
        filter,
        sort,
        offset,
        limit,
    } = request;
    Ok(reviews
        .with(&review_id, move |review| {
            review.page(&filter, sort, offset, limit)
        })
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn review_timeline(
    reviews: State<'_, OpenReviews>,
    review_id: String,
    filter: AuditFilter,
) -> Reply<Timeline> {
    Ok(reviews
        .with(&review_id, move |review| review.timeline(&filter))
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn review_summary(
    reviews: State<'_, OpenReviews>,
    review_id: String,
    filter: AuditFilter,
) -> Reply<AuditSummary> {
    Ok(reviews
        .with(&review_id, move |review| review.summary(&filter))
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn review_impersonations(
    reviews: State<'_, OpenReviews>,
    review_id: String,
) -> Reply<Vec<ImpersonationReview>> {
    Ok(reviews
        .with(&review_id, |review| Ok(review.impersonations()))
        .await?)
}

/// Writes the filtered view to CSV; returns the rows written.
#[tauri::command(rename_all = "snake_case")]
pub async fn review_csv(reviews: State<'_, OpenReviews>, request: ReviewCsvRequest) -> Reply<u64> {
    let path = resolve_path(&request.path);
    let ReviewCsvRequest {
        review_id,
        filter,
        sort,
        ..
    } = request;
    Ok(reviews
        .with(&review_id, move |review| review.write_csv(&filter, sort, &path))
        .await?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn close_review(reviews: State<'_, OpenReviews>, review_id: String) {
    reviews.close(&review_id)
}

/// The native Open dialog, for audit bundles; none when the user cancels.
#[tauri::command(rename_all = "snake_case")]
pub async fn pick_audit_bundle(app: tauri::AppHandle) -> Reply<Option<String>> {
    Ok(crate::bundle_files::pick(&app).await)
}

/// The native Save dialog for an export; none when the user cancels.
#[tauri::command(rename_all = "snake_case")]
pub async fn pick_save_path(
    app: tauri::AppHandle,
    title: String,
    suggested: String,
    extension: String,
) -> Reply<Option<String>> {
    Ok(crate::bundle_files::pick_save(&app, &title, &suggested, &extension).await)
}

/// One sampling round of the instance's health.
#[tauri::command(rename_all = "snake_case")]
pub async fn health_snapshot(
    console: State<'_, Console>,
    profile_id: String,
) -> Reply<fluxdesk_types::HealthSnapshot> {
    Ok(console.health_snapshot(&profile_id).await?)
}

/// Cancels a backend's query or ends its session.
#[tauri::command(rename_all = "snake_case")]
pub async fn stop_backend(
    console: State<'_, Console>,
    profile_id: String,
    pid: i32,
    started_us: i64,
    how: fluxdesk_types::BackendStop,
) -> Reply<bool> {
    Ok(console.stop_backend(&profile_id, pid, started_us, how).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reset_statement_stats(console: State<'_, Console>, profile_id: String) -> Reply<()> {
    Ok(console.reset_statement_stats(&profile_id).await?)
}

/// Saves a chart the window shows as SVG or PNG; returns where it went.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_chart(path: String, svg: String) -> Reply<String> {
    let path = resolve_path(&path);
    let shown = path.display().to_string();
    tauri::async_runtime::spawn_blocking(move || fluxdesk_core::chart_files::save_chart(&svg, &path))
        .await
        .map_err(|error| {
            ApiError::new(
                fluxdesk_types::ErrorCode::Internal,
                format!("Saving the chart stopped: {error}"),
            )
        })??;
    Ok(shown)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings(console: State<'_, Console>, profile_id: String) -> Reply<Vec<Setting>> {
    Ok(console.settings(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn preview_settings(
    console: State<'_, Console>,
    profile_id: String,
    edits: Vec<SettingEdit>,
) -> Reply<Vec<SettingDiff>> {
    Ok(console.preview_settings(&profile_id, &edits).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_settings(
    console: State<'_, Console>,
    profile_id: String,
    edits: Vec<SettingEdit>,
) -> Reply<SettingsSaved> {
    Ok(console.save_settings(&profile_id, &edits).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn realtime_tables(console: State<'_, Console>, profile_id: String) -> Reply<Vec<RealtimeTable>> {
    Ok(console.realtime_tables(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn enable_realtime(
    console: State<'_, Console>,
    profile_id: String,
    request: RealtimeRequest,
) -> Reply<RealtimeTable> {
    Ok(console.enable_realtime(&profile_id, &request).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disable_realtime(
    console: State<'_, Console>,
    profile_id: String,
    table: TableRef,
) -> Reply<RealtimeDisabled> {
    Ok(console.disable_realtime(&profile_id, &table).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn buckets(console: State<'_, Console>, profile_id: String) -> Reply<Vec<Bucket>> {
    Ok(console.buckets(&profile_id).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_bucket(
    console: State<'_, Console>,
    profile_id: String,
    edit: BucketEdit,
) -> Reply<Bucket> {
    Ok(console.update_bucket(&profile_id, &edit).await?)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn bucket_objects(
    console: State<'_, Console>,
    profile_id: String,
    request: ObjectListRequest,
) -> Reply<ObjectPage> {
    Ok(console.bucket_objects(&profile_id, &request).await?)
}
