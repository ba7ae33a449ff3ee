//! The audit viewer (connected) and the offline review of audit bundles.

use serde::{Deserialize, Serialize};

/// Step-up purpose for exporting the audit log.
pub const EXPORT_AUDIT_LOG: &str = "export the audit log";
/// Most entries one page of the viewer holds.
pub const AUDIT_PAGE_LIMIT: u32 = 500;
/// The file extension of audit bundles.
pub const BUNDLE_EXTENSION: &str = "fxaudit";

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditSource {
    /// Fluxdesk's hash-chained trail (`fluxdesk.audit_events`).
    Fluxdesk,
    /// Fluxbase's dashboard account log (`dashboard.activity_log`).
    ActivityLog,
    /// Fluxbase's impersonation sessions (`auth.impersonation_sessions`).
    Impersonation,
    /// Fluxbase's security events (`logging.entries`, category `security`).
    Security,
}

impl AuditSource {
    /// Every source, in display order.
    pub const ALL: [AuditSource; 4] = [
        AuditSource::Fluxdesk,
        AuditSource::ActivityLog,
        AuditSource::Impersonation,
        AuditSource::Security,
    ];

    /// A short label for the UI and the CLI.
    pub fn label(self) -> &'static str {
        match self {
            AuditSource::Fluxdesk => "Fluxdesk",
            AuditSource::ActivityLog => "Activity log",
            AuditSource::Impersonation => "Impersonation",
            AuditSource::Security => "Security log",
        }
    }
}

/// What to show. Every field narrows; empty ones do not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// From this instant (RFC 3339), inclusive.
    pub since: Option<String>,
    /// Up to this instant (RFC 3339), exclusive.
    pub until: Option<String>,
    /// Admin email or id, a case-insensitive fragment.
    pub admin: Option<String>,
    /// Action, a case-insensitive fragment (`user.` matches every user action).
    pub action: Option<String>,
    /// Target, a case-insensitive fragment.
    pub target: Option<String>,
    /// `success`, `failure` or `denied`, exactly.
    pub outcome: Option<String>,
    /// Only these sources; empty means all.
    pub sources: Vec<AuditSource>,
    /// Free text over action, admin, target and details.
    pub text: Option<String>,
}

/// One entry of the merged log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its source.
    pub source: AuditSource,
    /// Its id in that source (the sequence number for Fluxdesk events).
    pub id: String,
    /// Its position in the hash chain, for Fluxdesk events.
    pub seq: Option<i64>,
    /// When (RFC 3339, UTC).
    pub occurred_at: String,
    /// The admin who acted: email, else id.
    pub admin: Option<String>,
    /// What happened, e.g. `user.lock` or `login_failed`.
    pub action: String,
    /// To whom or what.
    pub target: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Everything else, as compact JSON.
    pub details: String,
}

/// A request for one page of the connected viewer, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogRequest {
    /// What to show.
    pub filter: AuditFilter,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, at most [`AUDIT_PAGE_LIMIT`].
    pub limit: u32,
}

/// One page of the connected viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogPage {
    /// Entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
    /// Sources this instance does not have or this connection cannot read, and why.
    pub unavailable: Vec<UnavailableSource>,
}

/// A source left out of the merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableSource {
    /// Which one.
    pub source: AuditSource,
    /// Why, for a person.
    pub reason: String,
}

/// Events over time, grouped by action: what the timeline chart draws.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// Width of one bucket.
    pub bucket_seconds: i64,
    /// Each bucket's start (RFC 3339).
    pub starts: Vec<String>,
    /// One series per action (the busiest ones; the rest as `other`).
    pub series: Vec<TimelineSeries>,
}

/// One action's counts per bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineSeries {
    /// The action, or `other`.
    pub action: String,
    /// Events per bucket, as many as `Timeline::starts`.
    pub counts: Vec<u64>,
}

/// How many events one admin or one action has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCount {
    /// The admin or the action.
    pub key: String,
    /// Events.
    pub events: u64,
    /// Of which failed or were denied.
    pub not_successful: u64,
    /// The first one (RFC 3339).
    pub first: String,
    /// The last one (RFC 3339).
    pub last: String,
}

/// Per-admin and per-action summaries of a filtered view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    /// Events matching the filter.
    pub events: u64,
    /// By admin, busiest first.
    pub by_admin: Vec<AuditCount>,
    /// By action, busiest first.
    pub by_action: Vec<AuditCount>,
}

/// An export of the audit chain to a bundle.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleExportRequest {
    /// The file to write (`.fxaudit`).
    pub path: String,
    /// From this instant (RFC 3339), inclusive; none for the beginning.
    pub since: Option<String>,
    /// Up to this instant (RFC 3339), exclusive; none for now.
    pub until: Option<String>,
    /// Encrypts the bundle with this passphrase when given.
    pub passphrase: Option<String>,
}

/// Progress of an export, sent as an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleExportProgress {
    /// Events written so far.
    pub events: u64,
    /// Events the range holds, as counted when the export began.
    pub total: u64,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleExported {
    /// Where it went.
    pub path: String,
    /// Events written.
    pub events: u64,
    /// File size.
    pub bytes: u64,
    /// The signer's public key (base64), for reviewers to pin.
    pub public_key: String,
}

/// Opening a bundle for offline review.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleOpenRequest {
    /// The file.
    pub path: String,
    /// Its passphrase, if it is encrypted.
    pub passphrase: Option<String>,
    /// The public key (base64) the reviewer expects; none trusts the bundle's own.
    pub pinned_public_key: Option<String>,
}

// The passphrase never reaches a log through Debug.
impl std::fmt::Debug for BundleExportRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleExportRequest")
            .field("path", &self.path)
            .field("since", &self.since)
            .field("until", &self.until)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl std::fmt::Debug for BundleOpenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleOpenRequest")
            .field("path", &self.path)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "<redacted>"))
            .field("pinned_public_key", &self.pinned_public_key)
            .finish()
    }
}

/// The verdict on a bundle, and what it says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleReview {
    /// Handle for the review's queries.
    pub review_id: String,
    /// The file.
    pub path: String,
    /// The instance's name as the exporter knew it.
    pub instance: String,
    /// host:port/database.
    pub address: String,
    /// PostgreSQL's system identifier, when the exporter could read it.
    pub system_identifier: Option<String>,
    /// `dashboard` or `platform`.
    pub layout: String,
    /// Who exported it.
    pub exported_by: Option<String>,
    /// When (RFC 3339).
    pub exported_at: String,
    /// The range asked for.
    pub since: Option<String>,
    /// The range asked for.
    pub until: Option<String>,
    /// The client that wrote it.
    pub client: String,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// The signer's public key (base64).
    pub signer_public_key: String,
    /// Whether the signer is the pinned key; none when nothing was pinned.
    pub key_pinned: Option<bool>,
    /// Whether the signature covers exactly these events.
    pub signature_valid: bool,
    /// Events read.
    pub events: u64,
    /// The first event that fails verification, if any.
    pub first_problem: Option<BundleProblem>,
    /// One line for a person: intact, or what is wrong.
    pub verdict: String,
}

impl BundleReview {
    /// Intact: signed by the expected key, with every event in place.
    pub fn is_intact(&self) -> bool {
        self.signature_valid && self.first_problem.is_none() && self.key_pinned != Some(false)
    }
}

/// Where verification first failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleProblem {
    /// The position (1-based) of the first bad event in the file.
    pub position: u64,
    /// What is wrong there.
    pub text: String,
}

/// How the offline review orders entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    /// Newest first.
    #[default]
    NewestFirst,
    /// Oldest first (chain order).
    OldestFirst,
    /// By action, then time.
    Action,
    /// By admin, then time.
    Admin,
    /// By outcome, then time.
    Outcome,
}

/// A page of an open bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRequest {
    /// The review.
    pub review_id: String,
    /// What to show.
    pub filter: AuditFilter,
    /// In which order.
    pub sort: ReviewSort,
    /// Entries to skip.
    pub offset: u64,
    /// Page size, at most [`AUDIT_PAGE_LIMIT`].
    pub limit: u32,
}

/// One page of an open bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// Entries matching the filter.
    pub matching: u64,
    /// The offset asked for.
    pub offset: u64,
}

/// One impersonation, as the bundle tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationReview {
    /// Fluxbase's session id.
    pub session_id: String,
    /// The admin who impersonated.
    pub admin: Option<String>,
    /// Whom: a user's email, `anon` or `service_role`.
    pub identity: String,
    /// `user`, `anon` or `service`.
    pub kind: String,
    /// The reason given.
    pub reason: Option<String>,
    /// When it began.
    pub started_at: Option<String>,
    /// When it ended, and why.
    pub ended: Option<String>,
    /// What ran under it, in order.
    pub statements: Vec<AuditEntry>,
}

/// Writing the filtered view of a review to CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCsvRequest {
    /// The review.
    pub review_id: String,
    /// What to write.
    pub filter: AuditFilter,
    /// In which order.
    pub sort: ReviewSort,
    /// The file.
    pub path: String,
}
