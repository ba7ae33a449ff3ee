//! UI state as pure reducers and calculations (no DOM, no IPC), so they are
//! unit-tested with plain `cargo test` on the host.

pub mod grid;
pub mod health_history;
pub mod palette;
pub mod session;
pub mod setting_edits;
pub mod staging;
pub mod tree;
pub mod user_list;
