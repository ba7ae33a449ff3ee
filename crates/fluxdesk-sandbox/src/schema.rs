//! Our Fluxbase-compatible schema and the demo data, and how to install them.

use crate::cluster::{Cluster, SandboxError};

/// The Fluxbase v2026.3.6-compatible schema, in the order it must be applied.
pub const FLUXBASE_SCHEMA: &[(&str, &str)] = &[
    (
        "01_roles_schemas.sql",
        include_str!("../sql/fluxbase-2026.3.6/01_roles_schemas.sql"),
    ),
    (
        "02_functions.sql",
        include_str!("../sql/fluxbase-2026.3.6/02_functions.sql"),
    ),
    (
        "03_auth.sql",
        include_str!("../sql/fluxbase-2026.3.6/03_auth.sql"),
    ),
    (
        "04_dashboard.sql",
        include_str!("../sql/fluxbase-2026.3.6/04_dashboard.sql"),
    ),
    ("05_app.sql", include_str!("../sql/fluxbase-2026.3.6/05_app.sql")),
    (
        "06_storage.sql",
        include_str!("../sql/fluxbase-2026.3.6/06_storage.sql"),
    ),
    (
        "07_realtime.sql",
        include_str!("../sql/fluxbase-2026.3.6/07_realtime.sql"),
    ),
    (
        "08_logging.sql",
        include_str!("../sql/fluxbase-2026.3.6/08_logging.sql"),
    ),
    (
        "09_migrations.sql",
        include_str!("../sql/fluxbase-2026.3.6/09_migrations.sql"),
    ),
    (
        "10_grants.sql",
        include_str!("../sql/fluxbase-2026.3.6/10_grants.sql"),
    ),
    (
        "11_default_data.sql",
        include_str!("../sql/fluxbase-2026.3.6/11_default_data.sql"),
    ),
];

/// Demo data applied on top of the schema.
pub const DEMO_DATA: &str = include_str!("../sql/demo/demo.sql");
/// Fluxbase 2026.3.7-rc's platform layout, applied on top of the 2026.3.6
/// schema as its bootstrap moves an existing instance.
pub const PLATFORM_LAYOUT: &str = include_str!("../sql/fluxbase-2026.3.7rc/platform.sql");

/// Rows in `public.events` for the demo instance.
pub const DEMO_BIG_TABLE_ROWS: u64 = 1_000_000;

/// The dashboard admin the demo data creates.
pub const DEMO_ADMIN_EMAIL: &str = "admin@fluxdesk.demo";
/// That admin's password. Published on purpose: it only ever guards throwaway data.
pub const DEMO_ADMIN_PASSWORD: &str = "fluxdesk-demo-admin";

/// What a new database starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seed {
    /// A freshly installed Fluxbase: schema and default rows, no admin, no users.
    FluxbaseSchema,
    /// The demo instance: schema plus users, an admin, app tables and
    /// `public.events` with [`DEMO_BIG_TABLE_ROWS`] rows.
    Demo,
}

impl Seed {
    /// Name of the template database tests clone for this seed.
    pub fn template_name(self) -> &'static str {
        match self {
            Seed::FluxbaseSchema => "fluxdesk_template_schema",
            Seed::Demo => "fluxdesk_template_demo",
        }
    }
}

/// Installs `seed` into the existing database `database`, in one transaction.
pub fn install(
    cluster: &Cluster,
    database: &str,
    seed: Seed,
    big_table_rows: u64,
) -> Result<(), SandboxError> {
    let mut script = String::new();
    script.push_str(&format!("\\set big_table_rows {big_table_rows}\n"));
    script.push_str("BEGIN;\n");
    for (name, sql) in FLUXBASE_SCHEMA {
        script.push_str(&format!("\\echo applying {name}\n"));
        script.push_str(sql);
        script.push('\n');
    }
    if seed == Seed::Demo {
        script.push_str("\\echo applying demo.sql\n");
        script.push_str(DEMO_DATA);
        script.push('\n');
    }
    script.push_str("COMMIT;\n");
    cluster.psql(database, &script).map(drop).map_err(|error| {
        SandboxError::Command(format!("Installing {seed:?} into {database} failed: {error}"))
    })
}

/// Creates the template database for `seed` unless it exists.
pub fn ensure_template(cluster: &Cluster, seed: Seed) -> Result<(), SandboxError> {
    let template = seed.template_name();
    if cluster.database_exists(template)? {
        return Ok(());
    }
    let building = format!("{template}_building");
    if cluster.database_exists(&building)? {
        cluster.psql("postgres", &format!("DROP DATABASE \"{building}\""))?;
    }
    cluster.create_database(&building, None)?;
    install(cluster, &building, seed, DEMO_BIG_TABLE_ROWS)?;
    // Rename only when complete, so a half-built template is never cloned.
    cluster.psql(
        "postgres",
        &format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\"; ALTER DATABASE \"{template}\" IS_TEMPLATE true"),
    )?;
    Ok(())
}
