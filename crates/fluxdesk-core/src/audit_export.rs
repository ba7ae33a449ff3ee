//! Exporting the audit chain of an instance to a bundle file: streamed from
//! the database to `<file>.partial` with flat memory, progress and cancel,
//! renamed only when complete.

use crate::audit::{STORED_COLUMNS, StoredEvent, chained};
use crate::audit_bundle::{BundleHeader, BundleWriter, ExportParameters, InstanceIdentity, new_encryption};
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use futures_util::TryStreamExt;
use sqlx::postgres::PgPool;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// What to export.
#[derive(Clone)]
pub struct AuditExport {
    /// The file to write.
    pub path: PathBuf,
    /// From this time, or the start.
    pub since: Option<DateTime<Utc>>,
    /// Until this time (exclusive), or the end.
    pub until: Option<DateTime<Utc>>,
    /// Encrypt with this passphrase.
    pub passphrase: Option<String>,
}

// The passphrase never reaches a log through Debug.
impl std::fmt::Debug for AuditExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditExport")
            .field("path", &self.path)
            .field("since", &self.since)
            .field("until", &self.until)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl AuditExport {
    /// The export an IPC or CLI request asks for; relative paths are the caller's to resolve.
    pub fn from_request(request: &fluxdesk_types::BundleExportRequest) -> CoreResult<Self> {
        let instant = |text: &Option<String>, what: &str| -> CoreResult<Option<DateTime<Utc>>> {
            match text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
                None => Ok(None),
                Some(text) => crate::audit_review::parse_instant(text).map(Some).ok_or_else(|| {
                    CoreError::InvalidInput(format!(
                        "\"{text}\" is not a time for {what}: use a date such as 2026-11-24 or 2026-11-24T09:30:00Z."
                    ))
                }),
            }
        };
        let path = PathBuf::from(request.path.trim());
        if request.path.trim().is_empty() {
            return Err(CoreError::InvalidInput("Choose a file to export to.".into()));
        }
        let passphrase = request.passphrase.clone().filter(|text| !text.is_empty());
        if passphrase.as_ref().is_some_and(|text| text.chars().count() < 8) {
            return Err(CoreError::InvalidInput(
                "The passphrase is too short: use at least 8 characters.".into(),
            ));
        }
        Ok(AuditExport {
            path,
            since: instant(&request.since, "the start")?,
            until: instant(&request.until, "the end")?,
            passphrase,
        })
    }
}

/// Progress of a running export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditExportProgress {
    /// Events written.
    pub events: u64,
    /// Events to write, counted before starting.
    pub total: u64,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditExportSummary {
    /// The file.
    pub path: PathBuf,
    /// Events written.
    pub events: u64,
    /// File size.
    pub bytes: u64,
    /// The signer's public key, base64.
    pub public_key: String,
}

/// Where a file is written until it is complete.
pub(crate) fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|name| name.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Streams the chosen events into a signed bundle at `request.path`.
pub async fn export_bundle(
    pool: &PgPool,
    instance: InstanceIdentity,
    exported_by: Option<String>,
    signing_key: SigningKey,
    request: &AuditExport,
    progress: &(dyn Fn(AuditExportProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> CoreResult<AuditExportSummary> {
    let header = BundleHeader {
        format: crate::audit_bundle::FORMAT.into(),
        version: crate::audit_bundle::VERSION,
        client: format!("fluxdesk {}", env!("CARGO_PKG_VERSION")),
        instance,
        export: ExportParameters {
            since: request.since.map(crate::clock::rfc3339),
            until: request.until.map(crate::clock::rfc3339),
            exported_by,
            exported_at: crate::clock::rfc3339(Utc::now()),
        },
        signer_public_key: crate::audit_bundle::public_key_text(&signing_key),
        encryption: request.passphrase.as_ref().map(|_| new_encryption()),
    };
    let partial = partial_path(&request.path);
    let outcome = write_bundle(pool, header, signing_key, request, &partial, progress, cancel).await;
    match outcome {
        Ok((events, public_key)) => {
            std::fs::rename(&partial, &request.path)
                .map_err(|error| CoreError::io("Cannot put the finished bundle in place", error))?;
            let bytes = std::fs::metadata(&request.path)
                .map(|meta| meta.len())
                .unwrap_or(0);
            Ok(AuditExportSummary {
                path: request.path.clone(),
                events,
                bytes,
                public_key,
            })
        }
        Err(error) => {
            // Nothing half-written stays behind, whatever went wrong.
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

async fn write_bundle(
    pool: &PgPool,
    header: BundleHeader,
    signing_key: SigningKey,
    request: &AuditExport,
    partial: &Path,
    progress: &(dyn Fn(AuditExportProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> CoreResult<(u64, String)> {
    let public_key = header.signer_public_key.clone();
    // A time range becomes an unbroken run of the chain: from the first event
    // at or after `since` to the last before the first at or after `until`.
    // Times come from each client's clock, so filtering on them could leave
    // gaps in `seq` that would read as removed events.
    let range = "seq >= coalesce((SELECT min(seq) FROM fluxdesk.audit_events WHERE $1::timestamptz IS NOT NULL AND occurred_at >= $1), 1) \
         AND seq < coalesce((SELECT min(seq) FROM fluxdesk.audit_events WHERE $2::timestamptz IS NOT NULL AND occurred_at >= $2), 9223372036854775807) \
         AND ($1::timestamptz IS NULL OR EXISTS (SELECT 1 FROM fluxdesk.audit_events WHERE occurred_at >= $1))";
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM fluxdesk.audit_events WHERE {range}"
    ))
    .bind(request.since)
    .bind(request.until)
    .fetch_one(pool)
    .await?;
    let file = std::fs::File::create(partial)
        .map_err(|error| CoreError::io("Cannot create the bundle file", error))?;
    let passphrase = request.passphrase.clone();
    // The key derivation takes a moment of CPU: keep it off the async threads.
    let mut writer = tokio::task::spawn_blocking(move || {
        BundleWriter::start(
            BufWriter::with_capacity(256 * 1024, file),
            &header,
            signing_key,
            passphrase.as_deref(),
        )
    })
    .await
    .map_err(|error| CoreError::InvalidInput(format!("The export stopped: {error}.")))??;
    let select = format!("SELECT {STORED_COLUMNS} FROM fluxdesk.audit_events WHERE {range} ORDER BY seq");
    let mut rows = sqlx::query_as::<_, StoredEvent>(&select)
        .bind(request.since)
        .bind(request.until)
        .fetch(pool);
    let mut reported = Instant::now();
    let total = total.max(0) as u64;
    progress(AuditExportProgress { events: 0, total });
    while let Some(row) = rows.try_next().await? {
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled(
                "The export was cancelled; no file was written.".into(),
            ));
        }
        writer.push(&chained(row))?;
        if reported.elapsed() >= PROGRESS_EVERY {
            reported = Instant::now();
            progress(AuditExportProgress {
                events: writer.count(),
                total,
            });
        }
    }
    let events = writer.count();
    writer.finish()?;
    progress(AuditExportProgress { events, total });
    Ok((events, public_key))
}

impl From<AuditExportSummary> for fluxdesk_types::BundleExported {
    fn from(summary: AuditExportSummary) -> Self {
        fluxdesk_types::BundleExported {
            path: summary.path.display().to_string(),
            events: summary.events,
            bytes: summary.bytes,
            public_key: summary.public_key,
        }
    }
}
