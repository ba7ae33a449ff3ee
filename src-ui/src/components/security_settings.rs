//! The signed-in admin's own security: TOTP enrolment (QR code, URI, backup
//! codes shown once), turning 2FA off, and the session timeouts.

use crate::components::ErrorBanner;
use crate::services;
use fluxdesk_types::{AdminSession, ApiError, SessionPolicy, TotpEnrolment};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Properties of [`SecuritySettings`].
#[derive(Properties, PartialEq)]
pub struct SecuritySettingsProps {
    /// The instance.
    pub profile_id: String,
    /// The signed-in admin.
    pub admin: AdminSession,
}

#[derive(Clone, PartialEq)]
enum TwoFactor {
    Off,
    Enrolling(TotpEnrolment),
    ShowingBackupCodes(Vec<String>),
    On,
}

fn value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The Security tab.
#[component]
pub fn SecuritySettings(props: &SecuritySettingsProps) -> Html {
    let initial = if props.admin.totp_enabled {
        TwoFactor::On
    } else {
        TwoFactor::Off
    };
    let state = use_state(|| initial);
    let error = use_state(|| Option::<ApiError>::None);
    let (code, password, disable_code) = (use_node_ref(), use_node_ref(), use_node_ref());
    let (idle, absolute) = (use_node_ref(), use_node_ref());
    let policy = use_state(|| Option::<SessionPolicy>::None);
    let saved_note = use_state(|| Option::<String>::None);
    {
        let policy = policy.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(current) = services::session_policy().await {
                    policy.set(Some(current));
                }
            });
        });
    }
    let id = props.profile_id.clone();
    let on_enable = {
        let (state, error, id) = (state.clone(), error.clone(), id.clone());
        Callback::from(move |_: MouseEvent| {
            let (state, error, id) = (state.clone(), error.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::begin_totp_enrolment(&id).await {
                    Ok(enrolment) => {
                        error.set(None);
                        state.set(TwoFactor::Enrolling(enrolment));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_confirm = {
        let (state, error, id, code) = (state.clone(), error.clone(), id.clone(), code.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (state, error, id, typed) = (state.clone(), error.clone(), id.clone(), value(&code));
            wasm_bindgen_futures::spawn_local(async move {
                match services::confirm_totp(&id, &typed).await {
                    Ok(codes) => {
                        error.set(None);
                        state.set(TwoFactor::ShowingBackupCodes(codes.codes));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_saved_codes = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.set(TwoFactor::On))
    };
    let on_disable = {
        let (state, error, id) = (state.clone(), error.clone(), id.clone());
        let (password, disable_code) = (password.clone(), disable_code.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (state, error, id) = (state.clone(), error.clone(), id.clone());
            let (typed_password, typed_code) = (value(&password), value(&disable_code));
            wasm_bindgen_futures::spawn_local(async move {
                match services::disable_totp(&id, &typed_password, &typed_code).await {
                    Ok(()) => {
                        error.set(None);
                        state.set(TwoFactor::Off);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };
    let on_save_policy = {
        let (idle, absolute, policy, error, saved_note) = (
            idle.clone(),
            absolute.clone(),
            policy.clone(),
            error.clone(),
            saved_note.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let minutes: f64 = value(&idle).parse().unwrap_or(0.0);
            let hours: f64 = value(&absolute).parse().unwrap_or(0.0);
            let wanted = SessionPolicy {
                idle_timeout_secs: (minutes * 60.0).round().max(0.0) as u64,
                absolute_timeout_secs: (hours * 3600.0).round().max(0.0) as u64,
            };
            let (policy, error, saved_note) = (policy.clone(), error.clone(), saved_note.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match services::set_session_policy(wanted).await {
                    Ok(saved) => {
                        policy.set(Some(saved));
                        error.set(None);
                        saved_note.set(Some("Saved; it applies to open sessions now.".into()));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
            });
        })
    };

    let two_factor = match &*state {
        TwoFactor::Off => html! {
            <>
                <p>{ "Two-factor authentication is " }<strong id="totp-status">{ "off" }</strong>{ ". Fluxbase's web dashboard will ask for the same codes." }</p>
                <div class="form-actions"><button id="enable-2fa" class="button primary" onclick={on_enable}>{ "Set up two-factor authentication" }</button></div>
            </>
        },
        TwoFactor::Enrolling(enrolment) => html! {
            <form class="enrolment" onsubmit={on_confirm}>
                <p>{ "Scan this QR code with your authenticator app, or enter the key by hand, then type the 6-digit code it shows." }</p>
                <img id="totp-qr" class="totp-qr" alt="QR code for your authenticator" src={format!("data:image/png;base64,{}", enrolment.qr_png_base64)} />
                <p class="muted">{ "Key: " }<code id="totp-secret">{ &enrolment.secret }</code></p>
                <p class="muted uri">{ "URI: " }<code id="totp-uri">{ &enrolment.otpauth_uri }</code></p>
                <label>{ "Code" }<input ref={code} id="totp-code" inputmode="numeric" autocomplete="one-time-code" autofocus=true /></label>
                <div class="form-actions"><button type="submit" id="confirm-2fa" class="button primary">{ "Turn on" }</button></div>
            </form>
        },
        TwoFactor::ShowingBackupCodes(codes) => html! {
            <div class="backup-codes-box">
                <p><strong>{ "Two-factor authentication is on." }</strong>{ " Save these backup codes now: each works once, and they are not shown again." }</p>
                <ol id="backup-codes" class="backup-codes">{ for codes.iter().map(|c| html! { <li><code>{ c }</code></li> }) }</ol>
                <div class="form-actions"><button id="backup-codes-saved" class="button primary" onclick={on_saved_codes}>{ "I have saved them" }</button></div>
            </div>
        },
        TwoFactor::On => html! {
            <form class="disable-2fa" onsubmit={on_disable}>
                <p>{ "Two-factor authentication is " }<strong id="totp-status">{ "on" }</strong>{ ". To turn it off, confirm with your password and a code." }</p>
                <div class="form-grid">
                    <label>{ "Password" }<input ref={password} id="disable-password" type="password" autocomplete="current-password" /></label>
                    <label>{ "Code or backup code" }<input ref={disable_code} id="disable-code" autocomplete="one-time-code" /></label>
                </div>
                <div class="form-actions"><button type="submit" id="disable-2fa" class="button danger">{ "Turn off" }</button></div>
            </form>
        },
    };
    html! {
        <div class="security">
            <div class="page-header"><h1>{ "Security" }</h1></div>
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            <section class="panel" id="two-factor">
                <h2>{ "Two-factor authentication" }</h2>
                { two_factor }
            </section>
            <section class="panel" id="session-timeouts">
                <h2>{ "Session timeouts" }</h2>
                <p class="muted">{ "The window locks after the idle time without keys or clicks, and after the maximum length whatever you do. Unlocking needs your password (and code)." }</p>
                if let Some(current) = &*policy {
                    <form class="form-grid" onsubmit={on_save_policy}>
                        <label>{ "Idle, minutes" }<input ref={idle} id="idle-minutes" type="number" min="0.1" step="any" value={format!("{}", current.idle_timeout_secs as f64 / 60.0)} /></label>
                        <label>{ "Maximum, hours" }<input ref={absolute} id="absolute-hours" type="number" min="0.1" step="any" value={format!("{}", current.absolute_timeout_secs as f64 / 3600.0)} /></label>
                        <div class="form-actions"><button type="submit" id="save-timeouts" class="button">{ "Save" }</button></div>
                    </form>
                }
                if let Some(note) = &*saved_note {
                    <p class="note" id="timeouts-saved">{ note }</p>
                }
            </section>
        </div>
    }
}
