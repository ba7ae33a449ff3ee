//! Throwaway PostgreSQL clusters for tests and for the demo instance.
//!
//! A [`Cluster`] is `initdb` into a temporary folder plus a server on its own
//! socket and port, run as the unprivileged `postgres` user when we are root
//! (PostgreSQL refuses to run as root). The cluster is stopped and its folder
//! removed when the value is dropped, and also, through a watchdog process,
//! when the owning process dies without dropping it.
//!
//! [`schema`] holds our own Fluxbase-compatible schema (v2026.3.6 layout) and
//! the demo data; [`shared`] gives each test process one cluster per test run,
//! with template databases that tests clone into fresh databases.

pub mod certificates;
mod cluster;
mod postgres_install;
pub mod schema;
pub mod shared;

pub use cluster::{Cluster, ClusterAddress, SandboxError};
pub use schema::Seed;
pub use shared::{
    TestDatabase, fresh_database, fresh_platform_database, read_only_demo_database, shared_cluster,
};
