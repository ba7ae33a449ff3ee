//! Creating and editing a profile, with "Test connection" before saving.

use crate::components::{DiagnosisView, ErrorBanner};
use crate::services;
use fluxdesk_types::{
    ApiError, Diagnosis, Environment, EnvironmentKind, PasswordStorage, Profile, ProfileDraft, ProfileEntry,
    Protection, TlsMode,
};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A new profile's starting values.
pub fn blank_profile() -> Profile {
    Profile {
        id: String::new(),
        name: String::new(),
        host: "localhost".into(),
        port: 5432,
        database: "postgres".into(),
        user: "postgres".into(),
        tls_mode: TlsMode::Prefer,
        ca_file: None,
        connect_timeout_secs: 5,
        statement_timeout_secs: 30,
        environment: Environment::of_kind(EnvironmentKind::Development),
        protection: Protection::Open,
        password_storage: PasswordStorage::Keyring,
    }
}

/// Properties of [`ProfileEditor`].
#[derive(Properties, PartialEq)]
pub struct ProfileEditorProps {
    /// The profile to edit (an empty id creates one).
    pub profile: Profile,
    /// Whether the OS keyring is usable; if not, the password is asked every time.
    pub keyring_available: bool,
    /// Called with the saved entry, or `None` when cancelled.
    pub on_done: Callback<Option<ProfileEntry>>,
}

type Apply = fn(&mut ProfileDraft, String);

fn text_field(
    draft: &UseStateHandle<ProfileDraft>,
    id: &str,
    label: &str,
    value: String,
    apply: Apply,
) -> Html {
    let draft = draft.clone();
    let oninput = Callback::from(move |event: InputEvent| {
        let value = event.target_unchecked_into::<HtmlInputElement>().value();
        let mut next = (*draft).clone();
        apply(&mut next, value);
        draft.set(next);
    });
    html! {
        <label>{ label }<input id={id.to_owned()} value={value} {oninput} /></label>
    }
}

fn select_field(
    draft: &UseStateHandle<ProfileDraft>,
    id: &str,
    label: &str,
    selected: &str,
    options: &[(&'static str, &'static str)],
    apply: Apply,
) -> Html {
    let draft = draft.clone();
    let onchange = Callback::from(move |event: Event| {
        let value = event.target_unchecked_into::<HtmlSelectElement>().value();
        let mut next = (*draft).clone();
        apply(&mut next, value);
        draft.set(next);
    });
    html! {
        <label>{ label }
            <select id={id.to_owned()} {onchange}>
                { for options.iter().map(|(value, text)| html! {
                    <option value={*value} selected={*value == selected}>{ *text }</option>
                }) }
            </select>
        </label>
    }
}

fn parse_kind(value: &str) -> EnvironmentKind {
    match value {
        "production" => EnvironmentKind::Production,
        "staging" => EnvironmentKind::Staging,
        "custom" => EnvironmentKind::Custom,
        _ => EnvironmentKind::Development,
    }
}

/// The profile form.
#[component]
pub fn ProfileEditor(props: &ProfileEditorProps) -> Html {
    let draft = use_state(|| ProfileDraft {
        profile: props.profile.clone(),
        password: None,
    });
    let error = use_state(|| Option::<ApiError>::None);
    let diagnosis = use_state(|| Option::<Diagnosis>::None);
    let busy = use_state(|| false);
    let profile = &draft.profile;

    let on_test = {
        let draft = draft.clone();
        let diagnosis = diagnosis.clone();
        let error = error.clone();
        let busy = busy.clone();
        Callback::from(move |_| {
            let draft = (*draft).clone();
            let diagnosis = diagnosis.clone();
            let error = error.clone();
            let busy = busy.clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::test_draft(&draft).await {
                    Ok(result) => {
                        diagnosis.set(Some(result));
                        error.set(None);
                    }
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };
    let on_save = {
        let draft = draft.clone();
        let error = error.clone();
        let on_done = props.on_done.clone();
        let busy = busy.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let to_save = (*draft).clone();
            let error = error.clone();
            let on_done = on_done.clone();
            let busy = busy.clone();
            let draft = draft.clone();
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match services::save_profile(&to_save).await {
                    Ok(entry) => {
                        // The password went to the keyring; keep no copy here.
                        draft.set(ProfileDraft {
                            password: None,
                            ..to_save
                        });
                        on_done.emit(Some(entry));
                    }
                    Err(failure) => error.set(Some(failure)),
                }
                busy.set(false);
            });
        })
    };
    let on_cancel = {
        let on_done = props.on_done.clone();
        Callback::from(move |_| on_done.emit(None))
    };
    let on_ask_every_time = {
        let draft = draft.clone();
        Callback::from(move |event: Event| {
            let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
            let mut next = (*draft).clone();
            next.profile.password_storage = if checked {
                PasswordStorage::AskEveryTime
            } else {
                PasswordStorage::Keyring
            };
            next.password = None;
            draft.set(next);
        })
    };
    let on_password = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = (*draft).clone();
            next.password = Some(value);
            draft.set(next);
        })
    };
    let on_colour = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            let mut next = (*draft).clone();
            next.profile.environment.colour = value;
            draft.set(next);
        })
    };
    let asks = profile.password_storage == PasswordStorage::AskEveryTime;
    let verifies = matches!(profile.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull);

    html! {
        <form class="profile-editor" id="profile-editor" onsubmit={on_save}
            style={format!("--env-colour: {}", profile.environment.colour)}>
            <h2>{ if profile.id.is_empty() { "New profile" } else { "Edit profile" } }</h2>
            <div class="form-grid">
                { text_field(&draft, "profile-name", "Name", profile.name.clone(), |d, v| d.profile.name = v) }
                { text_field(&draft, "profile-host", "Host or socket folder", profile.host.clone(), |d, v| d.profile.host = v) }
                { text_field(&draft, "profile-port", "Port", profile.port.to_string(),
                    |d, v| d.profile.port = v.trim().parse().unwrap_or(0)) }
                { text_field(&draft, "profile-database", "Database", profile.database.clone(), |d, v| d.profile.database = v) }
                { text_field(&draft, "profile-user", "User", profile.user.clone(), |d, v| d.profile.user = v) }
                <label>{ "Password" }
                    <input id="profile-password" type="password" autocomplete="off" disabled={asks}
                        placeholder={if asks { "asked at every connection" } else if profile.id.is_empty() { "" } else { "unchanged" }}
                        value={draft.password.clone().unwrap_or_default()} oninput={on_password} />
                </label>
                <label class="checkbox">
                    <input id="profile-ask-password" type="checkbox" checked={asks} onchange={on_ask_every_time} />
                    { if props.keyring_available {
                        "Ask for the password every time (keep none in the OS keyring)"
                    } else {
                        "Ask for the password every time: no OS keyring is available to keep it"
                    } }
                </label>
                { select_field(&draft, "profile-tls", "TLS", profile.tls_mode.as_str(), &[
                    ("disable", "disable"), ("prefer", "prefer"), ("require", "require"),
                    ("verify-ca", "verify-ca"), ("verify-full", "verify-full"),
                ], |d, v| {
                    d.profile.tls_mode = match v.as_str() {
                        "disable" => TlsMode::Disable,
                        "require" => TlsMode::Require,
                        "verify-ca" => TlsMode::VerifyCa,
                        "verify-full" => TlsMode::VerifyFull,
                        _ => TlsMode::Prefer,
                    };
                    if !matches!(d.profile.tls_mode, TlsMode::VerifyCa | TlsMode::VerifyFull) {
                        d.profile.ca_file = None;
                    }
                }) }
                if verifies {
                    { text_field(&draft, "profile-ca-file", "CA file (empty: the system's)", profile.ca_file.clone().unwrap_or_default(),
                        |d, v| d.profile.ca_file = Some(v).filter(|v| !v.trim().is_empty())) }
                }
                { text_field(&draft, "profile-connect-timeout", "Connect timeout (s)", profile.connect_timeout_secs.to_string(),
                    |d, v| d.profile.connect_timeout_secs = v.trim().parse().unwrap_or(0)) }
                { text_field(&draft, "profile-statement-timeout", "Statement timeout (s, 0: none)", profile.statement_timeout_secs.to_string(),
                    |d, v| d.profile.statement_timeout_secs = v.trim().parse().unwrap_or(u32::MAX)) }
                { select_field(&draft, "profile-environment", "Environment", profile.environment.kind.as_str(), &[
                    ("production", "Production"), ("staging", "Staging"), ("development", "Development"), ("custom", "Custom"),
                ], |d, v| {
                    let kind = parse_kind(&v);
                    let label = if kind == EnvironmentKind::Custom { d.profile.environment.label.clone() } else { kind.default_label().to_owned() };
                    d.profile.environment = Environment { kind, label, colour: kind.default_colour().to_owned() };
                    // A new profile takes the environment's safe default; an
                    // existing one keeps the protection it was given.
                    if d.profile.id.is_empty() {
                        d.profile.protection = kind.default_protection();
                    }
                }) }
                { text_field(&draft, "profile-environment-label", "Environment label", profile.environment.label.clone(),
                    |d, v| d.profile.environment.label = v) }
                <label>{ "Colour" }
                    <input id="profile-colour" type="color" value={profile.environment.colour.clone()} oninput={on_colour} />
                </label>
                { select_field(&draft, "profile-protection", "Protection", profile.protection.as_str(), &[
                    ("read_only", "Read-only: the server refuses writes"),
                    ("confirm_writes", "Confirm writes: show them before committing"),
                    ("open", "Open: writes commit at once"),
                ], |d, v| d.profile.protection = match v.as_str() {
                    "read_only" => Protection::ReadOnly,
                    "open" => Protection::Open,
                    _ => Protection::ConfirmWrites,
                }) }
            </div>
            if let Some(failure) = &*error {
                <ErrorBanner error={failure.clone()} />
            }
            if let Some(result) = &*diagnosis {
                <DiagnosisView diagnosis={result.clone()} />
            }
            <div class="form-actions">
                <button type="button" class="button" onclick={on_cancel}>{ "Cancel" }</button>
                <button type="button" id="test-draft" class="button" disabled={*busy} onclick={on_test}>{ "Test connection" }</button>
                <button type="submit" id="save-profile" class="button primary" disabled={*busy}>{ "Save" }</button>
            </div>
        </form>
    }
}
