//! Fluxdesk's user interface, a Yew app running in the Tauri webview.
//!
//! Layout: `services/` is the only code that talks to the backend (over Tauri
//! IPC); `state/` holds pure reducers and calculations, unit-tested on the
//! host; `components/` renders. Components never call IPC directly.

mod actions;
mod app;
mod components;
pub mod format;
mod keyboard;
pub mod services;
pub mod state;
pub mod theme;

pub use app::App;
