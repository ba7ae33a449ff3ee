//! The title bar: the view switcher, and which instance this view works on.

use crate::components::{ImpersonateButton, ThemeSwitch};
use crate::services;
use crate::state::session::{SessionAction, SessionContext, View};
use fluxdesk_types::{EnvironmentKind, FluxbaseLayout, Protection};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// App name, the switcher between views and connected instances, and the
/// active instance's environment, protection and connection.
#[component]
pub fn Header() -> Html {
    let session = use_context::<SessionContext>().expect("Header is inside the session provider");

    let on_switch = {
        let session = session.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let view = match select.value().as_str() {
                "profiles" => View::Profiles,
                "fleet" => View::Fleet,
                "review" => View::Review,
                id => View::Instance(id.to_owned()),
            };
            session.dispatch(SessionAction::Show(view));
        })
    };
    let selected = match &session.view {
        View::Profiles => "profiles".to_owned(),
        View::Fleet => "fleet".to_owned(),
        View::Review => "review".to_owned(),
        View::Instance(id) => id.clone(),
    };
    let switcher = html! {
        <select id="switcher" class="switcher" aria-label="Switch view" onchange={on_switch}>
            <option value="profiles" selected={selected == "profiles"}>{ "Profiles" }</option>
            <option value="fleet" selected={selected == "fleet"}>{ "Fleet overview" }</option>
            <option value="review" selected={selected == "review"}>{ "Audit bundle review (offline)" }</option>
            { for session.connections.keys().filter_map(|id| session.entry(id)).map(|entry| html! {
                <option value={entry.profile.id.clone()} selected={selected == entry.profile.id}>
                    { format!("{} · {}", entry.profile.name, entry.profile.environment.label) }
                </option>
            }) }
        </select>
    };

    let instance = session.active_entry().and_then(|entry| {
        let info = session.connections.get(&entry.profile.id)?;
        Some((entry.clone(), info.clone()))
    });
    let detail = match &instance {
        Some((entry, info)) => {
            let layout = match info.layout {
                FluxbaseLayout::Dashboard => "Fluxbase 2026.3.6",
                FluxbaseLayout::Platform => "Fluxbase 2026.3.7",
                FluxbaseLayout::NotFluxbase => "plain PostgreSQL",
            };
            let id = entry.profile.id.clone();
            let on_disconnect = {
                let session = session.clone();
                Callback::from(move |_| {
                    let id = id.clone();
                    let session = session.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = services::disconnect_profile(&id).await;
                        session.dispatch(SessionAction::Disconnected(id));
                    });
                })
            };
            let production = entry.profile.environment.kind == EnvironmentKind::Production;
            html! {
                <>
                    <span id="environment-badge" class={classes!("environment-badge", production.then_some("production"))}>
                        { entry.profile.environment.label.to_uppercase() }
                    </span>
                    <span id="protection-badge" class={classes!("protection-badge", entry.profile.protection.as_str())}>
                        { match entry.profile.protection {
                            Protection::ReadOnly => "READ-ONLY",
                            Protection::ConfirmWrites => "CONFIRM WRITES",
                            Protection::Open => "WRITES OPEN",
                        } }
                    </span>
                    <div id="instance-status" class="status connected" data-state="connected">
                        <span class="status-label">{ format!("Connected to {}", entry.profile.name) }</span>
                        <span class="status-detail">
                            { format!("{}@{} · PostgreSQL {} · {layout}", info.user, info.database, info.server_version) }
                        </span>
                    </div>
                    <ImpersonateButton />
                    <button id="disconnect" class="button subtle" onclick={on_disconnect}>{ "Disconnect" }</button>
                </>
            }
        }
        None => {
            let state = if session.connecting.is_some() {
                "connecting"
            } else {
                "idle"
            };
            let label = match session.connecting.as_ref().and_then(|id| session.entry(id)) {
                Some(entry) => format!("Connecting to {}…", entry.profile.name),
                None => format!("{} connected", session.connections.len()),
            };
            html! {
                <div id="instance-status" class={classes!("status", state)} data-state={state}>
                    <span class="status-label">{ label }</span>
                </div>
            }
        }
    };

    html! {
        <header class="header">
            <div class="brand">
                <span class="brand-mark"></span>
                <span class="brand-name">{ "Fluxdesk" }</span>
                <span class="brand-version">{ &session.app_version }</span>
            </div>
            { switcher }
            { detail }
            <ThemeSwitch />
        </header>
    }
}
