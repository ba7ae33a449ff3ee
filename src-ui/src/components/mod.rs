//! Rendering. Components get data from props or the session context and call
//! the backend only through `crate::services`.

mod data_grid;
mod error_banner;
mod explorer;
mod header;
mod instance_picker;
mod schema_tree;

pub use data_grid::DataGrid;
pub use error_banner::ErrorBanner;
pub use explorer::Explorer;
pub use header::Header;
pub use instance_picker::InstancePicker;
pub use schema_tree::SchemaTree;
