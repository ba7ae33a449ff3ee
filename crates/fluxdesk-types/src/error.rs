//! The one error type that crosses IPC.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure happened, so the UI can react without matching on text.
///
/// Only add a code when a consumer branches on it; remove it when none does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself is malformed: a bad URL, table name, cursor or limit.
    InvalidInput,
    /// The named schema, table or instance does not exist.
    NotFound,
    /// The server could not be reached or refused us (DNS, refused, TLS, password).
    ConnectionFailed,
    /// The operation ran out of time (connect timeout, statement timeout).
    Timeout,
    /// The database refused the operation for lack of privileges or by RLS.
    PermissionDenied,
    /// The UI asked for data on an instance that is not connected.
    NotConnected,
    /// The server refused a write because the instance's profile is read-only.
    ReadOnly,
    /// The OS keyring is unavailable or refused access; no password was stored or read.
    KeyringUnavailable,
    /// The profile asks for its password every time and none was given.
    PasswordNeeded,
    /// The server rejected a statement for another reason; the message says why.
    Database,
    /// Wrong admin email, password or second-factor code, or the account may not sign in.
    AuthenticationFailed,
    /// Too many failed sign-ins: the admin account is locked for a while.
    AccountLocked,
    /// No admin is signed in to this instance, or the session is locked or revoked.
    SignInRequired,
    /// The action needs a fresh second factor (or password) first.
    StepUpRequired,
    /// Fluxdesk's own schema is not installed in this instance yet.
    SchemaNotInstalled,
    /// The user cancelled a long operation; nothing half-done was kept.
    Cancelled,
    /// A bug or an unexpected condition; details are in the log file.
    Internal,
}

impl ErrorCode {
    /// The wire name of this code, as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ConnectionFailed => "connection_failed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::NotConnected => "not_connected",
            ErrorCode::ReadOnly => "read_only",
            ErrorCode::KeyringUnavailable => "keyring_unavailable",
            ErrorCode::PasswordNeeded => "password_needed",
            ErrorCode::Database => "database",
            ErrorCode::AuthenticationFailed => "authentication_failed",
            ErrorCode::AccountLocked => "account_locked",
            ErrorCode::SignInRequired => "sign_in_required",
            ErrorCode::StepUpRequired => "step_up_required",
            ErrorCode::SchemaNotInstalled => "schema_not_installed",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the UI and scripts see it: `{"code": "...", "message": "..."}`.
///
/// `message` is written for a person and never contains secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Machine-readable classification.
    pub code: ErrorCode,
    /// Human-readable explanation of what went wrong and, where possible, what to do.
    pub message: String,
}

impl ApiError {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_json_shape_is_code_and_message_only() {
        let error = ApiError::new(ErrorCode::NotFound, "Table public.nope does not exist.");
        let json = serde_json::to_string(&error).unwrap();
        assert_eq!(
            json, r#"{"code":"not_found","message":"Table public.nope does not exist."}"#,
            "the UI and CLI scripts parse exactly this shape"
        );
    }

    #[test]
    fn every_code_serializes_to_its_wire_name() {
        let codes = [
            ErrorCode::InvalidInput,
            ErrorCode::NotFound,
            ErrorCode::ConnectionFailed,
            ErrorCode::Timeout,
            ErrorCode::PermissionDenied,
            ErrorCode::NotConnected,
            ErrorCode::ReadOnly,
            ErrorCode::KeyringUnavailable,
            ErrorCode::PasswordNeeded,
            ErrorCode::Database,
            ErrorCode::Internal,
            ErrorCode::AuthenticationFailed,
            ErrorCode::AccountLocked,
            ErrorCode::SignInRequired,
            ErrorCode::StepUpRequired,
            ErrorCode::SchemaNotInstalled,
            ErrorCode::Cancelled,
        ];
        for code in codes {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", code.as_str()),
                "serde and as_str must agree"
            );
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn api_error_round_trips_and_rejects_unknown_codes() {
        let parsed: ApiError =
            serde_json::from_str(r#"{"code":"timeout","message":"took too long"}"#).unwrap();
        assert_eq!(parsed, ApiError::new(ErrorCode::Timeout, "took too long"));
        let unknown = serde_json::from_str::<ApiError>(r#"{"code":"teapot","message":"x"}"#);
        assert!(unknown.is_err(), "an unknown code must not silently parse");
    }
}
