//! Exporting the audit chain to a bundle and verifying it offline, against
//! the real cluster: the file appears only when complete, and verifies.

use fluxdesk_core::audit_bundle::{BundleReader, InstanceIdentity, new_signing_key, public_key_text, verify};
use fluxdesk_core::audit_export::{AuditExport, export_bundle};
use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, Keyring, ProfileFile};
use fluxdesk_sandbox::{Seed, fresh_database};
use fluxdesk_types::{Credentials, Protection};
use sqlx::postgres::PgPool;
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn the_chain_exports_to_a_bundle_that_verifies_offline_plain_and_encrypted() {
    let database = fresh_database(Seed::Demo);
    let folder = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(folder.path().join("profiles.json"))),
        Keyring::new("Fluxdesk tests (audit export)"),
    );
    console.require_sign_in(true);
    let (mut profile, password) = profile_from_url(&database.url).unwrap();
    profile.id = "instance".into();
    profile.protection = Protection::Open;
    console.add_transient(profile, password).unwrap();
    console.connect("instance", None).await.unwrap();
    console.install_schema("instance").await.unwrap();
    for _ in 0..3 {
        console
            .sign_in(
                "instance",
                Credentials {
                    email: "admin@fluxdesk.demo".into(),
                    password: "fluxdesk-demo-admin".into(),
                    code: None,
                },
            )
            .await
            .unwrap();
    }
    let in_chain: u64 = database
        .psql("SELECT count(*) FROM fluxdesk.audit_events")
        .parse()
        .unwrap();
    assert!(in_chain >= 3);
    let pool = PgPool::connect(&database.url).await.unwrap();
    let key = new_signing_key();
    for passphrase in [None, Some("a long passphrase for the reviewer")] {
        let path = folder
            .path()
            .join(format!("chain-{}.fxaudit", passphrase.is_some()));
        let seen = Mutex::new(Vec::new());
        let summary = export_bundle(
            &pool,
            InstanceIdentity {
                name: "demo".into(),
                address: "localhost/demo".into(),
                system_identifier: None,
                layout: "dashboard".into(),
            },
            Some("admin@fluxdesk.demo".into()),
            key.clone(),
            &AuditExport {
                path: path.clone(),
                since: None,
                until: None,
                passphrase: passphrase.map(str::to_owned),
            },
            &|progress| seen.lock().unwrap().push(progress),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
        assert_eq!(summary.events, in_chain);
        assert!(
            !folder
                .path()
                .join(format!("chain-{}.fxaudit.partial", passphrase.is_some()))
                .exists()
        );
        assert_eq!(seen.lock().unwrap().last().unwrap().events, in_chain);
        let reader = BundleReader::open(std::fs::File::open(&path).unwrap(), passphrase).unwrap();
        let verification = verify(reader, &[public_key_text(&key)]).unwrap();
        assert!(verification.is_intact(), "{verification:?}");
        assert_eq!(verification.events, in_chain);
    }
    // A cancelled export leaves no file at all.
    let cancel = CancellationToken::new();
    cancel.cancel();
    let path = folder.path().join("cancelled.fxaudit");
    let error = export_bundle(
        &pool,
        InstanceIdentity {
            name: "demo".into(),
            address: "localhost/demo".into(),
            system_identifier: None,
            layout: "dashboard".into(),
        },
        None,
        key,
        &AuditExport {
            path: path.clone(),
            since: None,
            until: None,
            passphrase: None,
        },
        &|_| {},
        &cancel,
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("cancelled"), "{error}");
    assert!(!path.exists() && !folder.path().join("cancelled.fxaudit.partial").exists());
}
