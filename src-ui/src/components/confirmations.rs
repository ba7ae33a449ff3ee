//! The two questions asked before an action: "Are you sure?" and, on
//! production, a step-up. Both hold the pending action and run it on yes.

use crate::components::StepUpDialog;
use yew::prelude::*;

/// "Are you sure?" for the action held in `pending`; yes runs it with `perform`.
/// `dialog_id` names the dialog and `<dialog_id>-yes` its confirm button.
pub fn confirm_dialog<T: Clone + 'static>(
    dialog_id: &'static str,
    question: String,
    pending: &UseStateHandle<Option<T>>,
    perform: &Callback<T>,
) -> Html {
    let Some(action) = (**pending).clone() else {
        return Html::default();
    };
    let on_yes = {
        let (pending, perform) = (pending.clone(), perform.clone());
        Callback::from(move |_: MouseEvent| {
            pending.set(None);
            perform.emit(action.clone());
        })
    };
    let on_no = {
        let pending = pending.clone();
        Callback::from(move |_: MouseEvent| pending.set(None))
    };
    html! {
        <div class="modal-backdrop">
            <div class="modal" id={dialog_id} role="alertdialog">
                <h2>{ "Are you sure?" }</h2>
                <p>{ question }</p>
                <div class="modal-actions">
                    <button class="button" onclick={on_no}>{ "Cancel" }</button>
                    <button id={format!("{dialog_id}-yes")} class="button danger" onclick={on_yes}>{ "Yes, do it" }</button>
                </div>
            </div>
        </div>
    }
}

/// The step-up for the action held in `pending`; once confirmed, it runs again with `perform`.
pub fn step_up_dialog<T: Clone + 'static>(
    profile_id: &str,
    purpose: &str,
    pending: &UseStateHandle<Option<T>>,
    perform: &Callback<T>,
) -> Html {
    let Some(action) = (**pending).clone() else {
        return Html::default();
    };
    let on_confirmed = {
        let (pending, perform) = (pending.clone(), perform.clone());
        Callback::from(move |_| {
            pending.set(None);
            perform.emit(action.clone());
        })
    };
    let on_cancel = {
        let pending = pending.clone();
        Callback::from(move |_| pending.set(None))
    };
    html! {
        <StepUpDialog profile_id={profile_id.to_owned()} purpose={purpose.to_owned()} on_confirmed={on_confirmed} on_cancel={on_cancel} />
    }
}
