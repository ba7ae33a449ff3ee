//! Step-up: a fresh TOTP code (or the password without 2FA) before a
//! sensitive action, checked by the backend.

use crate::components::ErrorBanner;
use crate::services;
use fluxdesk_types::ApiError;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`StepUpDialog`].
#[derive(Properties, PartialEq)]
pub struct StepUpDialogProps {
    /// The instance.
    pub profile_id: String,
    /// What it is for, e.g. "commit a write on production".
    pub purpose: String,
    /// Called once the backend accepted the step-up.
    pub on_confirmed: Callback<()>,
    /// Called when the user gives up.
    pub on_cancel: Callback<()>,
}

/// A modal asking for a fresh code.
#[component]
pub fn StepUpDialog(props: &StepUpDialogProps) -> Html {
    let input = use_node_ref();
    let error = use_state(|| Option::<ApiError>::None);
    let busy = use_state(|| false);
    let on_submit = {
        let input = input.clone();
        let error = error.clone();
        let busy = busy.clone();
        let id = props.profile_id.clone();
        let purpose = props.purpose.clone();
        let on_confirmed = props.on_confirmed.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let secret = input
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let (error, busy, id, purpose, on_confirmed) = (
                error.clone(),
                busy.clone(),
                id.clone(),
                purpose.clone(),
                on_confirmed.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::step_up(&id, &secret, &purpose).await {
                    Ok(()) => on_confirmed.emit(()),
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };
    let on_cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_| on_cancel.emit(()))
    };
    html! {
        <div class="modal-backdrop">
            <form class="modal" id="step-up" onsubmit={on_submit}>
                <h2>{ "Confirm it is you" }</h2>
                <p class="muted">{ format!("To {}, enter the current code from your authenticator (or your password if two-factor authentication is off).", props.purpose) }</p>
                <input ref={input} id="step-up-secret" type="password" autocomplete="one-time-code" autofocus=true />
                if let Some(failure) = &*error {
                    <ErrorBanner error={failure.clone()} />
                }
                <div class="modal-actions">
                    <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
                    <button type="submit" id="step-up-confirm" class="button primary" disabled={*busy}>{ "Confirm" }</button>
                </div>
            </form>
        </div>
    }
}
