//! Fluxdesk's domain logic and all of its SQL.
//!
//! The Tauri shell and the CLI are two faces over this crate; neither runs SQL
//! itself. Nothing here knows about Tauri or the UI, so everything is tested
//! against a real PostgreSQL without a window.
#![deny(missing_docs)]

pub mod admin_access;
pub mod admins;
pub mod app_users;
pub mod audit;
pub mod audit_bundle;
pub mod audit_export;
pub mod audit_log;
pub mod audit_review;
pub mod catalog;
pub mod changes;
pub mod chart_files;
pub mod clock;
pub mod console;
pub mod credentials;
pub mod diagnosis;
pub mod error;
pub mod export;
pub mod fleet;
pub mod fluxdesk_schema;
pub mod ident;
pub mod impersonation;
pub mod instance;
pub mod instance_config;
pub mod keyring;
pub mod live;
pub mod logging;
pub mod monitoring;
pub mod profiles;
pub mod rows;
pub mod second_factor;
pub mod statement;
pub mod target;

pub use console::Console;
pub use error::{CoreError, CoreResult};
pub use fleet::Fleet;
pub use instance::Instance;
pub use keyring::Keyring;
pub use profiles::{ProfileBook, ProfileFile, ProfileStorage};
pub use target::ConnectionTarget;
