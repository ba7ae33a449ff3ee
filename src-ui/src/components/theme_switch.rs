//! The theme switch in the header: follow the system, light or dark.

use crate::actions;
use crate::state::session::SessionContext;
use fluxdesk_types::ThemeChoice;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Shows the session's theme and changes it.
#[component]
pub fn ThemeSwitch() -> Html {
    let session = use_context::<SessionContext>().expect("ThemeSwitch is inside the session provider");
    let on_change = {
        let session = session.clone();
        Callback::from(move |event: Event| {
            if let Some(picked) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| ThemeChoice::parse(&select.value()))
            {
                actions::choose_theme(&session, picked);
            }
        })
    };
    html! {
        // Keyed by the theme: a change from the menu or a shortcut rebuilds the
        // select, which a choice made by hand would otherwise keep showing.
        <select key={session.theme.as_str()} id="theme-switch" class="theme-switch" aria-label="Colour theme" title="Colour theme" onchange={on_change}>
            { for ThemeChoice::ALL.into_iter().map(|option| html! {
                <option value={option.as_str()} selected={session.theme == option}>{ option.label() }</option>
            }) }
        </select>
    }
}
