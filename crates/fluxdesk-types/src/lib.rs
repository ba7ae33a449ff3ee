//! The IPC contract between the Fluxdesk shell (`src-tauri`) and its UI (`src-ui`).
//!
//! Everything here is plain data with `serde` derives and nothing else, so the
//! same definitions compile for `wasm32-unknown-unknown` (the UI) and native
//! (the shell, the core and the CLI). Domain types in `fluxdesk-core` convert
//! into these at the boundary; these are never the domain model itself.
#![deny(missing_docs)]

pub mod admin;
pub mod app_users;
pub mod audit;
pub mod catalog;
pub mod desktop;
pub mod diagnosis;
pub mod editing;
pub mod error;
pub mod export;
pub mod impersonation;
pub mod instance;
pub mod instance_settings;
pub mod monitoring;
pub mod profile;
pub mod rows;
pub mod statement;

pub use admin::{
    AccessGate, AdminSession, AdminSummary, BackupCodes, ChainVerification, Credentials, FirstAdmin,
    Invitation, InvitationFilter, LockReason, PasswordReset, PasswordStrength, SchemaStatus, SessionKind,
    SessionPolicy, SessionSummary, SignInOutcome, TotpEnrolment,
};
pub use app_users::{
    AppUserDetail, AppUserSession, AppUserSummary, BULK_LIMIT, BulkAction, BulkOutcome, BulkPreview,
    BulkRequest, Cascade, CredentialKind, DELETE_APP_USERS, ELEVATED_ROLES, GRANT_ELEVATED_ROLE,
    ImpersonationRecord, InvitedUser, LOCK_APP_USERS, MatchCount, MetadataKind, OAuthLink,
    RESET_APP_USER_PASSWORD, REVOKE_APP_USER_SESSIONS, RoleInUse, SearchIndex, USER_PAGE_LIMIT,
    UserAuditEvent, UserCredential, UserFilters, UserInvite, UserListRequest, UserPage, UserPasswordReset,
    UserSort, is_elevated_role,
};
pub use audit::{
    AUDIT_PAGE_LIMIT, AuditCount, AuditEntry, AuditFilter, AuditLogPage, AuditLogRequest, AuditSource,
    AuditSummary, BUNDLE_EXTENSION, BundleExportProgress, BundleExportRequest, BundleExported,
    BundleOpenRequest, BundleProblem, BundleReview, EXPORT_AUDIT_LOG, ImpersonationReview, ReviewCsvRequest,
    ReviewPage, ReviewRequest, ReviewSort, Timeline, TimelineSeries, UnavailableSource,
};
pub use catalog::{RelationKind, SchemaSummary, TablePage, TableSummary};
pub use desktop::{
    AppAction, DemoInstance, Diagnostics, InstanceTab, MENU_ACTION_EVENT, MenuSection, ThemeChoice,
};
pub use diagnosis::{Diagnosis, InstanceHealth, Problem};
pub use editing::{CellValue, ChangeOutcome, ChangeSet, ColumnEditing, Conflict, EditorKind, RowChange};
pub use error::{ApiError, ErrorCode};
pub use export::{ExportFormat, ExportProgress, ExportRequest, ExportSource, ExportSummary};
pub use impersonation::{
    ActiveImpersonation, AppUserMatch, COMMIT_AS_IDENTITY, ImpersonationRequest, ImpersonationTarget,
    PolicySummary, RlsInsight, RowCount, START_IMPERSONATION, TableGrants,
};
pub use instance::{ConnectionInfo, FluxbaseLayout, LaunchState};
pub use instance_settings::{
    Bucket, BucketEdit, CHANGE_BUCKET, CHANGE_REALTIME, CHANGE_SETTINGS, DiffLine, DiffTag,
    OBJECT_PAGE_LIMIT, ObjectListRequest, ObjectPage, REALTIME_EVENTS, RealtimeDisabled, RealtimeRequest,
    RealtimeTable, Setting, SettingDiff, SettingEdit, SettingType, SettingsSaved, StorageObject,
};
pub use monitoring::{
    BackendActivity, BackendGroup, BackendStop, BucketUsage, DatabaseCounters, HealthSnapshot, PoolStatus,
    RESET_STATEMENTS, STOP_BACKEND, SchemaSize, ServerConnections, SessionCounts, StatementStat,
    StatementStats, StorageUsage, TableScans, TableSize,
};
pub use profile::{
    Environment, EnvironmentKind, ImportReport, PasswordState, PasswordStorage, Profile, ProfileDraft,
    ProfileEntry, ProfileExport, Protection, TlsMode,
};
pub use rows::{
    Arity, Cell, ColumnInfo, Condition, FilterOp, Join, KeysetCursor, LiveChange, LiveChanges, POSITION_END,
    RowDetail, RowFilter, RowOrder, RowPage, RowsRequest, SortKey, TableRef,
};
pub use statement::{PendingWrite, ResultSet, StatementOutcome, StatementResult, TableChange};
