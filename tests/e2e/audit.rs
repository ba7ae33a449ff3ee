//! The audit log end to end, in the real window: the Audit tab merges and
//! labels every source, shows the chain's status and the timeline, and
//! exports an encrypted, signed bundle after a step-up. Then the cluster is
//! stopped, and a fresh window opened on the bundle from the command line
//! (as the OS opens a file with the app) asks for the passphrase, verifies
//! it against the pinned key, filters it and charts it, with no database.

use e2e_support::{
    DEMO_ADMIN, Driver, click, element, eventually, save_screenshot, set_input, sign_in, text_of,
};
use fantoccini::{Client, Locator};
use fluxdesk_sandbox::schema::ensure_template;
use fluxdesk_sandbox::{Cluster, Seed};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);
const PASSPHRASE: &str = "for the auditors only";

async fn text(client: &Client, css: &str) -> String {
    text_of(client, css, PATIENCE).await
}

async fn attribute(client: &Client, css: &str, name: &str) -> String {
    eventually(css, PATIENCE, || async {
        client.find(Locator::Css(css)).await.ok()?.attr(name).await.ok()?
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_a_signed_bundle_then_review_it_offline_with_no_database() {
    // A cluster of this test's own, so it can be stopped before the review.
    let cluster = Cluster::start().expect("a private cluster");
    ensure_template(&cluster, Seed::Demo).expect("the demo template");
    cluster
        .create_database("audit_e2e", Some(Seed::Demo.template_name()))
        .unwrap();
    let url = cluster.address().url("audit_e2e");
    let driver = Driver::start();
    let bundle = driver.home.path().join("instance-audit.fxaudit");

    let client = driver.launch(&["--dsn", &url, "--name", "E2E audit"]).await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, "#tab-audit", PATIENCE).await;
    let status = eventually("the chain's status", PATIENCE, || async {
        let status = client
            .find(Locator::Css("#chain-status"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        status.starts_with('✓').then_some(status)
    })
    .await;
    assert!(status.contains("Chain verified up to event"), "{status}");
    // Every source shows, labelled.
    for label in ["Fluxdesk", "Activity log", "Impersonation", "Security log"] {
        eventually(label, PATIENCE, || async {
            let badges = client
                .find_all(Locator::Css("#audit-entries .source-badge"))
                .await
                .ok()?;
            for badge in badges {
                if badge.text().await.ok()? == label {
                    return Some(());
                }
            }
            None
        })
        .await;
    }
    let buckets: usize = attribute(&client, "#audit-timeline", "data-buckets")
        .await
        .parse()
        .unwrap();
    assert!(buckets > 1, "the timeline has buckets");
    assert!(
        client
            .find(Locator::Css("#audit-timeline svg rect"))
            .await
            .is_ok(),
        "the chart is drawn"
    );
    // Narrow to the security log's failures.
    click(&client, "#audit-source-security", PATIENCE).await;
    element(&client, "#audit-outcome", PATIENCE).await;
    client
        .execute(
            "const e = document.querySelector('#audit-outcome'); e.value = 'failure'; \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    click(&client, "#audit-apply", PATIENCE).await;
    eventually("only security failures", PATIENCE, || async {
        let rows = client
            .find_all(Locator::Css("#audit-entries tr.audit-row"))
            .await
            .ok()?;
        let badges = client
            .find_all(Locator::Css("#audit-entries .source-badge"))
            .await
            .ok()?;
        let mut labels = Vec::new();
        for badge in badges {
            labels.push(badge.text().await.ok()?);
        }
        let failures = client
            .find_all(Locator::Css("#audit-entries tr.audit-row.failure"))
            .await
            .ok()?;
        (!rows.is_empty()
            && rows.len() == failures.len()
            && labels.iter().all(|label| label == "Security log"))
        .then_some(())
    })
    .await;
    save_screenshot(&client, "audit-viewer").await;

    // A plain export: signing in just now counts as the step-up for one action.
    let first = driver.home.path().join("first.fxaudit");
    set_input(&client, "#bundle-path", &first.display().to_string()).await;
    click(&client, "#bundle-export-start", PATIENCE).await;
    let outcome = eventually("the first export or its step-up", PATIENCE, || async {
        for css in ["#bundle-exported", "#step-up"] {
            if client.find(Locator::Css(css)).await.is_ok() {
                return Some(css);
            }
        }
        None
    })
    .await;
    if outcome == "#step-up" {
        set_input(&client, "#step-up-secret", DEMO_ADMIN.1).await;
        click(&client, "#step-up-confirm", PATIENCE).await;
    }
    text(&client, "#bundle-exported").await;
    assert!(first.exists());

    // The next export, encrypted, asks for the step-up first.
    set_input(&client, "#bundle-path", &bundle.display().to_string()).await;
    set_input(&client, "#bundle-passphrase", PASSPHRASE).await;
    set_input(&client, "#bundle-passphrase-again", PASSPHRASE).await;
    click(&client, "#bundle-export-start", PATIENCE).await;
    set_input(&client, "#step-up-secret", DEMO_ADMIN.1).await;
    click(&client, "#step-up-confirm", PATIENCE).await;
    let exported = eventually("the encrypted export", PATIENCE, || async {
        let done = client
            .find(Locator::Css("#bundle-exported"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        done.contains(&bundle.display().to_string()).then_some(done)
    })
    .await;
    assert!(exported.contains("Wrote"), "{exported}");
    let public_key = text(&client, "#bundle-public-key").await;
    assert_eq!(public_key.len(), 44, "an Ed25519 key in base64: {public_key}");
    assert!(bundle.exists());
    let sign_ins: usize = cluster
        .psql(
            "audit_e2e",
            "SELECT count(*) FROM fluxdesk.audit_events WHERE action = 'admin.sign_in'",
        )
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let events: usize = cluster
        .psql(
            "audit_e2e",
            // All but the last: the audit.export event of this very export.
            "SELECT count(*) - 1 FROM fluxdesk.audit_events",
        )
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    client.close().await.unwrap();

    // No database at all from here on.
    drop(cluster);

    let client = driver.launch(&[&bundle.display().to_string()]).await;
    let failure = text(&client, ".error-banner").await;
    assert!(failure.contains("encrypted: enter its passphrase"), "{failure}");
    set_input(&client, "#review-passphrase", "not the passphrase").await;
    click(&client, "#review-open", PATIENCE).await;
    eventually("the wrong passphrase is refused", PATIENCE, || async {
        let banner = client
            .find(Locator::Css(".error-banner"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        banner.contains("Wrong passphrase").then_some(())
    })
    .await;
    set_input(&client, "#review-passphrase", PASSPHRASE).await;
    set_input(&client, "#review-pinned-key", &public_key).await;
    click(&client, "#review-open", PATIENCE).await;
    assert_eq!(attribute(&client, "#review-verdict", "data-intact").await, "true");
    let verdict = text(&client, "#review-verdict-line").await;
    assert!(
        verdict.contains(&format!("all {events} events verify")),
        "{verdict}"
    );
    assert!(verdict.contains("by the pinned key"), "{verdict}");
    assert!(
        text(&client, "#review-matching")
            .await
            .starts_with(&format!("{events} matching"))
    );

    set_input(&client, "#review-action", "admin.sign_in").await;
    click(&client, "#review-apply", PATIENCE).await;
    eventually("only sign-ins", PATIENCE, || async {
        let matching = client
            .find(Locator::Css("#review-matching"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (matching == format!("{sign_ins} matching events")).then_some(())
    })
    .await;
    let actions = client
        .find_all(Locator::Css("#review-entries td.action"))
        .await
        .unwrap();
    assert_eq!(actions.len(), sign_ins);
    for action in actions {
        assert_eq!(action.text().await.unwrap(), "admin.sign_in");
    }
    // The chart follows the filter: one action, one series.
    eventually("the filtered timeline", PATIENCE, || async {
        let chart = client.find(Locator::Css("#review-timeline")).await.ok()?;
        (chart.attr("data-series").await.ok()?? == "1").then_some(())
    })
    .await;
    assert!(
        client
            .find(Locator::Css("#review-timeline svg rect"))
            .await
            .is_ok()
    );
    click(&client, "#review-tab-summaries", PATIENCE).await;
    let by_admin = text(&client, "#review-by-admin").await;
    assert!(by_admin.contains(DEMO_ADMIN.0), "{by_admin}");
    save_screenshot(&client, "bundle-review").await;

    // A drop on the window and File → Open reach the page as these two events
    // (Tauri's own for drops, Fluxdesk's for the menu's dialog); sent here from
    // the page, as WebDriver cannot drive the OS's drag and drop or menus.
    let emit = |event: &'static str, payload: serde_json::Value| {
        let client = client.clone();
        async move {
            client
                .execute(
                    "window.__TAURI__.event.emit(arguments[0], arguments[1]);",
                    vec![event.into(), payload],
                )
                .await
                .unwrap();
        }
    };
    let shown_path = || async {
        let input = client.find(Locator::Css("#review-path")).await.ok()?;
        input.prop("value").await.ok()?
    };
    emit(
        "tauri://drag-drop",
        serde_json::json!({ "paths": ["/tmp/not-a-bundle.txt"], "position": { "x": 5, "y": 5 } }),
    )
    .await;
    emit(
        "tauri://drag-drop",
        serde_json::json!({ "paths": [first.display().to_string()], "position": { "x": 5, "y": 5 } }),
    )
    .await;
    eventually("the dropped bundle open and verified", PATIENCE, || async {
        let path = shown_path().await?;
        let intact = client
            .find(Locator::Css("#review-verdict"))
            .await
            .ok()?
            .attr("data-intact")
            .await
            .ok()??;
        (path == first.display().to_string() && intact == "true").then_some(())
    })
    .await;
    assert!(!text(&client, "#review-event-count").await.is_empty());
    emit(
        "fluxdesk://bundle-chosen",
        serde_json::json!(bundle.display().to_string()),
    )
    .await;
    eventually("the chosen bundle open again", PATIENCE, || async {
        let path = shown_path().await?;
        let count = client
            .find(Locator::Css("#review-event-count"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (path == bundle.display().to_string() && count == events.to_string()).then_some(())
    })
    .await;
    client.close().await.unwrap();
}

/// `count` chained events as the console writes them, signed into a plain bundle at `path`.
fn write_bundle(path: &std::path::Path, count: i64) {
    use fluxdesk_core::audit::{ChainedEvent, GENESIS_HASH};
    use fluxdesk_core::audit_bundle::{
        BundleHeader, BundleWriter, ExportParameters, FORMAT, InstanceIdentity, VERSION, new_signing_key,
        public_key_text,
    };
    let key = new_signing_key();
    let header = BundleHeader {
        format: FORMAT.into(),
        version: VERSION,
        client: "fluxdesk-bench".into(),
        instance: InstanceIdentity {
            name: "bench".into(),
            address: "localhost/bench".into(),
            system_identifier: None,
            layout: "dashboard".into(),
        },
        export: ExportParameters {
            since: None,
            until: None,
            exported_by: Some("admin@fluxdesk.demo".into()),
            exported_at: "2026-11-24T12:00:00Z".into(),
        },
        signer_public_key: public_key_text(&key),
        encryption: None,
    };
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut writer = BundleWriter::start(file, &header, key, None).unwrap();
    let mut previous = GENESIS_HASH.to_owned();
    let actions = [
        "admin.sign_in",
        "sql.write",
        "user.lock",
        "impersonation.read",
        "data.export",
        "user.set_role",
    ];
    for seq in 1..=count {
        let mut event = ChainedEvent {
            seq,
            occurred_at: format!(
                "2026-{:02}-{:02}T{:02}:{:02}:{:02}.000000Z",
                1 + seq / 100_000,
                1 + (seq / 4_000) % 25,
                (seq / 170) % 24,
                (seq / 3) % 60,
                seq % 60
            ),
            admin_id: None,
            admin_email: Some(format!("admin{}@fluxdesk.demo", seq % 7)),
            instance: "bench".into(),
            action: actions[(seq % 6) as usize].into(),
            target: Some(format!("user{}@example.com", seq % 5_000)),
            details: serde_json::json!({ "n": seq, "sql": "UPDATE public.todos SET done = true WHERE id = 7", "rows_affected": 1 }),
            outcome: if seq % 13 == 0 { "denied" } else { "success" }.into(),
            client_version: "fluxdesk-bench 0.1.0".into(),
            prev_hash: previous.clone(),
            hash: String::new(),
        };
        event.hash = event.recomputed_hash().unwrap();
        previous = event.hash.clone();
        writer.push(&event).unwrap();
    }
    writer.finish().unwrap();
}

/// Figures for BENCHMARKS.md (`scripts/bench.sh` runs it against a release
/// build of the app): a 1,000,000-event bundle given on the command line,
/// from launch to the verdict and the first page painted, and the app's
/// memory then, against a 1,000-event bundle in the same run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark, not a test: scripts/bench.sh runs it"]
async fn a_million_event_bundle_opens_in_the_window() {
    let folder = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    for count in [1_000i64, 1_000_000] {
        let path = folder.path().join(format!("bench-{count}.fxaudit"));
        write_bundle(&path, count);
        let driver = Driver::start();
        let started = std::time::Instant::now();
        let client = driver.launch(&[&path.display().to_string()]).await;
        eventually("the verdict", Duration::from_secs(300), || async {
            let verdict = client.find(Locator::Css("#review-verdict")).await.ok()?;
            (verdict.attr("data-intact").await.ok()?? == "true").then_some(())
        })
        .await;
        eventually("the first page painted", Duration::from_secs(300), || async {
            let painted = client
                .find_all(Locator::Css("#review-entries tr.audit-row"))
                .await
                .ok()?;
            (painted.len() == 100).then_some(())
        })
        .await;
        let elapsed = started.elapsed();
        let memory = driver.app_memory_kib();
        rows.push((count, elapsed, memory, std::fs::metadata(&path).unwrap().len()));
        client.close().await.unwrap();
    }
    let (_, base_time, base_memory, _) = rows[0];
    println!(
        "| bundle | launch → verdict and first 100 rows painted | app memory then (all processes) | time / 1,000-event baseline |"
    );
    println!("|---|---|---|---|");
    for (count, elapsed, memory, bytes) in rows {
        println!(
            "| {count} events ({:.0} MiB) | {:.2} s | {:.0} MiB (baseline {:.0} MiB) | {:.2} |",
            bytes as f64 / 1_048_576.0,
            elapsed.as_secs_f64(),
            memory as f64 / 1024.0,
            base_memory as f64 / 1024.0,
            elapsed.as_secs_f64() / base_time.as_secs_f64()
        );
    }
}
