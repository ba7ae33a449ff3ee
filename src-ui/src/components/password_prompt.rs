//! Asks for the password of a profile that does not keep one.

use crate::app::connect;
use crate::state::session::{SessionAction, SessionContext};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A dialog shown while a profile waits for its password.
#[component]
pub fn PasswordPrompt() -> Html {
    let session = use_context::<SessionContext>().expect("PasswordPrompt is inside the session provider");
    let input = use_node_ref();
    let Some((id, reason)) = session.password_prompt.clone() else {
        return html! {};
    };
    let name = session
        .entry(&id)
        .map(|e| e.profile.name.clone())
        .unwrap_or_default();
    let on_submit = {
        let session = session.clone();
        let input = input.clone();
        let id = id.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let password = input
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            connect(session.clone(), id.clone(), Some(password));
        })
    };
    let on_cancel = {
        let session = session.clone();
        Callback::from(move |_| session.dispatch(SessionAction::PasswordPromptClosed))
    };
    html! {
        <div class="modal-backdrop">
            <form class="modal" id="password-prompt" onsubmit={on_submit}>
                <h2>{ format!("Password for {name}") }</h2>
                <p class="muted" id="prompt-reason">{ reason }</p>
                <p class="muted">{ "It is used for this connection only and not saved." }</p>
                <input ref={input} id="prompt-password" type="password" autocomplete="off" autofocus=true />
                <div class="modal-actions">
                    <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
                    <button type="submit" class="button primary">{ "Connect" }</button>
                </div>
            </form>
        </div>
    }
}
