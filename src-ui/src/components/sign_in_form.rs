//! Signing in as a Fluxbase admin: email and password, then a TOTP or
//! backup code when the admin has 2FA. Also the lock screen's form.

use crate::components::ErrorBanner;
use crate::services;
use fluxdesk_types::{AdminSession, ApiError, Credentials, SignInOutcome};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`SignInForm`].
#[derive(Properties, PartialEq)]
pub struct SignInFormProps {
    /// The instance.
    pub profile_id: String,
    /// Prefilled email (the lock screen's admin).
    #[prop_or_default]
    pub email: String,
    /// Heading.
    pub title: String,
    /// A line under the heading, e.g. why the window locked.
    #[prop_or_default]
    pub note: Option<String>,
    /// Called once signed in.
    pub on_signed_in: Callback<AdminSession>,
}

fn value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The sign-in form.
#[component]
pub fn SignInForm(props: &SignInFormProps) -> Html {
    let email = use_node_ref();
    let password = use_node_ref();
    let code = use_node_ref();
    let needs_code = use_state(|| false);
    let error = use_state(|| Option::<ApiError>::None);
    let busy = use_state(|| false);
    let on_submit = {
        let (email, password, code) = (email.clone(), password.clone(), code.clone());
        let (needs_code, error, busy) = (needs_code.clone(), error.clone(), busy.clone());
        let id = props.profile_id.clone();
        let on_signed_in = props.on_signed_in.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let credentials = Credentials {
                email: value(&email),
                password: value(&password),
                code: needs_code.then(|| value(&code)),
            };
            let (needs_code, error, busy, id, on_signed_in) = (
                needs_code.clone(),
                error.clone(),
                busy.clone(),
                id.clone(),
                on_signed_in.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::sign_in(&id, &credentials).await {
                    Ok(SignInOutcome::SignedIn { session }) => {
                        error.set(None);
                        on_signed_in.emit(session);
                    }
                    Ok(SignInOutcome::SecondFactorNeeded) => {
                        error.set(None);
                        needs_code.set(true);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <form class="auth-card" id="sign-in" onsubmit={on_submit}>
            <h2>{ &props.title }</h2>
            if let Some(note) = &props.note {
                <p class="auth-note" id="sign-in-note">{ note }</p>
            }
            <label>{ "Admin email" }
                // Prefilled on the lock screen only: a value set on every render would wipe what was typed.
                if props.email.is_empty() {
                    <input ref={email.clone()} id="sign-in-email" type="email" autocomplete="username" autofocus=true />
                } else {
                    <input ref={email.clone()} id="sign-in-email" type="email" autocomplete="username" value={props.email.clone()} readonly=true />
                }
            </label>
            <label>{ "Password" }
                <input ref={password} id="sign-in-password" type="password" autocomplete="current-password" autofocus={!props.email.is_empty()} />
            </label>
            if *needs_code {
                <label>{ "Authenticator code or backup code" }
                    <input ref={code} id="sign-in-code" inputmode="numeric" autocomplete="one-time-code" autofocus=true />
                </label>
                <p class="muted">{ "This admin uses two-factor authentication." }</p>
            }
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            <div class="form-actions">
                <button type="submit" id="sign-in-submit" class="button primary" disabled={*busy}>
                    { if *busy { "Signing in…" } else if *needs_code { "Verify" } else { "Sign in" } }
                </button>
            </div>
        </form>
    }
}
