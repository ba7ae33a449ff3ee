//! Carries out an action from the native menu, a shortcut or the command
//! palette, so each of them does exactly the same thing.

use crate::state::palette::Command;
use crate::state::session::{SessionAction, SessionContext, View};
use crate::{services, theme};
use fluxdesk_types::{AppAction, ThemeChoice};

/// Runs a palette entry's command.
pub fn run(session: &SessionContext, command: &Command) {
    match command {
        Command::Action(action) => perform(session, *action),
        Command::SwitchTo(id) => session.dispatch(SessionAction::Show(View::Instance(id.clone()))),
        Command::Connect(id) => crate::app::connect(session.clone(), id.clone(), None),
    }
}

/// Carries out `action` on the session as it is.
pub fn perform(session: &SessionContext, action: AppAction) {
    match action {
        AppAction::OpenAuditBundle => {
            let session = session.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(Some(path)) = services::pick_audit_bundle().await {
                    session.dispatch(SessionAction::BundleArrived(path));
                }
            });
        }
        AppAction::NewProfile => {
            session.dispatch(SessionAction::Show(View::Profiles));
            focus_after_render("url-profile-name");
        }
        AppAction::ShowProfiles => session.dispatch(SessionAction::Show(View::Profiles)),
        AppAction::ShowFleet => session.dispatch(SessionAction::Show(View::Fleet)),
        AppAction::ShowReview => session.dispatch(SessionAction::Show(View::Review)),
        AppAction::CommandPalette => session.dispatch(SessionAction::Palette(true)),
        AppAction::CycleTheme => {
            let next = match session.theme {
                ThemeChoice::System => ThemeChoice::Light,
                ThemeChoice::Light => ThemeChoice::Dark,
                ThemeChoice::Dark => ThemeChoice::System,
            };
            choose_theme(session, next);
        }
        AppAction::ShowTab(tab) => {
            if let View::Instance(id) = &session.view {
                session.dispatch(SessionAction::ShowTab(id.clone(), tab));
            }
        }
        AppAction::Disconnect => {
            if let View::Instance(id) = session.view.clone() {
                let session = session.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = services::disconnect_profile(&id).await;
                    session.dispatch(SessionAction::Disconnected(id));
                });
            }
        }
        AppAction::About => session.dispatch(SessionAction::About(true)),
    }
}

/// Shows `choice` at once and saves it; the native window follows.
pub fn choose_theme(session: &SessionContext, choice: ThemeChoice) {
    theme::apply(choice);
    session.dispatch(SessionAction::Theme(choice));
    wasm_bindgen_futures::spawn_local(async move {
        let _ = services::set_theme(choice).await;
    });
}

/// Focuses element `id` once the view that holds it has rendered.
fn focus_after_render(id: &'static str) {
    gloo_timers::callback::Timeout::new(50, move || {
        if let Some(element) = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.get_element_by_id(id))
            .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok())
        {
            let _ = element.focus();
        }
    })
    .forget();
}
