//! The connected audit viewer and the console's bundle export, against the
//! real cluster: every source merged and labelled, filters, keyset pages,
//! the timeline, and an export that needs a step-up, is audited, and
//! verifies offline with this install's key.

use fluxdesk_core::audit_export::AuditExport;
use fluxdesk_core::audit_review::open_bundle;
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, CoreError, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, TestDatabase, fresh_database, fresh_platform_database};
use fluxdesk_types::{
    AuditEntry, AuditFilter, AuditLogRequest, AuditSource, BundleExportRequest, Credentials,
    EXPORT_AUDIT_LOG, Protection,
};
use std::collections::HashSet;
use tokio_util::sync::CancellationToken;

const ID: &str = "instance";

struct Desk {
    console: Console,
    database: TestDatabase,
    _folder: tempfile::TempDir,
}

async fn signed_in(database: TestDatabase, admin: (&str, &str)) -> Desk {
    let folder = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(folder.path().join("profiles.json"))),
        Keyring::new("Fluxdesk tests (audit log)"),
    );
    console.require_sign_in(true);
    let (mut profile, password) = profile_from_url(&database.url).unwrap();
    profile.id = ID.into();
    profile.protection = Protection::Open;
    console.add_transient(profile, password).unwrap();
    console.connect(ID, None).await.unwrap();
    console.install_schema(ID).await.unwrap();
    console
        .sign_in(
            ID,
            Credentials {
                email: admin.0.into(),
                password: admin.1.into(),
                code: None,
            },
        )
        .await
        .unwrap();
    Desk {
        console,
        database,
        _folder: folder,
    }
}

impl Desk {
    fn count(&self, sql: &str) -> usize {
        self.database.psql(sql).parse().unwrap()
    }

    async fn walk(&self, filter: AuditFilter, limit: u32) -> Vec<AuditEntry> {
        let mut entries = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .console
                .audit_log(
                    ID,
                    &AuditLogRequest {
                        filter: filter.clone(),
                        cursor,
                        limit,
                    },
                )
                .await
                .unwrap();
            assert!(page.entries.len() <= limit as usize);
            entries.extend(page.entries);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return entries,
            }
        }
    }
}

const DEMO_ADMIN: (&str, &str) = ("admin@fluxdesk.demo", "fluxdesk-demo-admin");

#[tokio::test]
async fn every_source_is_merged_labelled_and_paged_newest_first_without_gaps() {
    let desk = signed_in(fresh_database(Seed::Demo), DEMO_ADMIN).await;
    // A timestamp shared across sources, to test the tie-break.
    desk.database.psql(
        "INSERT INTO logging.entries (\"timestamp\", category, level, message, component, fields) \
         SELECT t, 'security', 'info', 'Security event: login_success', 'security', '{\"security_event\": \"login_success\"}' \
         FROM (SELECT created_at AS t FROM dashboard.activity_log ORDER BY created_at DESC LIMIT 1) a, generate_series(1, 3)",
    );
    let expected = [
        (
            AuditSource::Fluxdesk,
            desk.count("SELECT count(*) FROM fluxdesk.audit_events"),
        ),
        (
            AuditSource::ActivityLog,
            desk.count("SELECT count(*) FROM dashboard.activity_log"),
        ),
        (
            AuditSource::Impersonation,
            desk.count("SELECT count(*) FROM auth.impersonation_sessions"),
        ),
        (
            AuditSource::Security,
            desk.count("SELECT count(*) FROM logging.entries WHERE category = 'security'"),
        ),
    ];
    assert!(expected.iter().all(|(_, count)| *count > 0), "{expected:?}");
    let entries = desk.walk(AuditFilter::default(), 37).await;
    for (source, count) in expected {
        assert_eq!(
            entries.iter().filter(|entry| entry.source == source).count(),
            count,
            "{source:?}"
        );
    }
    let distinct: HashSet<(AuditSource, &str)> = entries
        .iter()
        .map(|entry| (entry.source, entry.id.as_str()))
        .collect();
    assert_eq!(distinct.len(), entries.len(), "no entry twice");
    assert!(
        entries
            .windows(2)
            .all(|pair| pair[0].occurred_at >= pair[1].occurred_at),
        "newest first"
    );
    let sign_in = entries
        .iter()
        .find(|entry| entry.source == AuditSource::Fluxdesk && entry.action == "admin.sign_in")
        .expect("the sign-in is in the chain");
    assert_eq!(sign_in.admin.as_deref(), Some(DEMO_ADMIN.0));
    assert!(sign_in.seq.is_some());
    let session = entries
        .iter()
        .find(|entry| {
            entry.source == AuditSource::Impersonation && entry.target.as_deref() == Some("bob@example.com")
        })
        .expect("the impersonation of bob, by email");
    assert!(session.details.contains("Ticket #1841"), "{}", session.details);
    assert_eq!(session.admin.as_deref(), Some(DEMO_ADMIN.0));

    // One source alone pages to its end, even when the others have nothing.
    let security = desk
        .walk(
            AuditFilter {
                sources: vec![AuditSource::Security],
                ..AuditFilter::default()
            },
            50,
        )
        .await;
    assert_eq!(
        security.len(),
        desk.count("SELECT count(*) FROM logging.entries WHERE category = 'security'")
    );

    // Filters narrow, on the server.
    let failures = desk
        .walk(
            AuditFilter {
                sources: vec![AuditSource::Security],
                outcome: Some("failure".into()),
                ..AuditFilter::default()
            },
            500,
        )
        .await;
    assert_eq!(
        failures.len(),
        desk.count("SELECT count(*) FROM logging.entries WHERE category = 'security' AND level = 'warn'")
    );
    assert!(
        failures
            .iter()
            .all(|entry| entry.source == AuditSource::Security && entry.outcome == "failure")
    );
    let logins = desk
        .walk(
            AuditFilter {
                action: Some("LOGIN".into()),
                sources: vec![AuditSource::ActivityLog],
                ..AuditFilter::default()
            },
            500,
        )
        .await;
    assert_eq!(
        logins.len(),
        desk.count("SELECT count(*) FROM dashboard.activity_log WHERE action = 'login'")
    );
    let about_alice = desk
        .walk(
            AuditFilter {
                text: Some("alice@example.com".into()),
                ..AuditFilter::default()
            },
            500,
        )
        .await;
    assert!(!about_alice.is_empty());
    assert!(
        about_alice
            .iter()
            .all(|entry| format!("{entry:?}").contains("alice@example.com"))
    );
    let wildcard = desk
        .walk(
            AuditFilter {
                text: Some("100%_".into()),
                ..AuditFilter::default()
            },
            500,
        )
        .await;
    assert!(wildcard.is_empty(), "% and _ are literal");
    let bad = desk
        .console
        .audit_log(
            ID,
            &AuditLogRequest {
                filter: AuditFilter {
                    since: Some("last tuesday".into()),
                    ..AuditFilter::default()
                },
                cursor: None,
                limit: 10,
            },
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("is not a time"), "{bad}");

    // The timeline counts what the list shows.
    let timeline = desk
        .console
        .audit_timeline(ID, &AuditFilter::default())
        .await
        .unwrap();
    let charted: u64 = timeline
        .series
        .iter()
        .flat_map(|series| series.counts.iter())
        .sum();
    assert_eq!(charted as usize, entries.len());
}

#[tokio::test]
async fn the_platform_layout_reads_its_own_activity_log() {
    let desk = signed_in(fresh_platform_database(), DEMO_ADMIN).await;
    let entries = desk.walk(AuditFilter::default(), 500).await;
    assert_eq!(
        entries
            .iter()
            .filter(|entry| entry.source == AuditSource::ActivityLog)
            .count(),
        desk.count("SELECT count(*) FROM platform.activity_log")
    );
}

#[tokio::test]
async fn exporting_needs_a_step_up_is_audited_and_verifies_with_this_installs_key() {
    let desk = signed_in(fresh_database(Seed::Demo), DEMO_ADMIN).await;
    let path = desk._folder.path().join("instance.fxaudit");
    let request = AuditExport::from_request(&BundleExportRequest {
        path: path.display().to_string(),
        since: None,
        until: None,
        passphrase: Some("reviewers only".into()),
    })
    .unwrap();
    let cancel = CancellationToken::new();
    // Signing in just now counts as a step-up for one action.
    let first = desk
        .console
        .export_audit_bundle(
            ID,
            &AuditExport {
                path: desk._folder.path().join("first.fxaudit"),
                passphrase: None,
                ..request.clone()
            },
            &|_| {},
            &cancel,
        )
        .await
        .unwrap();
    let refused = desk
        .console
        .export_audit_bundle(ID, &request, &|_| {}, &cancel)
        .await
        .unwrap_err();
    assert!(matches!(refused, CoreError::StepUpRequired(_)), "{refused}");
    assert!(!path.exists());

    desk.console
        .step_up(ID, DEMO_ADMIN.1, EXPORT_AUDIT_LOG)
        .await
        .unwrap();
    let before = desk.count("SELECT count(*) FROM fluxdesk.audit_events");
    let exported = desk
        .console
        .export_audit_bundle(ID, &request, &|_| {}, &cancel)
        .await
        .unwrap();
    assert_eq!(exported.events as usize, before);
    assert_eq!(
        desk.database.psql(
            "SELECT action || ' ' || outcome || ' ' || (details->'result'->>'events') FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 1"
        ),
        format!("audit.export success {before}")
    );
    // The step-up is spent.
    assert!(matches!(
        desk.console
            .export_audit_bundle(ID, &request, &|_| {}, &cancel)
            .await,
        Err(CoreError::StepUpRequired(_))
    ));

    let bundle = open_bundle(
        &path,
        Some("reviewers only"),
        Some(&exported.public_key),
        "r".into(),
        &|_| {},
        &CancellationToken::new(),
    )
    .unwrap();
    assert!(bundle.review.is_intact(), "{}", bundle.review.verdict);
    assert_eq!(bundle.review.events as usize, before);
    assert_eq!(bundle.review.exported_by.as_deref(), Some(DEMO_ADMIN.0));
    // The key is this install's: a second export signs with the same one.
    desk.console
        .step_up(ID, DEMO_ADMIN.1, EXPORT_AUDIT_LOG)
        .await
        .unwrap();
    let again = desk
        .console
        .export_audit_bundle(
            ID,
            &AuditExport {
                path: desk._folder.path().join("again.fxaudit"),
                passphrase: None,
                ..request.clone()
            },
            &|_| {},
            &cancel,
        )
        .await
        .unwrap();
    assert_eq!(again.public_key, exported.public_key);
    assert_eq!(first.public_key, exported.public_key);

    let short = AuditExport::from_request(&BundleExportRequest {
        path: "x.fxaudit".into(),
        since: None,
        until: None,
        passphrase: Some("short".into()),
    })
    .unwrap_err();
    assert!(short.to_string().contains("at least 8"), "{short}");
}
