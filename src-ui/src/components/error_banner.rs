//! An error as the user sees it: what went wrong, in words, and its code.

use fluxdesk_types::ApiError;
use yew::prelude::*;

/// Properties of [`ErrorBanner`].
#[derive(Properties, PartialEq)]
pub struct ErrorBannerProps {
    /// The error to show.
    pub error: ApiError,
    /// Optional action, e.g. "Retry".
    #[prop_or_default]
    pub on_retry: Option<Callback<MouseEvent>>,
}

/// A red banner with the error's message.
#[component]
pub fn ErrorBanner(props: &ErrorBannerProps) -> Html {
    html! {
        <div class="error-banner" role="alert" data-code={props.error.code.as_str()}>
            <span class="error-message">{ &props.error.message }</span>
            if let Some(on_retry) = &props.on_retry {
                <button class="button" onclick={on_retry.clone()}>{ "Retry" }</button>
            }
        </div>
    }
}
