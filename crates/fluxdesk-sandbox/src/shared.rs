//! One cluster per test run, and a fresh database per test that writes.
//!
//! `fluxdesk-sandbox test-run -- <command>` starts the cluster, builds the
//! template databases and exports [`SANDBOX_ENV`] to the command, so every test
//! binary of the run shares it. A test binary run on its own starts a cluster
//! for itself; the watchdog stops it when the process exits.

use crate::cluster::{Cluster, ClusterAddress};
use crate::schema::{Seed, ensure_template};
use std::sync::OnceLock;

/// Environment variable carrying the address of the run's shared cluster.
pub const SANDBOX_ENV: &str = "FLUXDESK_SANDBOX";

/// Every test database's name starts with this.
const TEST_DATABASE_PREFIX: &str = "test_";

static SHARED: OnceLock<Cluster> = OnceLock::new();
static READ_ONLY_DEMO: OnceLock<TestDatabase> = OnceLock::new();

/// The test run's cluster, with both template databases ready.
///
/// Panics when no cluster can be started: tests cannot run without one.
pub fn shared_cluster() -> &'static Cluster {
    SHARED.get_or_init(|| {
        let cluster = match std::env::var(SANDBOX_ENV) {
            Ok(value) => {
                let cluster = ClusterAddress::from_env_value(&value)
                    .and_then(Cluster::attach)
                    .unwrap_or_else(|error| panic!("{SANDBOX_ENV} is set but unusable: {error}"));
                // cargo runs test binaries one after another, so the test
                // databases here are the finished binaries': a copy of the
                // demo is about 180 MB, and keeping every one of a run's
                // once filled a CI machine's disk.
                if let Err(error) = cluster.drop_databases_named(TEST_DATABASE_PREFIX) {
                    eprintln!("cannot drop earlier test databases: {error}");
                }
                cluster
            }
            Err(_) => {
                Cluster::start().unwrap_or_else(|error| panic!("cannot start a PostgreSQL cluster: {error}"))
            }
        };
        for seed in [Seed::FluxbaseSchema, Seed::Demo] {
            ensure_template(&cluster, seed)
                .unwrap_or_else(|error| panic!("cannot build the {seed:?} template: {error}"));
        }
        cluster
    })
}

/// A database of its own for one test.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    /// Database name.
    pub name: String,
    /// URL over the Unix socket, as the superuser.
    pub url: String,
    /// URL over TCP (127.0.0.1), as the superuser, with password.
    pub tcp_url: String,
    /// The superuser's password (in `tcp_url`), for tests that check it never leaks.
    pub password: String,
}

impl TestDatabase {
    /// Runs `sql` through psql as the superuser and returns its output,
    /// trimmed (one value: just the value). Panics on failure: test setup.
    pub fn psql(&self, sql: &str) -> String {
        shared_cluster()
            .psql(&self.name, sql)
            .unwrap_or_else(|error| panic!("psql on {} failed: {error}", self.name))
            .trim()
            .to_owned()
    }
}

/// Creates a new database cloned from `seed`'s template.
pub fn fresh_database(seed: Seed) -> TestDatabase {
    let cluster = shared_cluster();
    let name = format!("{TEST_DATABASE_PREFIX}{}", uuid::Uuid::new_v4().simple());
    cluster
        .create_database(&name, Some(seed.template_name()))
        .unwrap_or_else(|error| panic!("cannot create test database {name}: {error}"));
    TestDatabase {
        url: cluster.address().url(&name),
        tcp_url: cluster.address().tcp_url(&name),
        password: cluster.address().password.clone(),
        name,
    }
}

/// A fresh demo database moved to Fluxbase 2026.3.7-rc's platform layout
/// (`platform.*`, `instance_admin`, tenants), in one transaction.
pub fn fresh_platform_database() -> TestDatabase {
    let database = fresh_database(Seed::Demo);
    shared_cluster()
        .psql(
            &database.name,
            &format!("BEGIN;\n{}\nCOMMIT;\n", crate::schema::PLATFORM_LAYOUT),
        )
        .unwrap_or_else(|error| panic!("cannot move {} to the platform layout: {error}", database.name));
    database
}

/// One demo database per test process for tests that only read.
///
/// Tests that write must use [`fresh_database`] instead, so they cannot
/// disturb each other.
pub fn read_only_demo_database() -> &'static TestDatabase {
    READ_ONLY_DEMO.get_or_init(|| fresh_database(Seed::Demo))
}
