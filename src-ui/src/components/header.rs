//! The title bar: which instance this window works on and its state.

use crate::services;
use crate::state::session::{ConnectionState, SessionAction, SessionContext};
use fluxdesk_types::FluxbaseLayout;
use yew::prelude::*;

/// App name, active instance, connection state, and a way back to the list.
#[component]
pub fn Header() -> Html {
    let session = use_context::<SessionContext>().expect("Header is inside the session provider");
    let instance_name = session
        .active_instance()
        .map(|i| i.name.clone())
        .unwrap_or_default();
    let (state, label, detail) = match &session.connection {
        ConnectionState::Idle => ("idle", "Not connected".to_owned(), String::new()),
        ConnectionState::Connecting(_) => (
            "connecting",
            format!("Connecting to {instance_name}…"),
            String::new(),
        ),
        ConnectionState::Connected(info) => {
            let layout = match info.layout {
                FluxbaseLayout::Dashboard => "Fluxbase 2026.3.6 layout",
                FluxbaseLayout::Platform => "Fluxbase 2026.3.7 layout",
                FluxbaseLayout::NotFluxbase => "not a Fluxbase database",
            };
            (
                "connected",
                format!("Connected to {instance_name}"),
                format!(
                    "{}@{} · PostgreSQL {} · {layout}",
                    info.user, info.database, info.server_version
                ),
            )
        }
        ConnectionState::Failed(..) => (
            "failed",
            format!("Could not connect to {instance_name}"),
            String::new(),
        ),
    };
    let on_disconnect = {
        let session = session.clone();
        Callback::from(move |_| {
            if let ConnectionState::Connected(info) = &session.connection {
                let id = info.instance_id.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::disconnect_instance(&id).await;
                });
            }
            session.dispatch(SessionAction::Disconnected);
        })
    };
    html! {
        <header class="header">
            <div class="brand">
                <span class="brand-mark"></span>
                <span class="brand-name">{ "Fluxdesk" }</span>
                <span class="brand-version">{ &session.app_version }</span>
            </div>
            <div id="instance-status" class={classes!("status", state)} data-state={state}>
                <span class="status-dot"></span>
                <span class="status-label">{ label }</span>
                <span class="status-detail">{ detail }</span>
            </div>
            if matches!(session.connection, ConnectionState::Connected(_)) {
                <button id="disconnect" class="button subtle" onclick={on_disconnect}>{ "Instances" }</button>
            }
        </header>
    }
}
