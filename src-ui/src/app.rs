//! The root component: loads the launch state, connects, and picks the view.

use crate::components::{
    AboutDialog, AdminGate, BundleReviewScreen, CommandPalette, FleetOverview, Header, ImpersonationBanner,
    ImpersonationSwitcher, PasswordPrompt, ProfileList,
};
use crate::state::session::{Session, SessionAction, SessionContext, View};
use crate::{actions, services, theme};
use fluxdesk_types::AppAction;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// Starts connecting profile `id` and reports the outcome to the session.
pub fn connect(session: SessionContext, id: String, password: Option<String>) {
    session.dispatch(SessionAction::Connecting(id.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        match services::connect_profile(&id, password.as_deref()).await {
            Ok(info) => session.dispatch(SessionAction::Connected(info)),
            Err(error) => session.dispatch(SessionAction::ConnectFailed(id, error)),
        }
    });
}

/// Reloads the profile list (password states, connections) from the backend.
pub fn refresh_profiles(session: SessionContext) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(profiles) = services::list_profiles().await {
            session.dispatch(SessionAction::ProfilesLoaded(profiles));
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
            let arrivals = session.clone();
            // Dropped on the window or chosen from File → Open.
            services::on_bundle_arrival(Callback::from(move |path| {
                arrivals.dispatch(SessionAction::BundleArrived(path))
            }));
            let themed = session.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(saved) = services::theme().await {
                    theme::apply(saved);
                    themed.dispatch(SessionAction::Theme(saved));
                }
            });
            wasm_bindgen_futures::spawn_local(async move {
                match services::launch_state().await {
                    Ok(launch) => {
                        let start = launch.connect_on_start.clone();
                        session.dispatch(SessionAction::Launched(launch));
                        if let Some(id) = start {
                            connect(session, id, None);
                        }
                    }
                    Err(error) => session.dispatch(SessionAction::LaunchFailed(error)),
                }
            });
        });
    }

    // The native menu's actions run on the session as it is at that moment.
    let latest = use_mut_ref(|| session.clone());
    *latest.borrow_mut() = session.clone();
    {
        let latest = latest.clone();
        use_effect_with((), move |_| {
            let chosen = latest.clone();
            services::on_menu_action(Callback::from(move |action| {
                let session = chosen.borrow().clone();
                actions::perform(&session, action);
            }));
            // Ctrl/Cmd+K also when the key reaches the page rather than the
            // menu (no native menu, or a synthesized key press).
            let pressed =
                Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |event: web_sys::KeyboardEvent| {
                    if (event.ctrl_key() || event.meta_key()) && event.key().eq_ignore_ascii_case("k") {
                        event.prevent_default();
                        actions::perform(&latest.borrow(), AppAction::CommandPalette);
                    }
                });
            if let Some(document) = web_sys::window().and_then(|window| window.document()) {
                let _ =
                    document.add_event_listener_with_callback("keydown", pressed.as_ref().unchecked_ref());
            }
            // Listening lasts as long as the window.
            pressed.forget();
        });
    }

    // The native title names the instance and, loudly, a production one.
    let title = match session.active_entry() {
        Some(entry) => {
            let profile = &entry.profile;
            let warning = if profile.environment.kind == fluxdesk_types::EnvironmentKind::Production {
                "⚠ PRODUCTION · "
            } else {
                ""
            };
            format!(
                "{warning}{} · {} · {} — Fluxdesk",
                profile.name,
                profile.environment.label,
                profile.protection.label()
            )
        }
        None => "Fluxdesk".to_owned(),
    };
    use_effect_with(title, |title| {
        let title = title.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = services::set_window_title(&title).await;
        });
    });

    let body = match &session.view {
        View::Profiles => html! { <ProfileList /> },
        View::Fleet => html! { <FleetOverview /> },
        View::Instance(id) => html! { <AdminGate key={id.clone()} profile_id={id.clone()} /> },
        View::Review => html! { <BundleReviewScreen /> },
    };
    // The environment colour tints the chrome of every view of an instance.
    let (environment, style) = match session.active_entry() {
        Some(entry) => (
            entry.profile.environment.kind.as_str(),
            format!("--env-colour: {}", entry.profile.environment.colour),
        ),
        None => ("none", String::new()),
    };

    html! {
        <ContextProvider<SessionContext> context={session.clone()}>
            <div class="app" data-environment={environment} style={style}>
                <Header />
                <ImpersonationBanner />
                if let Some(demo) = session.demo.as_ref().filter(|demo| session.view == View::Instance(demo.profile_id.clone())) {
                    <p class="demo-hint" id="demo-hint">
                        { format!("Demo instance: sign in as {} with the password {}.", demo.admin_email, demo.admin_password) }
                    </p>
                }
                { body }
                <PasswordPrompt />
                <CommandPalette />
                <AboutDialog />
                <ImpersonationSwitcher key={session.switcher.as_ref().map(|(id, user)| format!("{id}/{}", user.as_ref().map(|u| u.id.as_str()).unwrap_or(""))).unwrap_or_default()} />
            </div>
        </ContextProvider<SessionContext>>
    }
}
