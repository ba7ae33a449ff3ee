//! Fluxdesk's domain logic and all of its SQL.
//!
//! The Tauri shell and the CLI are two faces over this crate; neither runs SQL
//! itself. Nothing here knows about Tauri or the UI, so everything is tested
//! against a real PostgreSQL without a window.
#![deny(missing_docs)]

pub mod catalog;
pub mod error;
pub mod fleet;
pub mod ident;
pub mod instance;
pub mod logging;
pub mod rows;
pub mod target;

pub use error::{CoreError, CoreResult};
pub use fleet::Fleet;
pub use instance::Instance;
pub use target::ConnectionTarget;
