//! TOTP as Fluxbase's dashboard uses it (pquerna/otp defaults): a 20-byte
//! secret stored as unpadded base32, SHA1, 6 digits, 30 s steps, one step of
//! drift either way.

use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use totp_rs::{Algorithm, Secret, TOTP};

/// Issuer shown in authenticator apps, as Fluxbase's default `auth.totp_issuer`.
pub const ISSUER: &str = "Fluxbase";
const STEP_SECONDS: u64 = 30;
const DIGITS: usize = 6;
const SKEW_STEPS: u8 = 1;

/// A TOTP generator for one admin's secret.
#[derive(Debug)]
pub struct Authenticator {
    totp: TOTP,
}

impl Authenticator {
    /// The authenticator for a base32 secret as stored in `dashboard.users.totp_secret`.
    pub fn from_base32(secret: &str, account: &str) -> CoreResult<Self> {
        let bytes = Secret::Encoded(secret.trim().to_ascii_uppercase())
            .to_bytes()
            .map_err(|_| CoreError::InvalidInput("The stored TOTP secret is not valid base32.".into()))?;
        // new_unchecked: Fluxbase secrets are 20 bytes, but older or imported
        // ones may be shorter; they still have to verify.
        let totp = TOTP::new_unchecked(
            Algorithm::SHA1,
            DIGITS,
            SKEW_STEPS,
            STEP_SECONDS,
            bytes,
            Some(ISSUER.to_owned()),
            account.to_owned(),
        );
        Ok(Authenticator { totp })
    }

    /// A new random secret (20 bytes), base32 without padding (32 characters).
    pub fn new_secret() -> String {
        match Secret::generate_secret().to_encoded() {
            Secret::Encoded(text) => text.trim_end_matches('=').to_owned(),
            Secret::Raw(_) => unreachable!("to_encoded always encodes"),
        }
    }

    /// The code for the step containing `time`.
    pub fn code_at(&self, time: DateTime<Utc>) -> String {
        self.totp.generate(unix_seconds(time))
    }

    /// The time step `code` belongs to, if it is valid at `time` within one
    /// step of drift. The caller records the step so it cannot be replayed.
    pub fn matching_step(&self, code: &str, time: DateTime<Utc>) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let now = unix_seconds(time);
        let current = (now / STEP_SECONDS) as i64;
        (-(SKEW_STEPS as i64)..=SKEW_STEPS as i64)
            .map(|offset| current + offset)
            .filter(|step| *step >= 0)
            .find(|step| {
                let expected = self.totp.generate(*step as u64 * STEP_SECONDS);
                constant_time_equal(expected.as_bytes(), code.as_bytes())
            })
    }

    /// The `otpauth://totp/...` URI authenticator apps scan.
    pub fn otpauth_uri(&self) -> String {
        self.totp.get_url()
    }

    /// The URI as a QR code: PNG, base64.
    pub fn qr_png_base64(&self) -> CoreResult<String> {
        self.totp
            .get_qr_base64()
            .map_err(|error| CoreError::InvalidInput(format!("Could not draw the QR code: {error}")))
    }
}

/// Whether what a person typed looks like a TOTP code rather than a backup code.
pub fn looks_like_totp(typed: &str) -> bool {
    let typed = typed.trim();
    typed.len() == DIGITS && typed.chars().all(|c| c.is_ascii_digit())
}

fn unix_seconds(time: DateTime<Utc>) -> u64 {
    time.timestamp().max(0) as u64
}

fn constant_time_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    // RFC 6238 appendix B, SHA1 seed "12345678901234567890" (8-digit codes there;
    // the last 6 digits are the 6-digit code).
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn matches_rfc6238_vectors() {
        let auth = Authenticator::from_base32(RFC_SECRET, "a@b.c").unwrap();
        let at = |secs| Utc.timestamp_opt(secs, 0).unwrap();
        assert_eq!(auth.code_at(at(59)), "287082");
        assert_eq!(auth.code_at(at(1111111109)), "081804");
        assert_eq!(auth.code_at(at(1234567890)), "005924");
    }

    #[test]
    fn accepts_one_step_of_drift_and_no_more() {
        let auth = Authenticator::from_base32(RFC_SECRET, "a@b.c").unwrap();
        let now = Utc.timestamp_opt(1_800_000_015, 0).unwrap();
        let step = 1_800_000_015 / 30;
        let code = |offset: i64| auth.code_at(now + chrono::TimeDelta::seconds(30 * offset));
        assert_eq!(auth.matching_step(&code(0), now), Some(step));
        assert_eq!(auth.matching_step(&code(-1), now), Some(step - 1));
        assert_eq!(auth.matching_step(&code(1), now), Some(step + 1));
        assert_eq!(auth.matching_step(&code(2), now), None);
        assert_eq!(auth.matching_step(&code(-2), now), None);
        assert_eq!(auth.matching_step("12345", now), None);
    }

    #[test]
    fn new_secrets_are_32_base32_characters() {
        let secret = Authenticator::new_secret();
        assert_eq!(secret.len(), 32, "{secret}");
        let auth = Authenticator::from_base32(&secret, "admin@example.com").unwrap();
        let uri = auth.otpauth_uri();
        assert!(
            uri.starts_with("otpauth://totp/Fluxbase:admin%40example.com?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
        assert!(!auth.qr_png_base64().unwrap().is_empty());
    }
}
