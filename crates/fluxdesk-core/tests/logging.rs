//! Logs go to a file and never contain connection secrets.

use fluxdesk_core::{ConnectionTarget, Instance, logging};
use fluxdesk_sandbox::read_only_demo_database;

#[tokio::test]
async fn the_log_file_records_connections_without_passwords() {
    let folder = tempfile::tempdir().unwrap();
    let guard = logging::init_file_logging(folder.path(), "fluxdesk").expect("logging starts");

    let database = read_only_demo_database();
    let secret = database.password.clone();
    assert!(
        database.tcp_url.contains(&secret),
        "the TCP URL carries the password"
    );
    let target = ConnectionTarget::from_url(&database.tcp_url).unwrap();
    let instance = Instance::connect("demo", &target).await.unwrap();
    let wrong = ConnectionTarget::from_url(&database.tcp_url.replace(&secret, "wrong-secret-123")).unwrap();
    let _ = Instance::connect("wrong", &wrong).await;
    tracing::info!(target = ?target, "debug formatting of a target");
    instance.close().await;
    drop(guard); // flushes

    let mut contents = String::new();
    for entry in std::fs::read_dir(folder.path()).unwrap() {
        contents.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(
        contents.contains("connected"),
        "the connection was logged:\n{contents}"
    );
    assert!(
        contents.contains(&database.name),
        "the target is logged in redacted form:\n{contents}"
    );
    assert!(
        !contents.contains(&secret),
        "the password leaked into the log:\n{contents}"
    );
    assert!(
        !contents.contains("wrong-secret-123"),
        "a wrong password leaked into the log:\n{contents}"
    );
}
