//! Help → About Fluxdesk: the version, and diagnostics to paste into a bug
//! report (versions, platform, folders and the instances' layouts; never a
//! host, user or secret).

use crate::components::ErrorBanner;
use crate::services;
use crate::state::session::{Session, SessionAction, SessionContext};
use fluxdesk_types::{ApiError, Diagnostics, FluxbaseLayout};
use yew::prelude::*;

/// The text Copy diagnostics puts on the clipboard.
pub fn diagnostics_text(diagnostics: &Diagnostics, session: &Session) -> String {
    let mut lines = vec![
        format!("Fluxdesk {}", diagnostics.app_version),
        format!("Tauri {}", diagnostics.tauri_version),
        format!("Webview {}", diagnostics.webview_version),
        format!("Platform {}", diagnostics.platform),
        format!("Log folder {}", diagnostics.log_dir),
        format!("Data folder {}", diagnostics.data_dir),
        format!("Profiles {}", session.profiles.len()),
    ];
    for (number, info) in session.connections.values().enumerate() {
        let layout = match info.layout {
            FluxbaseLayout::Dashboard => "Fluxbase 2026.3.6 (dashboard schema)",
            FluxbaseLayout::Platform => "Fluxbase 2026.3.7 (platform schema)",
            FluxbaseLayout::NotFluxbase => "plain PostgreSQL",
        };
        lines.push(format!(
            "Instance {}: PostgreSQL {}, {layout}",
            number + 1,
            info.server_version
        ));
    }
    lines.join("\n")
}

/// The About dialog, while the session has it open.
#[component]
pub fn AboutDialog() -> Html {
    let session = use_context::<SessionContext>().expect("AboutDialog is inside the session provider");
    let diagnostics = use_state(|| Option::<Result<Diagnostics, ApiError>>::None);
    let copied = use_state(|| Option::<Result<(), ApiError>>::None);
    {
        let (diagnostics, copied) = (diagnostics.clone(), copied.clone());
        use_effect_with(session.about_open, move |open| {
            if *open {
                copied.set(None);
                // The keys (Escape, Tab) go to the dialog opened from the menu.
                if let Some(close) = web_sys::window()
                    .and_then(|window| window.document())
                    .and_then(|document| document.get_element_by_id("about-close"))
                    .and_then(|close| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(close).ok())
                {
                    let _ = close.focus();
                }
                wasm_bindgen_futures::spawn_local(async move {
                    diagnostics.set(Some(services::diagnostics().await));
                });
            }
        });
    }
    if !session.about_open {
        return html! {};
    }
    let text = match &*diagnostics {
        Some(Ok(found)) => Some(diagnostics_text(found, &session)),
        _ => None,
    };
    let on_copy = {
        let (text, copied) = (text.clone(), copied.clone());
        Callback::from(move |_| {
            let Some(text) = text.clone() else { return };
            let copied = copied.clone();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(services::copy_to_clipboard(&text).await));
            });
        })
    };
    let on_close = {
        let session = session.clone();
        Callback::from(move |_| session.dispatch(SessionAction::About(false)))
    };
    let on_key = {
        let session = session.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                session.dispatch(SessionAction::About(false));
            }
        })
    };
    html! {
        <div class="modal-backdrop" onkeydown={on_key}>
            <div class="modal wide" id="about-dialog" role="dialog" aria-labelledby="about-title">
                <h2 id="about-title">{ format!("Fluxdesk {}", session.app_version) }</h2>
                <p>{ "A desktop console for Fluxbase instances. Licensed MIT OR Apache-2.0." }</p>
                { match &*diagnostics {
                    None => html! { <p class="muted">{ "Reading the diagnostics…" }</p> },
                    Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
                    Some(Ok(_)) => html! {
                        <pre id="diagnostics-text" class="diagnostics" aria-label="Diagnostics">{ text.clone().unwrap_or_default() }</pre>
                    },
                } }
                { match &*copied {
                    Some(Ok(())) => html! { <p id="diagnostics-copied" class="muted" role="status">{ "Copied to the clipboard." }</p> },
                    Some(Err(error)) => html! { <ErrorBanner error={error.clone()} /> },
                    None => html! {},
                } }
                <div class="modal-actions">
                    <button type="button" class="button" id="copy-diagnostics" onclick={on_copy} disabled={text.is_none()}>{ "Copy diagnostics" }</button>
                    <button type="button" class="button primary" id="about-close" onclick={on_close}>{ "Close" }</button>
                </div>
            </div>
        </div>
    }
}
