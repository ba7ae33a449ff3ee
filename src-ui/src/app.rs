//! The root component: loads the launch state, connects, and picks the screen.

use crate::components::{Explorer, Header, InstancePicker};
use crate::services;
use crate::state::session::{ConnectionState, Session, SessionAction, SessionContext};
use yew::prelude::*;

/// Starts connecting `instance_id` and reports the outcome to the session.
pub fn connect(session: SessionContext, instance_id: String) {
    session.dispatch(SessionAction::Connecting(instance_id.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        match services::connect_instance(&instance_id).await {
            Ok(info) => session.dispatch(SessionAction::Connected(info)),
            Err(error) => session.dispatch(SessionAction::ConnectFailed(instance_id, error)),
        }
    });
}

/// The whole window.
#[component]
pub fn App() -> Html {
    let session = use_reducer(Session::default);

    {
        let session = session.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match services::launch_state().await {
                    Ok(launch) => {
                        let start = launch.connect_on_start.clone();
                        session.dispatch(SessionAction::Launched(launch));
                        if let Some(instance_id) = start {
                            connect(session, instance_id);
                        }
                    }
                    Err(error) => session.dispatch(SessionAction::LaunchFailed(error)),
                }
            });
        });
    }

    let body = match &session.connection {
        ConnectionState::Connected(info) => html! { <Explorer instance_id={info.instance_id.clone()} /> },
        _ => html! { <InstancePicker /> },
    };

    html! {
        <ContextProvider<SessionContext> context={session.clone()}>
            <div class="app">
                <Header />
                { body }
            </div>
        </ContextProvider<SessionContext>>
    }
}
