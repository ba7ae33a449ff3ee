//! The command palette (Ctrl/Cmd+K): every screen and action, narrowed as
//! you type, chosen with the arrow keys and Enter, closed with Escape.

use crate::actions;
use crate::state::palette::{entries, matching};
use crate::state::session::{SessionAction, SessionContext};
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// Whether the window runs on macOS, where the modifier is Cmd.
fn on_mac() -> bool {
    web_sys::window()
        .and_then(|window| window.navigator().user_agent().ok())
        .is_some_and(|agent| agent.contains("Mac"))
}

/// The palette, while the session has it open.
#[component]
pub fn CommandPalette() -> Html {
    let session = use_context::<SessionContext>().expect("CommandPalette is inside the session provider");
    let query = use_state(String::new);
    let selected = use_state(|| 0_usize);
    let input = use_node_ref();
    {
        let input = input.clone();
        let (query, selected) = (query.clone(), selected.clone());
        use_effect_with(session.palette_open, move |open| {
            if *open {
                query.set(String::new());
                selected.set(0);
                if let Some(input) = input.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                }
            }
        });
    }
    if !session.palette_open {
        return html! {};
    }

    let all = entries(&session, on_mac());
    let shown: Vec<_> = matching(&all, &query).into_iter().cloned().collect();
    let current = (*selected).min(shown.len().saturating_sub(1));
    let close = {
        let session = session.clone();
        Callback::from(move |_| session.dispatch(SessionAction::Palette(false)))
    };
    let choose = {
        let session = session.clone();
        move |command: crate::state::palette::Command| {
            session.dispatch(SessionAction::Palette(false));
            actions::run(&session, &command);
        }
    };
    let on_input = {
        let (query, selected) = (query.clone(), selected.clone());
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                query.set(input.value());
                selected.set(0);
            }
        })
    };
    let on_key = {
        let (selected, session, shown, choose) =
            (selected.clone(), session.clone(), shown.clone(), choose.clone());
        Callback::from(move |event: KeyboardEvent| match event.key().as_str() {
            "ArrowDown" => {
                event.prevent_default();
                selected.set((current + 1).min(shown.len().saturating_sub(1)));
            }
            "ArrowUp" => {
                event.prevent_default();
                selected.set(current.saturating_sub(1));
            }
            "Enter" => {
                event.prevent_default();
                if let Some(entry) = shown.get(current) {
                    choose(entry.command.clone());
                }
            }
            "Escape" => {
                event.prevent_default();
                session.dispatch(SessionAction::Palette(false));
            }
            _ => {}
        })
    };
    let active_id = shown.get(current).map(|entry| format!("palette-{}", entry.id));

    html! {
        <div class="modal-backdrop palette-backdrop" onclick={close.clone()}>
            <div class="modal palette" id="command-palette" role="dialog" aria-label="Command palette"
                onclick={Callback::from(|event: MouseEvent| event.stop_propagation())}>
                <input ref={input} id="palette-input" type="search" autocomplete="off"
                    placeholder="Type a screen or an action…" aria-label="Search commands"
                    role="combobox" aria-expanded="true" aria-controls="palette-list"
                    aria-activedescendant={active_id}
                    value={(*query).clone()} oninput={on_input} onkeydown={on_key} />
                <ul id="palette-list" class="palette-list" role="listbox">
                    { for shown.iter().enumerate().map(|(index, entry)| {
                        let command = entry.command.clone();
                        let choose = choose.clone();
                        html! {
                            <li id={format!("palette-{}", entry.id)} class={classes!("palette-entry", (index == current).then_some("selected"))}
                                role="option" aria-selected={(index == current).to_string()} data-command={entry.id.clone()}
                                onclick={Callback::from(move |_| choose(command.clone()))}>
                                <span>{ &entry.label }</span>
                                if let Some(shortcut) = &entry.shortcut {
                                    <kbd>{ shortcut }</kbd>
                                }
                            </li>
                        }
                    }) }
                    if shown.is_empty() {
                        <li class="palette-empty muted" id="palette-empty">{ "Nothing matches. Try fewer words, such as “tab” or “connect”." }</li>
                    }
                </ul>
                <p class="muted palette-hint">{ "↑ ↓ to choose · Enter to run · Esc to close" }</p>
            </div>
        </div>
    }
}
