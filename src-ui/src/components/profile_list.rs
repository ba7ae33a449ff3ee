//! The saved profiles: create (by form or from a URL), test, connect, edit,
//! delete, export and import.

use crate::app::{connect, refresh_profiles};
use crate::components::profile_editor::blank_profile;
use crate::components::{DiagnosisView, ErrorBanner, FirstRun, ProfileEditor};
use crate::services;
use crate::state::session::{SessionAction, SessionContext, View};
use fluxdesk_types::{ApiError, Diagnosis, EnvironmentKind, PasswordState, Profile, ProfileEntry};
use std::collections::BTreeMap;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Test results per profile id; `None` while a test runs.
#[derive(Debug, Clone, PartialEq, Default)]
struct TestResults(BTreeMap<String, Option<Diagnosis>>);

enum TestEvent {
    Started(String),
    Finished(String, Diagnosis),
}

impl Reducible for TestResults {
    type Action = TestEvent;

    fn reduce(self: Rc<Self>, action: TestEvent) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            TestEvent::Started(id) => next.0.insert(id, None),
            TestEvent::Finished(id, diagnosis) => next.0.insert(id, Some(diagnosis)),
        };
        Rc::new(next)
    }
}

fn password_note(state: PasswordState) -> &'static str {
    match state {
        PasswordState::Saved => "password in the OS keyring",
        PasswordState::Missing => "no password saved",
        PasswordState::AskEveryTime => "password asked each time",
        PasswordState::KeyringUnavailable => "keyring unavailable: password asked when connecting",
        PasswordState::ThisRunOnly => "given at launch, for this run only",
    }
}

fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}

/// The start screen.
#[component]
pub fn ProfileList() -> Html {
    let session = use_context::<SessionContext>().expect("ProfileList is inside the session provider");
    let editing = use_state(|| Option::<Profile>::None);
    let tests = use_reducer(TestResults::default);
    let confirming_delete = use_state(|| Option::<String>::None);
    let delete_error = use_state(|| Option::<(String, ApiError)>::None);
    let url_error = use_state(|| Option::<ApiError>::None);
    let transfer_note = use_state(|| Option::<Result<String, ApiError>>::None);
    let url_name = use_node_ref();
    let url_input = use_node_ref();
    let url_environment = use_node_ref();
    let transfer_path = use_node_ref();
    let keyring_available = session.keyring_error.is_none();

    if let Some(profile) = &*editing {
        let on_done = {
            let editing = editing.clone();
            let session = session.clone();
            Callback::from(move |saved: Option<ProfileEntry>| {
                if let Some(entry) = saved {
                    session.dispatch(SessionAction::ProfileSaved(entry));
                }
                editing.set(None);
            })
        };
        return html! {
            <main class="page">
                <ProfileEditor profile={profile.clone()} {keyring_available} {on_done} />
            </main>
        };
    }

    let on_create_from_url = {
        let session = session.clone();
        let url_error = url_error.clone();
        let (url_name, url_input, url_environment) =
            (url_name.clone(), url_input.clone(), url_environment.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let name = input_value(&url_name);
            let url = input_value(&url_input);
            let environment = match url_environment
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .as_deref()
            {
                Some("production") => Some(EnvironmentKind::Production),
                Some("staging") => Some(EnvironmentKind::Staging),
                Some("development") => Some(EnvironmentKind::Development),
                _ => None,
            };
            let session = session.clone();
            let url_error = url_error.clone();
            let url_input = url_input.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match services::create_profile_from_url(&url, Some(&name), environment).await {
                    Ok(entry) => {
                        // The URL may hold a password: it is in the keyring now, not in the form.
                        if let Some(input) = url_input.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                        url_error.set(None);
                        session.dispatch(SessionAction::ProfileSaved(entry));
                    }
                    Err(error) => url_error.set(Some(error)),
                }
            });
        })
    };

    let transfer = |export: bool, transfer_path: NodeRef| {
        let transfer_note = transfer_note.clone();
        let session = session.clone();
        Callback::from(move |_| {
            let path = input_value(&transfer_path);
            let transfer_note = transfer_note.clone();
            let session = session.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let note = if export {
                    services::export_profiles(&path)
                        .await
                        .map(|count| format!("Exported {count} profiles (without passwords) to {path}."))
                } else {
                    services::import_profiles(&path).await.map(|report| {
                        refresh_profiles(session);
                        format!(
                            "Imported {}. Enter their passwords when you connect.",
                            report.added.join(", ")
                        )
                    })
                };
                transfer_note.set(Some(note));
            });
        })
    };

    let on_new = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(Some(blank_profile())))
    };
    let on_fleet = {
        let session = session.clone();
        Callback::from(move |_| session.dispatch(SessionAction::Show(View::Fleet)))
    };

    let cards = session.profiles.iter().map(|entry| {
        let profile = &entry.profile;
        let id = profile.id.clone();
        let on_connect = {
            let session = session.clone();
            let id = id.clone();
            Callback::from(move |_| {
                if session.connections.contains_key(&id) {
                    session.dispatch(SessionAction::Show(View::Instance(id.clone())));
                } else {
                    connect(session.clone(), id.clone(), None);
                }
            })
        };
        let on_test = {
            let tests = tests.clone();
            let id = id.clone();
            Callback::from(move |_| {
                let tests = tests.clone();
                let id = id.clone();
                tests.dispatch(TestEvent::Started(id.clone()));
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(diagnosis) = services::test_profile(&id, None).await {
                        tests.dispatch(TestEvent::Finished(id, diagnosis));
                    }
                });
            })
        };
        let on_edit = {
            let editing = editing.clone();
            let profile = profile.clone();
            Callback::from(move |_| editing.set(Some(profile.clone())))
        };
        let confirming = confirming_delete.as_deref() == Some(id.as_str());
        let on_delete = {
            let session = session.clone();
            let confirming_delete = confirming_delete.clone();
            let delete_error = delete_error.clone();
            let id = id.clone();
            Callback::from(move |_| {
                if confirming_delete.as_deref() != Some(id.as_str()) {
                    confirming_delete.set(Some(id.clone()));
                    return;
                }
                let session = session.clone();
                let id = id.clone();
                let delete_error = delete_error.clone();
                confirming_delete.set(None);
                wasm_bindgen_futures::spawn_local(async move {
                    match services::delete_profile(&id).await {
                        Ok(()) => {
                            delete_error.set(None);
                            session.dispatch(SessionAction::ProfileDeleted(id));
                        }
                        Err(error) => delete_error.set(Some((id, error))),
                    }
                });
            })
        };
        let connecting = session.connecting.as_deref() == Some(id.as_str());
        let failure = session
            .failure
            .as_ref()
            .filter(|(failed, _)| failed == &id)
            .map(|(_, error)| error.clone())
            .or_else(|| delete_error.as_ref().filter(|(failed, _)| failed == &id).map(|(_, error)| error.clone()));
        let test = tests.0.get(&id).cloned();
        html! {
            <li class="profile-card" key={id.clone()} data-profile-name={profile.name.clone()}
                data-environment={profile.environment.kind.as_str()}
                style={format!("--env-colour: {}", profile.environment.colour)}>
                <div class="profile-main">
                    <div class="profile-title">
                        <span class="profile-name">{ &profile.name }</span>
                        <span class="environment-chip">{ &profile.environment.label }</span>
                        <span class="protection-chip">{ profile.protection.label() }</span>
                        if entry.connected {
                            <span class="connected-chip">{ "connected" }</span>
                        }
                        if !entry.saved {
                            <span class="muted">{ "(this run only)" }</span>
                        }
                    </div>
                    <div class="profile-target">
                        { format!("{}@{}:{}/{} · TLS {} · {}", profile.user, profile.host, profile.port, profile.database,
                            profile.tls_mode.as_str(), password_note(entry.password)) }
                    </div>
                </div>
                <div class="profile-actions">
                    <button class="button test-profile" onclick={on_test}>{ "Test" }</button>
                    if entry.saved {
                        <button class="button edit-profile" onclick={on_edit}>{ "Edit" }</button>
                        <button class={classes!("button", "delete-profile", confirming.then_some("danger"))} onclick={on_delete}>
                            { if confirming { "Really delete?" } else { "Delete" } }
                        </button>
                    }
                    <button class="button primary connect-profile" disabled={connecting} onclick={on_connect}>
                        { if connecting { "Connecting…" } else if entry.connected { "Open" } else { "Connect" } }
                    </button>
                </div>
                { match test {
                    Some(Some(diagnosis)) => html! { <DiagnosisView {diagnosis} /> },
                    Some(None) => html! { <div class="diagnosis pending">{ "Testing…" }</div> },
                    None => html! {},
                } }
                if let Some(error) = failure {
                    <ErrorBanner {error} />
                }
            </li>
        }
    });

    html! {
        <main class="page">
            <div class="page-header">
                <h1>{ "Profiles" }</h1>
                <button id="new-profile" class="button" onclick={on_new}>{ "New profile" }</button>
                <button id="show-fleet" class="button" onclick={on_fleet}>{ "Fleet overview" }</button>
            </div>
            if let Some(error) = &session.launch_error {
                <ErrorBanner error={error.clone()} />
            }
            if let Some(error) = &session.keyring_error {
                <ErrorBanner error={error.clone()} />
            }
            if session.profiles.is_empty() {
                <FirstRun />
            }
            <ul class="profile-list" onkeydown={crate::keyboard::list_arrows(".profile-card .connect-profile")}>{ for cards }</ul>

            <form class="panel" id="from-url" onsubmit={on_create_from_url}>
                <h2>{ "Create a profile from a URL" }</h2>
                <div class="form-grid">
                    <label>{ "Name" }<input ref={url_name} id="url-profile-name" placeholder="Production" /></label>
                    <label>{ "Environment" }
                        <select ref={url_environment} id="url-profile-environment">
                            <option value="guess" selected=true>{ "Guess from the names" }</option>
                            <option value="production">{ "Production" }</option>
                            <option value="staging">{ "Staging" }</option>
                            <option value="development">{ "Development" }</option>
                        </select>
                    </label>
                </div>
                <label>{ "Connection URL (its password goes to the OS keyring)" }
                    <input ref={url_input} id="url-profile-url" type="password" autocomplete="off" required=true
                        placeholder="postgres://user:password@host:5432/database?sslmode=verify-full" />
                </label>
                if let Some(error) = &*url_error {
                    <ErrorBanner error={error.clone()} />
                }
                <button id="create-from-url" class="button primary" type="submit">{ "Create profile" }</button>
            </form>

            <section class="panel">
                <h2>{ "Export and import" }</h2>
                <p class="muted">{ "Exports hold no passwords." }</p>
                <label>{ "File" }<input ref={transfer_path.clone()} id="transfer-path" placeholder="/home/me/fluxdesk-profiles.json" /></label>
                <div class="form-actions">
                    <button id="export-profiles" class="button" onclick={transfer(true, transfer_path.clone())}>{ "Export" }</button>
                    <button id="import-profiles" class="button" onclick={transfer(false, transfer_path.clone())}>{ "Import" }</button>
                </div>
                { match &*transfer_note {
                    Some(Ok(note)) => html! { <p class="note">{ note }</p> },
                    Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
                    None => html! {},
                } }
            </section>
        </main>
    }
}
