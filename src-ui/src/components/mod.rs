//! Rendering. Components get data from props or the session context and call
//! the backend only through `crate::services`.

mod admin_console;
mod admin_gate;
mod cell_editor;
mod data_grid;
mod diagnosis_view;
mod error_banner;
mod explorer;
mod filter_bar;
mod first_admin_form;
mod fleet_overview;
mod header;
mod new_rows;
mod password_prompt;
mod profile_editor;
mod profile_list;
mod row_panel;
mod schema_tree;
mod security_settings;
mod sign_in_form;
mod sql_runner;
mod staged_bar;
mod step_up_dialog;

pub use admin_console::AdminConsole;
pub use admin_gate::AdminGate;
pub use cell_editor::CellEditor;
pub use data_grid::DataGrid;
pub use diagnosis_view::DiagnosisView;
pub use error_banner::ErrorBanner;
pub use explorer::Explorer;
pub use filter_bar::FilterBar;
pub use first_admin_form::FirstAdminForm;
pub use fleet_overview::FleetOverview;
pub use header::Header;
pub use new_rows::NewRows;
pub use password_prompt::PasswordPrompt;
pub use profile_editor::ProfileEditor;
pub use profile_list::ProfileList;
pub use row_panel::RowPanel;
pub use schema_tree::SchemaTree;
pub use security_settings::SecuritySettings;
pub use sign_in_form::SignInForm;
pub use sql_runner::SqlRunner;
pub use staged_bar::StagedBar;
pub use step_up_dialog::StepUpDialog;
