//! Rendering. Components get data from props or the session context and call
//! the backend only through `crate::services`.

mod data_grid;
mod diagnosis_view;
mod error_banner;
mod explorer;
mod fleet_overview;
mod header;
mod password_prompt;
mod profile_editor;
mod profile_list;
mod schema_tree;
mod sql_runner;

pub use data_grid::DataGrid;
pub use diagnosis_view::DiagnosisView;
pub use error_banner::ErrorBanner;
pub use explorer::Explorer;
pub use fleet_overview::FleetOverview;
pub use header::Header;
pub use password_prompt::PasswordPrompt;
pub use profile_editor::ProfileEditor;
pub use profile_list::ProfileList;
pub use schema_tree::SchemaTree;
pub use sql_runner::SqlRunner;
