//! Connection failures are told apart and explained.

use fluxdesk_core::{ConnectionTarget, Instance};
use fluxdesk_sandbox::{read_only_demo_database, shared_cluster};
use fluxdesk_types::{ApiError, ErrorCode};
use std::net::TcpListener;
use std::time::{Duration, Instant};

async fn connect_error(url: &str, timeout: Duration) -> ApiError {
    let target = ConnectionTarget::from_url(url)
        .unwrap()
        .with_connect_timeout(timeout);
    match Instance::connect("probe", &target).await {
        Ok(_) => panic!("connecting to {url} should fail"),
        Err(error) => ApiError::from(error),
    }
}

#[tokio::test]
async fn refused_connections_say_so() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let error = connect_error(
        &format!("postgres://x@127.0.0.1:{port}/db"),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(error.code, ErrorCode::ConnectionFailed);
    assert!(error.message.contains("refused"), "{}", error.message);
}

#[tokio::test]
async fn wrong_passwords_are_named_as_such_and_not_echoed() {
    let address = shared_cluster().address();
    let url = format!(
        "postgres://postgres:not-the-password@127.0.0.1:{}/postgres",
        address.port
    );
    let error = connect_error(&url, Duration::from_secs(5)).await;
    assert_eq!(error.code, ErrorCode::ConnectionFailed);
    assert!(
        error.message.contains("rejected the user name or password"),
        "{}",
        error.message
    );
    assert!(
        !error.message.contains("not-the-password"),
        "the password leaked: {}",
        error.message
    );
}

#[tokio::test]
async fn the_right_password_over_tcp_connects() {
    let database = read_only_demo_database();
    let target = ConnectionTarget::from_url(&database.tcp_url).unwrap();
    let instance = Instance::connect("tcp", &target)
        .await
        .expect("TCP with the password works");
    assert_eq!(instance.info().database, database.name);
}

#[tokio::test]
async fn missing_databases_are_named() {
    let address = shared_cluster().address();
    let error = connect_error(&address.url("no_such_db"), Duration::from_secs(5)).await;
    assert_eq!(error.code, ErrorCode::ConnectionFailed);
    assert!(error.message.contains("no_such_db"), "{}", error.message);
}

#[tokio::test]
async fn unresolvable_hosts_are_explained() {
    let error = connect_error(
        "postgres://x@no-such-host.invalid:5432/db",
        Duration::from_secs(5),
    )
    .await;
    assert!(
        matches!(error.code, ErrorCode::ConnectionFailed | ErrorCode::Timeout),
        "{error:?}"
    );
    assert!(
        error.message.contains("no-such-host.invalid"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_connect_timeout() {
    // Accepts TCP connections (the kernel completes the handshake) but never
    // speaks, like a stalled proxy.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let error = connect_error(
        &format!("postgres://x@127.0.0.1:{port}/db"),
        Duration::from_secs(1),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(error.code, ErrorCode::Timeout, "{}", error.message);
    assert!(
        elapsed < Duration::from_secs(3),
        "took {elapsed:?} for a 1 s timeout"
    );
    drop(listener);
}
