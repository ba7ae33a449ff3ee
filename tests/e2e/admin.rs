//! Admin sign-in end to end, in the real window: first-time setup on an
//! empty instance, 2FA enrolment (the test reads the secret from the page to
//! compute codes, as an authenticator app would), sign-out, sign-in with a
//! code, the idle lock that keeps open work, and a revoked session locking.

use chrono::Utc;
use e2e_support::{Driver, click, element, eventually, save_screenshot, type_into};
use fantoccini::{Client, Locator};
use fluxdesk_core::second_factor::Authenticator;
use fluxdesk_sandbox::{Seed, fresh_database, shared_cluster};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(30);
const IDLE_SECS: u64 = 15;
const EMAIL: &str = "owner@example.com";
const PASSWORD: &str = "plum-orbit-kettle-93-sandstone";

async fn text(client: &Client, css: &str) -> String {
    element(client, css, PATIENCE)
        .await
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Waits until a new TOTP step starts, so its code has not been used yet.
async fn next_step_code(authenticator: &Authenticator, after_step: i64) -> (String, i64) {
    loop {
        let now = Utc::now();
        let step = now.timestamp() / 30;
        if step > after_step {
            return (authenticator.code_at(now), step);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_enrol_sign_out_sign_in_with_a_code_idle_lock_and_revocation() {
    let database = fresh_database(Seed::FluxbaseSchema);
    let cluster = shared_cluster();
    let driver = Driver::start();
    let idle = IDLE_SECS.to_string();
    let client = driver
        .launch(&[
            "--dsn",
            &database.url,
            "--name",
            "E2E Empty",
            "--idle-timeout-secs",
            &idle,
        ])
        .await;

    // An empty instance: consent to Fluxdesk's schema, then "Create admin account".
    let card = text(&client, "#install-schema-card").await;
    assert!(card.contains("fluxdesk") && card.contains("audit"), "{card}");
    click(&client, "#install-schema", PATIENCE).await;
    element(&client, "#first-admin", PATIENCE).await;
    type_into(&client, "#setup-email", EMAIL, PATIENCE).await;
    type_into(&client, "#setup-name", "Owner", PATIENCE).await;
    type_into(&client, "#setup-password", "password1234", PATIENCE).await;
    // The meter answers as the keys arrive: wait for its verdict on the whole password.
    eventually("the meter says why", PATIENCE, || async {
        let problem = client
            .find(Locator::Css(
                "#password-strength[data-acceptable='false'] #password-problem",
            ))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        problem.contains("Too easy to guess").then_some(())
    })
    .await;
    assert!(
        !element(&client, "#setup-submit", PATIENCE)
            .await
            .is_enabled()
            .await
            .unwrap(),
        "a weak password cannot be submitted"
    );
    type_into(&client, "#setup-password", PASSWORD, PATIENCE).await;
    element(&client, "#password-strength[data-acceptable='true']", PATIENCE).await;
    type_into(&client, "#setup-password-again", PASSWORD, PATIENCE).await;
    save_screenshot(&client, "first-time-setup").await;
    click(&client, "#setup-submit", PATIENCE).await;
    assert_eq!(
        text(&client, "#admin-email").await,
        EMAIL,
        "the new admin is signed in"
    );
    let row = cluster
        .psql(
            &database.name,
            "SELECT left(password_hash, 7) || '|' || role || '|' || email_verified FROM dashboard.users",
        )
        .unwrap();
    assert_eq!(row.trim(), "$2a$10$|dashboard_admin|true");
    let setting = cluster
        .psql(
            &database.name,
            "SELECT value->>'first_admin_email' FROM app.settings WHERE key = 'setup_completed'",
        )
        .unwrap();
    assert_eq!(setting.trim(), EMAIL);

    // 2FA enrolment: QR code, URI and key on the page; confirm with a code.
    click(&client, "#tab-security", PATIENCE).await;
    click(&client, "#enable-2fa", PATIENCE).await;
    let secret = text(&client, "#totp-secret").await;
    assert_eq!(secret.len(), 32, "{secret}");
    assert!(
        text(&client, "#totp-uri")
            .await
            .starts_with("otpauth://totp/Fluxbase:")
    );
    let qr = element(&client, "#totp-qr", PATIENCE)
        .await
        .attr("src")
        .await
        .unwrap()
        .unwrap();
    assert!(qr.starts_with("data:image/png;base64,"));
    save_screenshot(&client, "totp-enrolment").await;
    let authenticator = Authenticator::from_base32(&secret, EMAIL).unwrap();
    let (code, enrolled_step) = next_step_code(&authenticator, 0).await;
    type_into(&client, "#totp-code", &code, PATIENCE).await;
    click(&client, "#confirm-2fa", PATIENCE).await;
    let codes = client.find_all(Locator::Css("#backup-codes li")).await.unwrap();
    let codes = if codes.is_empty() {
        element(&client, "#backup-codes li", PATIENCE).await;
        client.find_all(Locator::Css("#backup-codes li")).await.unwrap()
    } else {
        codes
    };
    assert_eq!(codes.len(), 10, "ten backup codes, shown once");
    click(&client, "#backup-codes-saved", PATIENCE).await;
    assert_eq!(text(&client, "#totp-status").await, "on");
    let enabled = cluster
        .psql(
            &database.name,
            "SELECT totp_enabled::text || '|' || length(totp_secret) FROM dashboard.users",
        )
        .unwrap();
    assert_eq!(enabled.trim(), "true|32");

    // Sign out: the session row goes; signing in now needs a code.
    click(&client, "#sign-out", PATIENCE).await;
    element(&client, "#sign-in", PATIENCE).await;
    let sessions = cluster
        .psql(&database.name, "SELECT count(*) FROM dashboard.sessions")
        .unwrap();
    assert_eq!(sessions.trim(), "0", "signing out deletes the session row");
    type_into(&client, "#sign-in-email", EMAIL, PATIENCE).await;
    type_into(&client, "#sign-in-password", PASSWORD, PATIENCE).await;
    click(&client, "#sign-in-submit", PATIENCE).await;
    element(&client, "#sign-in-code", PATIENCE).await;
    // The enrolment code is spent: it is refused, with the reason.
    type_into(&client, "#sign-in-code", &code, PATIENCE).await;
    click(&client, "#sign-in-submit", PATIENCE).await;
    let replay = eventually("the replayed code refused", PATIENCE, || async {
        let banner = client.find(Locator::Css("#sign-in .error-banner")).await.ok()?;
        banner.text().await.ok()
    })
    .await;
    assert!(
        replay.contains("already used") || replay.contains("not valid"),
        "{replay}"
    );
    let (fresh, _) = next_step_code(&authenticator, enrolled_step).await;
    type_into(&client, "#sign-in-code", &fresh, PATIENCE).await;
    click(&client, "#sign-in-submit", PATIENCE).await;
    assert_eq!(text(&client, "#admin-email").await, EMAIL);

    // Work in progress, then idle: the window locks and keeps the work.
    click(&client, "#tab-sql", PATIENCE).await;
    type_into(&client, "#sql-input", "SELECT 'kept across the lock'", PATIENCE).await;
    let locked = element(&client, "#lock-screen", Duration::from_secs(IDLE_SECS + 20)).await;
    assert_eq!(locked.attr("data-reason").await.unwrap().as_deref(), Some("idle"));
    assert!(text(&client, "#sign-in-note").await.contains("inactivity"));
    save_screenshot(&client, "idle-lock").await;
    let (unlock_code, _) = next_step_code(&authenticator, Utc::now().timestamp() / 30).await;
    type_into(&client, "#sign-in-password", PASSWORD, PATIENCE).await;
    click(&client, "#sign-in-submit", PATIENCE).await;
    type_into(&client, "#sign-in-code", &unlock_code, PATIENCE).await;
    click(&client, "#sign-in-submit", PATIENCE).await;
    eventually("the lock screen gone", PATIENCE, || async {
        client
            .find(Locator::Css("#lock-screen"))
            .await
            .is_err()
            .then_some(())
    })
    .await;
    let kept = element(&client, "#sql-input", PATIENCE)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("SELECT 'kept across the lock'"),
        "unlocking loses nothing"
    );

    // Revoked from elsewhere (here: psql, as the web dashboard would): locks within 30 s.
    cluster
        .psql(&database.name, "DELETE FROM dashboard.sessions")
        .unwrap();
    // Keep busy meanwhile, so the idle lock cannot come first.
    let revoked = eventually("the revoked lock", PATIENCE, || async {
        if let Ok(tab) = client.find(Locator::Css("#tab-data")).await {
            let _ = tab.click().await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        client
            .find(Locator::Css("#lock-screen[data-reason='revoked']"))
            .await
            .ok()
    })
    .await;
    assert!(revoked.text().await.unwrap().contains("revoked"));

    let audited = cluster
        .psql(
            &database.name,
            "SELECT string_agg(DISTINCT action, ',' ORDER BY action) FROM fluxdesk.audit_events",
        )
        .unwrap();
    for action in [
        "admin.first_time_setup",
        "admin.2fa.enable",
        "admin.sign_in",
        "admin.sign_out",
    ] {
        assert!(audited.contains(action), "{action} in the audit trail: {audited}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admins_tab_invites_unlocks_resets_and_deletes() {
    let database = fresh_database(Seed::Demo);
    let cluster = shared_cluster();
    // Support is locked out after failed sign-ins elsewhere.
    cluster
        .psql(
            &database.name,
            "UPDATE dashboard.users SET failed_login_attempts = 5, is_locked = true, \
             locked_until = now() + interval '15 minutes' WHERE email = 'support@fluxdesk.demo'",
        )
        .unwrap();
    let driver = Driver::start();
    let client = driver
        .launch(&["--dsn", &database.url, "--name", "E2E Admins"])
        .await;
    e2e_support::sign_in(
        &client,
        e2e_support::DEMO_ADMIN.0,
        e2e_support::DEMO_ADMIN.1,
        PATIENCE,
    )
    .await;
    click(&client, "#tab-admins", PATIENCE).await;
    let support = "tr.admin-row[data-email='support@fluxdesk.demo']";
    assert!(
        text(&client, &format!("{support} .locked-cell"))
            .await
            .starts_with("until")
    );
    assert!(
        text(&client, "tr.admin-row[data-email='admin@fluxdesk.demo']")
            .await
            .contains("(you)")
    );

    click(&client, &format!("{support} .unlock-admin"), PATIENCE).await;
    eventually("support unlocked", PATIENCE, || async {
        let cell = client
            .find(Locator::Css(&format!("{support} .locked-cell")))
            .await
            .ok()?;
        (cell.text().await.ok()? == "—").then_some(())
    })
    .await;

    type_into(&client, "#invite-email", "new.admin@example.com", PATIENCE).await;
    click(&client, "#invite", PATIENCE).await;
    let token = text(&client, "#shown-once-secret").await;
    assert_eq!(token.len(), 43, "the invitation token is shown: {token}");
    element(
        &client,
        "tr.invitation-row[data-email='new.admin@example.com'][data-status='pending']",
        PATIENCE,
    )
    .await;
    let stored = cluster
        .psql(
            &database.name,
            "SELECT role FROM dashboard.invitation_tokens WHERE email = 'new.admin@example.com'",
        )
        .unwrap();
    assert_eq!(stored.trim(), "dashboard_user");

    click(&client, &format!("{support} .reset-password"), PATIENCE).await;
    click(&client, "#confirm-change-yes", PATIENCE).await;
    let password = eventually("the temporary password", PATIENCE, || async {
        let shown = client.find(Locator::Css("#shown-once")).await.ok()?;
        let label = shown.text().await.ok()?;
        label.contains("Temporary password").then_some(())?;
        client
            .find(Locator::Css("#shown-once-secret"))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert_eq!(password.len(), 16);
    let verified = cluster
        .psql(
            &database.name,
            &format!("SELECT password_hash = crypt('{password}', password_hash) FROM dashboard.users WHERE email = 'support@fluxdesk.demo'"),
        )
        .unwrap();
    assert_eq!(verified.trim(), "t", "the shown password is the one stored");

    click(&client, &format!("{support} .delete-admin"), PATIENCE).await;
    assert!(
        text(&client, "#confirm-change")
            .await
            .contains("support@fluxdesk.demo")
    );
    click(&client, "#confirm-change-yes", PATIENCE).await;
    eventually("support gone from the list", PATIENCE, || async {
        client.find(Locator::Css(support)).await.is_err().then_some(())
    })
    .await;
    save_screenshot(&client, "admins").await;
    let deleted = cluster
        .psql(
            &database.name,
            "SELECT deleted_at IS NOT NULL FROM dashboard.users WHERE email = 'support@fluxdesk.demo'",
        )
        .unwrap();
    assert_eq!(deleted.trim(), "t", "a soft delete, as Fluxbase does");
}
