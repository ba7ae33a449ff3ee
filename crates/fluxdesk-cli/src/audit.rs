//! `audit ...`: the merged audit log, signed bundles, and their offline review.

use crate::admin::{PASSWORD_ENV, act_as_admin};
use crate::cancel_on_ctrl_c;
use crate::output;
use clap::{Args, Subcommand, ValueEnum};
use fluxdesk_core::audit_export::{AuditExport, AuditExportProgress};
use fluxdesk_core::audit_log::parse_source;
use fluxdesk_core::audit_review::open_bundle;
use fluxdesk_core::{Console, CoreError};
use fluxdesk_types::{
    AuditEntry, AuditFilter, AuditLogRequest, BundleExportRequest, BundleReview, EXPORT_AUDIT_LOG, ReviewSort,
};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

/// Where a bundle's passphrase comes from when no terminal can ask.
pub const PASSPHRASE_ENV: &str = "FLUXDESK_BUNDLE_PASSPHRASE";
/// Exit status of `audit verify` for a bundle that is not intact.
pub const NOT_INTACT: u8 = 8;

#[derive(Subcommand)]
pub enum AuditVerb {
    /// The merged log of an instance, newest first: Fluxdesk's chain,
    /// dashboard.activity_log, auth.impersonation_sessions and the security
    /// events of logging.entries. Needs a signed-in admin.
    List(ListArgs),
    /// Export Fluxdesk's hash-chained events (a time range, or all) to a
    /// signed .fxaudit bundle, streamed with flat memory. Needs a step-up:
    /// --totp CODE, or FLUXDESK_ADMIN_PASSWORD when the admin has no 2FA
    /// (not needed when the same command signed in). The export is audited.
    Export(ExportArgs),
    /// Verify a bundle offline: every event's hash and link, the count, the
    /// signature, and the signer against --public-key. Exits 8 when it is
    /// not intact, naming the first bad position.
    Verify(VerifyArgs),
    /// Browse a bundle offline: filter, search, sort; summaries by admin and
    /// action; impersonations with their statements; CSV of the view.
    Show(ShowArgs),
}

/// Filters shared by `list` and `show`.
#[derive(Args)]
pub struct FilterArgs {
    /// From this time (RFC 3339, or a date such as 2026-11-24), inclusive.
    #[arg(long)]
    since: Option<String>,
    /// Until this time, exclusive.
    #[arg(long)]
    until: Option<String>,
    /// Admin email or id contains this (case-insensitive).
    #[arg(long)]
    admin: Option<String>,
    /// Action contains this, e.g. `user.` or `sign_in`.
    #[arg(long)]
    action: Option<String>,
    /// Target contains this.
    #[arg(long)]
    target: Option<String>,
    /// success, failure or denied.
    #[arg(long)]
    outcome: Option<String>,
    /// Free text in action, admin, target or details.
    #[arg(long)]
    search: Option<String>,
}

impl FilterArgs {
    fn filter(&self, sources: Vec<fluxdesk_types::AuditSource>) -> AuditFilter {
        AuditFilter {
            since: self.since.clone(),
            until: self.until.clone(),
            admin: self.admin.clone(),
            action: self.action.clone(),
            target: self.target.clone(),
            outcome: self.outcome.clone(),
            sources,
            text: self.search.clone(),
        }
    }
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Only these sources: fluxdesk, activity_log, impersonation, security (repeatable).
    #[arg(long)]
    source: Vec<String>,
    /// Entries per page, 1 to 500.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Continue after this position: the "next" value of the previous page.
    #[arg(long, allow_hyphen_values = true)]
    after: Option<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The bundle to write (.fxaudit); it appears only when complete.
    #[arg(long)]
    out: PathBuf,
    /// From this time, inclusive (default: the first event).
    #[arg(long)]
    since: Option<String>,
    /// Until this time, exclusive (default: now).
    #[arg(long)]
    until: Option<String>,
    /// Encrypt with a passphrase (from FLUXDESK_BUNDLE_PASSPHRASE, or asked twice).
    #[arg(long)]
    encrypt: bool,
    /// Step-up code.
    #[arg(long)]
    totp: Option<String>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The bundle.
    file: PathBuf,
    /// The signer's public key (base64) you trust; a bundle signed by any other fails.
    #[arg(long)]
    public_key: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SortArg {
    Newest,
    Oldest,
    Action,
    Admin,
    Outcome,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The bundle.
    file: PathBuf,
    /// The signer's public key (base64) you trust.
    #[arg(long)]
    public_key: Option<String>,
    #[command(flatten)]
    filter: FilterArgs,
    /// Order of the events.
    #[arg(long, value_enum, default_value = "newest")]
    sort: SortArg,
    /// Events to print, 1 to 500.
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Events to skip first.
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Also print counts by admin and by action.
    #[arg(long)]
    summary: bool,
    /// Also print the impersonations, with their reasons and statements.
    #[arg(long)]
    impersonations: bool,
    /// Write every event of the filtered view to this CSV file.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// Verbs that need an instance.
pub async fn connected(console: &Console, id: &str, verb: &AuditVerb, json: bool) -> Result<(), CoreError> {
    let one_shot = act_as_admin(console, id).await?;
    let result = match verb {
        AuditVerb::List(args) => list(console, id, args, json).await,
        AuditVerb::Export(args) => export(console, id, args, json).await,
        AuditVerb::Verify(_) | AuditVerb::Show(_) => unreachable!("offline verbs need no instance"),
    };
    if one_shot {
        let _ = console.sign_out(id).await;
    }
    result
}

/// Whether `verb` works without an instance.
pub fn is_offline(verb: &AuditVerb) -> bool {
    matches!(verb, AuditVerb::Verify(_) | AuditVerb::Show(_))
}

fn entries_table(entries: &[AuditEntry], with_source: bool) -> String {
    let mut header = vec!["when (UTC)"];
    if with_source {
        header.push("source");
    }
    header.extend(["#", "admin", "action", "target", "outcome"]);
    let mut table = output::text_table(header);
    for entry in entries {
        let mut row = vec![
            entry
                .occurred_at
                .get(..19)
                .unwrap_or(&entry.occurred_at)
                .replace('T', " "),
        ];
        if with_source {
            row.push(entry.source.label().to_owned());
        }
        row.extend([
            entry.seq.map(|seq| seq.to_string()).unwrap_or_default(),
            entry.admin.clone().unwrap_or_default(),
            entry.action.clone(),
            entry.target.clone().unwrap_or_default(),
            entry.outcome.clone(),
        ]);
        table.add_row(row);
    }
    table.to_string()
}

async fn list(console: &Console, id: &str, args: &ListArgs, json: bool) -> Result<(), CoreError> {
    let sources = args
        .source
        .iter()
        .map(|name| parse_source(name))
        .collect::<Result<Vec<_>, _>>()?;
    let request = AuditLogRequest {
        filter: args.filter.filter(sources),
        cursor: args.after.clone(),
        limit: args.limit,
    };
    let page = console.audit_log(id, &request).await?;
    if json {
        return output::emit_json_value(&serde_json::to_value(&page).expect("audit pages serialize"));
    }
    let mut text = entries_table(&page.entries, true);
    for missing in &page.unavailable {
        text.push_str(&format!(
            "\n{} left out: {}",
            missing.source.label(),
            missing.reason
        ));
    }
    if let Some(next) = &page.next_cursor {
        text.push_str(&format!("\nMore: --after '{}'", next.replace('\'', "'\\''")));
    }
    output::emit_line(&text)
}

fn passphrase_for(question: &str, twice: bool) -> Result<String, CoreError> {
    if let Ok(passphrase) = std::env::var(PASSPHRASE_ENV) {
        return Ok(passphrase);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CoreError::InvalidInput(format!(
            "A passphrase is needed and there is no terminal to ask on: set {PASSPHRASE_ENV}."
        )));
    }
    let first = rpassword::prompt_password(question)
        .map_err(|error| CoreError::io("Cannot read the passphrase", error))?;
    if twice {
        let again = rpassword::prompt_password("Again: ")
            .map_err(|error| CoreError::io("Cannot read the passphrase", error))?;
        if again != first {
            return Err(CoreError::InvalidInput("The two passphrases differ.".into()));
        }
    }
    Ok(first)
}

async fn export(console: &Console, id: &str, args: &ExportArgs, json: bool) -> Result<(), CoreError> {
    let request = AuditExport::from_request(&BundleExportRequest {
        path: args.out.display().to_string(),
        since: args.since.clone(),
        until: args.until.clone(),
        passphrase: if args.encrypt {
            Some(passphrase_for("Bundle passphrase: ", true)?)
        } else {
            None
        },
    })?;
    // Signed in by this very command: that counts as the step-up.
    if args.totp.is_some() || !console.has_step_up(id, EXPORT_AUDIT_LOG) {
        let secret = match &args.totp {
            Some(code) => code.clone(),
            None => std::env::var(PASSWORD_ENV).map_err(|_| {
                CoreError::StepUpRequired(format!(
                    "Confirm before you {EXPORT_AUDIT_LOG} with --totp CODE (or {PASSWORD_ENV} when the admin has no 2FA)."
                ))
            })?,
        };
        console.step_up(id, &secret, EXPORT_AUDIT_LOG).await?;
    }
    let (cancel, interrupt) = cancel_on_ctrl_c();
    let terminal = std::io::stderr().is_terminal();
    let progress = move |step: AuditExportProgress| {
        if terminal {
            eprint!("\r{} of {} events   ", step.events, step.total);
        }
    };
    let outcome = console
        .export_audit_bundle(id, &request, &progress, &cancel)
        .await;
    interrupt.abort();
    if terminal {
        eprintln!();
    }
    let exported = fluxdesk_types::BundleExported::from(outcome?);
    output::done(
        serde_json::to_value(&exported).expect("exports serialize"),
        &format!(
            "Wrote {} events ({} bytes) to {}.\nSigner's public key (for reviewers to pin): {}",
            exported.events, exported.bytes, exported.path, exported.public_key
        ),
        json,
    )
}

/// `audit verify` and `audit show`: no instance, no keyring, no network.
pub fn offline(verb: &AuditVerb, json: bool) -> Result<u8, CoreError> {
    match verb {
        AuditVerb::Verify(args) => {
            let review = open(&args.file, args.public_key.as_deref())?.review.clone();
            if json {
                output::emit_json_value(&serde_json::to_value(&review).expect("reviews serialize"))?;
            } else {
                output::emit_line(&review.verdict)?;
            }
            Ok(if review.is_intact() { 0 } else { NOT_INTACT })
        }
        AuditVerb::Show(args) => show(args, json).map(|()| 0),
        _ => unreachable!("only offline verbs come here"),
    }
}

fn open(
    file: &Path,
    public_key: Option<&str>,
) -> Result<fluxdesk_core::audit_review::BundleUnderReview, CoreError> {
    let cancel = CancellationToken::new();
    let progress = |_| {};
    match open_bundle(file, None, public_key, "cli".into(), &progress, &cancel) {
        Err(CoreError::InvalidInput(message)) if message.contains("encrypted") => {
            let passphrase = passphrase_for("Bundle passphrase: ", false)?;
            open_bundle(
                file,
                Some(&passphrase),
                public_key,
                "cli".into(),
                &progress,
                &cancel,
            )
        }
        other => other,
    }
}

fn show(args: &ShowArgs, json: bool) -> Result<(), CoreError> {
    let bundle = open(&args.file, args.public_key.as_deref())?;
    let review: &BundleReview = &bundle.review;
    if !review.is_intact() {
        eprintln!("{}", review.verdict);
    }
    let filter = args.filter.filter(Vec::new());
    let sort = match args.sort {
        SortArg::Newest => ReviewSort::NewestFirst,
        SortArg::Oldest => ReviewSort::OldestFirst,
        SortArg::Action => ReviewSort::Action,
        SortArg::Admin => ReviewSort::Admin,
        SortArg::Outcome => ReviewSort::Outcome,
    };
    let page = bundle.page(&filter, sort, args.offset, args.limit)?;
    let summary = args.summary.then(|| bundle.summary(&filter)).transpose()?;
    let impersonations = args.impersonations.then(|| bundle.impersonations());
    let csv_rows = match &args.csv {
        Some(path) => Some(bundle.write_csv(&filter, sort, path)?),
        None => None,
    };
    if json {
        return output::emit_json_value(&json!({
            "bundle": review,
            "matching": page.matching,
            "events": page.entries,
            "summary": summary,
            "impersonations": impersonations,
            "csv_rows": csv_rows,
        }));
    }
    let mut text = format!("{}\n{} matching events\n", review.verdict, page.matching);
    text.push_str(&entries_table(&page.entries, false));
    if let Some(summary) = &summary {
        for (what, counts) in [("admin", &summary.by_admin), ("action", &summary.by_action)] {
            let mut table = output::text_table(vec![what, "events", "not successful", "first", "last"]);
            for count in counts {
                table.add_row(vec![
                    count.key.clone(),
                    count.events.to_string(),
                    count.not_successful.to_string(),
                    count.first.clone(),
                    count.last.clone(),
                ]);
            }
            text.push_str(&format!("\n\nBy {what}:\n{table}"));
        }
    }
    if let Some(sessions) = &impersonations {
        text.push_str(&format!("\n\nImpersonations: {}", sessions.len()));
        for session in sessions {
            text.push_str(&format!(
                "\n{} as {} ({}) from {}: \"{}\"; ended {}; {} statements",
                session.admin.as_deref().unwrap_or("?"),
                session.identity,
                session.kind,
                session.started_at.as_deref().unwrap_or("?"),
                session.reason.as_deref().unwrap_or(""),
                session.ended.as_deref().unwrap_or("(not in this bundle)"),
                session.statements.len()
            ));
            for statement in &session.statements {
                text.push_str(&format!(
                    "\n    {} {} {} {}",
                    statement.occurred_at, statement.action, statement.outcome, statement.details
                ));
            }
        }
    }
    if let (Some(rows), Some(path)) = (csv_rows, &args.csv) {
        text.push_str(&format!("\n\nWrote {rows} events to {}.", path.display()));
    }
    output::emit_line(&text)
}
