//! The Monitoring tab end to end, in the real window: samples arrive and
//! are charted, a known workload shows (idle backends the test opens, a
//! transaction it leaves idle), and terminating that transaction's backend
//! from the window, after the confirmation, ends it and is audited.

use e2e_support::{DEMO_ADMIN, Driver, click, eventually, save_screenshot, sign_in, text_of};
use fantoccini::Locator;
use fluxdesk_sandbox::{Seed, fresh_database};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_are_charted_and_a_stuck_transaction_is_terminated_from_the_window() {
    let database = fresh_database(Seed::Demo);
    let options = PgConnectOptions::from_str(&database.url).unwrap();
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(
            options
                .clone()
                .application_name("e2e-idle-workload")
                .connect()
                .await
                .unwrap(),
        );
    }
    let mut stuck = options
        .clone()
        .application_name("e2e-stuck")
        .connect()
        .await
        .unwrap();
    stuck.execute("BEGIN; SELECT 1;").await.unwrap();
    let stuck_pid: i32 = database
        .psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'e2e-stuck'")
        .parse()
        .unwrap();

    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E monitoring"])
        .await;
    sign_in(&client, DEMO_ADMIN.0, DEMO_ADMIN.1, PATIENCE).await;
    click(&client, "#tab-monitoring", PATIENCE).await;
    let connections = text_of(&client, "#monitor-connections", PATIENCE).await;
    let max = database.psql("SHOW max_connections");
    assert!(connections.contains(&format!("of {max}")), "{connections}");
    // Two samples, two seconds apart, give a transactions-per-second line.
    client
        .execute(
            "const e = document.querySelector('#monitor-interval'); e.value = '2'; \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    eventually("three samples", PATIENCE, || async {
        let samples = client
            .find(Locator::Css("#monitor-samples"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (samples.split(' ').next()?.parse::<usize>().ok()? >= 3).then_some(())
    })
    .await;
    let backends = text_of(&client, "#monitor-backends", PATIENCE).await;
    assert!(backends.contains("e2e-idle-workload"), "{backends}");
    let pools = text_of(&client, "#monitor-pools", PATIENCE).await;
    assert!(
        pools.contains("browsing and writes: ") && pools.contains("of 4, ") && pools.contains(" waited"),
        "{pools}"
    );
    assert!(client.find(Locator::Css("#chart-tps svg polyline")).await.is_ok());
    assert!(
        text_of(&client, "#monitor-statements-missing", PATIENCE)
            .await
            .contains("shared_preload_libraries")
    );
    // Load: 3,000 transactions in a moment. The next samples chart the peak.
    let before = client
        .find(Locator::Css("#chart-tps svg"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    let load = (0..3000).map(|_| "SELECT 1;").collect::<String>();
    database.psql(&load);
    let peak = eventually("the load on the chart", PATIENCE, || async {
        let now = client
            .find(Locator::Css("#monitor-tps-now"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let rate: f64 = now.split(' ').next()?.parse().ok()?;
        (rate > 300.0).then_some(rate)
    })
    .await;
    let after = client
        .find(Locator::Css("#chart-tps svg"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    // The y axis's highest label follows the peak: below 300 before the
    // load, at least 300 once the chart draws it.
    let (top_before, top_after) = (highest_axis_label(&before), highest_axis_label(&after));
    assert!(
        top_before < 300.0 && top_after >= 300.0,
        "the chart's scale rose with the load ({peak:.0} transactions/s): {top_before} then {top_after}"
    );
    save_screenshot(&client, "monitoring").await;
    // Each chart saves as SVG and as PNG.
    for (button, magic) in [
        ("#chart-tps .save-svg", &b"<svg"[..]),
        ("#chart-tps .save-png", &b"\x89PNG"[..]),
    ] {
        click(&client, button, PATIENCE).await;
        let saved = eventually("the chart saved", PATIENCE, || async {
            let note = client
                .find(Locator::Css("#monitor-note"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            let path = note
                .strip_prefix("Saved the chart to ")?
                .strip_suffix('.')?
                .to_owned();
            path.ends_with(
                &String::from_utf8_lossy(if magic.starts_with(b"<") { b"svg" } else { b"png" }).to_string(),
            )
            .then_some(path)
        })
        .await;
        let bytes = std::fs::read(&saved).unwrap();
        assert!(bytes.starts_with(magic), "{saved}");
    }

    let terminate = format!("#monitor-idle tr[data-pid='{stuck_pid}'] .danger");
    click(&client, &terminate, PATIENCE).await;
    click(&client, "#stop-backend-yes", PATIENCE).await;
    // The note still shows the chart's path until the reply arrives.
    eventually("the terminate reply", PATIENCE, || async {
        let note = client
            .find(Locator::Css("#monitor-note"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        note.contains(&format!("pid {stuck_pid}")).then_some(())
    })
    .await;
    assert!(
        stuck.execute("SELECT 1").await.is_err(),
        "the stuck session is gone"
    );
    assert_eq!(
        database.psql("SELECT action || ' ' || target FROM fluxdesk.audit_events ORDER BY seq DESC LIMIT 1"),
        format!("monitoring.terminate_backend pid {stuck_pid}")
    );
    client.close().await.unwrap();
    drop(idle);
}

/// The largest plain number among a chart's texts: its y axis's top label
/// (the x axis's labels carry a unit).
fn highest_axis_label(svg: &str) -> f64 {
    svg.split("</text>")
        .filter_map(|piece| piece.rsplit('>').next()?.trim().parse::<f64>().ok())
        .fold(f64::NEG_INFINITY, f64::max)
}
