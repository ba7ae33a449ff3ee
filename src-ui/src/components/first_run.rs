//! The first run, with no profile yet: add one, or open the demo instance.

use crate::app::{connect, refresh_profiles};
use crate::components::ErrorBanner;
use crate::services;
use crate::state::session::{SessionAction, SessionContext};
use fluxdesk_types::ApiError;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum DemoState {
    Idle,
    Starting,
    Failed(ApiError),
}

/// The welcome card the profile list shows while it is empty.
#[component]
pub fn FirstRun() -> Html {
    let session = use_context::<SessionContext>().expect("FirstRun is inside the session provider");
    let demo = use_state(|| DemoState::Idle);
    let on_add = Callback::from(|_| {
        if let Some(name) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id("url-profile-name"))
            .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok())
        {
            name.scroll_into_view();
            let _ = name.focus();
        }
    });
    let on_demo = {
        let (session, demo) = (session.clone(), demo.clone());
        Callback::from(move |_| {
            let (session, demo) = (session.clone(), demo.clone());
            demo.set(DemoState::Starting);
            wasm_bindgen_futures::spawn_local(async move {
                match services::open_demo().await {
                    Ok(opened) => {
                        demo.set(DemoState::Idle);
                        let id = opened.profile_id.clone();
                        session.dispatch(SessionAction::DemoOpened(opened));
                        refresh_profiles(session.clone());
                        connect(session, id, None);
                    }
                    Err(error) => demo.set(DemoState::Failed(error)),
                }
            });
        })
    };
    let starting = *demo == DemoState::Starting;
    html! {
        <section class="panel first-run" id="first-run" aria-labelledby="first-run-title">
            <h2 id="first-run-title">{ "Welcome to Fluxdesk" }</h2>
            <p>{ "Fluxdesk talks straight to a Fluxbase instance's PostgreSQL. There is no profile yet: add one for an instance you run, or look around the demo first." }</p>
            <div class="first-run-actions">
                <button type="button" class="button primary" id="first-run-add" onclick={on_add}>{ "Add a profile" }</button>
                <button type="button" class="button" id="first-run-demo" onclick={on_demo} disabled={starting}>{ "Open the demo instance" }</button>
            </div>
            if starting {
                <p class="muted" id="first-run-progress" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    { "Starting a local PostgreSQL and seeding the demo (a million-row table included): about 15 seconds…" }
                </p>
            }
            if let DemoState::Failed(error) = &*demo {
                <ErrorBanner error={error.clone()} />
            }
            <p class="muted">{ "The demo runs on this machine, needs PostgreSQL installed, and is deleted when Fluxdesk quits." }</p>
        </section>
    }
}
