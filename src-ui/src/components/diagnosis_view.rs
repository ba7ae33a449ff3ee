//! A "Test connection" result, in words.

use fluxdesk_types::{Diagnosis, Problem};
use yew::prelude::*;

/// Properties of [`DiagnosisView`].
#[derive(Properties, PartialEq)]
pub struct DiagnosisViewProps {
    /// The result to show.
    pub diagnosis: Diagnosis,
}

fn problem_name(problem: Problem) -> &'static str {
    match problem {
        Problem::UnknownHost => "unknown_host",
        Problem::Refused => "refused",
        Problem::Timeout => "timeout",
        Problem::BadCredentials => "bad_credentials",
        Problem::DatabaseMissing => "database_missing",
        Problem::TlsFailure => "tls_failure",
        Problem::NotFluxbase => "not_fluxbase",
        Problem::PasswordNeeded => "password_needed",
        Problem::KeyringUnavailable => "keyring_unavailable",
        Problem::Other => "other",
    }
}

/// Green when connected to Fluxbase, amber for plain PostgreSQL, red otherwise.
#[component]
pub fn DiagnosisView(props: &DiagnosisViewProps) -> Html {
    let diagnosis = &props.diagnosis;
    let tone = match (diagnosis.connected, diagnosis.problem) {
        (true, None) => "good",
        (true, Some(_)) => "warning",
        (false, _) => "bad",
    };
    html! {
        <div class={classes!("diagnosis", tone)}
            data-connected={diagnosis.connected.to_string()}
            data-problem={diagnosis.problem.map(problem_name).unwrap_or("none")}>
            <span class="diagnosis-message">{ &diagnosis.message }</span>
            <span class="diagnosis-time">{ format!("{} ms", diagnosis.elapsed_ms) }</span>
        </div>
    }
}
