//! First-time setup: "Create admin account" with a password strength meter.

use crate::components::ErrorBanner;
use crate::services;
use fluxdesk_types::{AdminSession, ApiError, FirstAdmin, PasswordStrength};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`FirstAdminForm`].
#[derive(Properties, PartialEq)]
pub struct FirstAdminFormProps {
    /// The instance.
    pub profile_id: String,
    /// Called once the admin exists and is signed in.
    pub on_signed_in: Callback<AdminSession>,
}

fn value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The setup form.
#[component]
pub fn FirstAdminForm(props: &FirstAdminFormProps) -> Html {
    let (email, name, password, again) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let strength = use_state(|| Option::<PasswordStrength>::None);
    let error = use_state(|| Option::<ApiError>::None);
    let busy = use_state(|| false);
    // Each keystroke asks the backend's estimator; only the latest answer counts.
    let asked = use_mut_ref(|| 0u32);
    let on_password = {
        let (email, name, password) = (email.clone(), name.clone(), password.clone());
        let strength = strength.clone();
        let asked = asked.clone();
        Callback::from(move |_: InputEvent| {
            let (typed, mail, full_name) = (value(&password), value(&email), value(&name));
            let ticket = {
                let mut counter = asked.borrow_mut();
                *counter += 1;
                *counter
            };
            let (strength, asked) = (strength.clone(), asked.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(verdict) = services::password_strength(&typed, &mail, &full_name).await
                    && *asked.borrow() == ticket
                {
                    strength.set(Some(verdict));
                }
            });
        })
    };
    let on_submit = {
        let (email, name, password, again) = (email.clone(), name.clone(), password.clone(), again.clone());
        let (error, busy) = (error.clone(), busy.clone());
        let id = props.profile_id.clone();
        let on_signed_in = props.on_signed_in.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if value(&password) != value(&again) {
                error.set(Some(ApiError::new(
                    fluxdesk_types::ErrorCode::InvalidInput,
                    "The two passwords differ.",
                )));
                return;
            }
            let first = FirstAdmin {
                email: value(&email),
                full_name: value(&name),
                password: value(&password),
            };
            let (error, busy, id, on_signed_in) =
                (error.clone(), busy.clone(), id.clone(), on_signed_in.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::create_first_admin(&id, &first).await {
                    Ok(session) => on_signed_in.emit(session),
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };
    let meter = match &*strength {
        None => html! {},
        Some(verdict) => html! {
            <div class="strength" id="password-strength" data-score={verdict.score.to_string()} data-acceptable={verdict.acceptable.to_string()}>
                <div class="strength-bar"><div class="strength-fill" style={format!("width: {}%", (verdict.score as u32 + 1) * 20)} /></div>
                <span class="strength-label">{ ["Very weak", "Weak", "Fair", "Strong", "Very strong"][verdict.score.min(4) as usize] }
                    { format!(" · guessed in {}", verdict.crack_time) }</span>
                if let Some(problem) = &verdict.problem {
                    <p class="strength-problem" id="password-problem">{ problem }</p>
                }
                { for verdict.suggestions.iter().map(|s| html! { <p class="muted">{ s }</p> }) }
            </div>
        },
    };
    let acceptable = strength.as_ref().is_some_and(|s| s.acceptable);
    html! {
        <form class="auth-card" id="first-admin" onsubmit={on_submit}>
            <h2>{ "Create admin account" }</h2>
            <p class="muted">{ "This instance has no admin yet. The account you create here is a Fluxbase dashboard admin: it also signs in to the web dashboard." }</p>
            <label>{ "Email" }<input ref={email} id="setup-email" type="email" autocomplete="username" autofocus=true /></label>
            <label>{ "Name" }<input ref={name} id="setup-name" autocomplete="name" /></label>
            <label>{ "Password (at least 12 characters)" }
                <input ref={password} id="setup-password" type="password" autocomplete="new-password" oninput={on_password} />
            </label>
            { meter }
            <label>{ "Password again" }<input ref={again} id="setup-password-again" type="password" autocomplete="new-password" /></label>
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            <div class="form-actions">
                <button type="submit" id="setup-submit" class="button primary" disabled={*busy || !acceptable}>
                    { if *busy { "Creating…" } else { "Create admin account" } }
                </button>
            </div>
        </form>
    }
}
