//! Choosing an instance: the known ones, or a new one from a connection URL.

use crate::app::connect;
use crate::components::ErrorBanner;
use crate::services;
use crate::state::session::{ConnectionState, SessionAction, SessionContext};
use fluxdesk_types::ApiError;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The start screen.
#[component]
pub fn InstancePicker() -> Html {
    let session = use_context::<SessionContext>().expect("InstancePicker is inside the session provider");
    let name_input = use_node_ref();
    let url_input = use_node_ref();
    let add_error = use_state(|| Option::<ApiError>::None);

    let connecting = matches!(session.connection, ConnectionState::Connecting(_));
    let failure = match &session.connection {
        ConnectionState::Failed(_, error) => Some(error.clone()),
        _ => None,
    };

    let on_add = {
        let session = session.clone();
        let name_input = name_input.clone();
        let url_input = url_input.clone();
        let add_error = add_error.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let name = name_input
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let url = url_input
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let session = session.clone();
            let add_error = add_error.clone();
            let url_input = url_input.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match services::add_instance(&name, &url).await {
                    Ok(instance) => {
                        // The URL may hold a password: do not leave it in the form.
                        if let Some(input) = url_input.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                        add_error.set(None);
                        let id = instance.id.clone();
                        session.dispatch(SessionAction::InstanceAdded(instance));
                        connect(session, id);
                    }
                    Err(error) => add_error.set(Some(error)),
                }
            });
        })
    };

    html! {
        <main class="picker">
            <section class="picker-card">
                <h1>{ "Instances" }</h1>
                if let Some(error) = &session.launch_error {
                    <ErrorBanner error={error.clone()} />
                }
                if let Some(error) = failure {
                    <ErrorBanner error={error} />
                }
                if session.instances.is_empty() {
                    <p class="muted">{ "No instance yet. Add one with its connection URL below." }</p>
                }
                <ul class="instance-list">
                    { for session.instances.iter().map(|instance| {
                        let on_connect = {
                            let session = session.clone();
                            let id = instance.id.clone();
                            Callback::from(move |_| connect(session.clone(), id.clone()))
                        };
                        html! {
                            <li class="instance-item" key={instance.id.clone()} data-instance={instance.id.clone()}>
                                <div>
                                    <div class="instance-name">{ &instance.name }</div>
                                    <div class="instance-target">{ &instance.target }</div>
                                </div>
                                <button class="button primary" disabled={connecting} onclick={on_connect}>
                                    { if connecting { "Connecting…" } else { "Connect" } }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
                <form class="add-instance" onsubmit={on_add}>
                    <h2>{ "Add an instance" }</h2>
                    <label>{ "Name" }<input ref={name_input} id="instance-name" placeholder="Production" required=true /></label>
                    <label>{ "Connection URL" }
                        <input ref={url_input} id="instance-url" type="password" autocomplete="off"
                            placeholder="postgres://user:password@host:5432/database?sslmode=require" required=true />
                    </label>
                    if let Some(error) = &*add_error {
                        <ErrorBanner error={error.clone()} />
                    }
                    <button class="button primary" type="submit" disabled={connecting}>{ "Add and connect" }</button>
                </form>
            </section>
        </main>
    }
}
