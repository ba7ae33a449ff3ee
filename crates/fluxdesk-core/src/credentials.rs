//! Passwords, backup codes and tokens, stored the way Fluxbase stores them:
//! bcrypt `$2a$` at cost 10 for passwords and backup codes, hex SHA-256 for
//! session and reset tokens, plaintext base64url for invitation tokens.

use crate::error::{CoreError, CoreResult};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use fluxdesk_types::PasswordStrength;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Fluxbase's dashboard bcrypt cost (`bcrypt.DefaultCost`).
pub const BCRYPT_COST: u32 = 10;
/// Fluxbase's minimum dashboard password length.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// bcrypt ignores bytes past 72; Fluxbase refuses them.
pub const MAX_PASSWORD_BYTES: usize = 72;
/// Backup codes generated when 2FA is enabled.
pub const BACKUP_CODE_COUNT: usize = 10;

/// A bcrypt hash in Go's `$2a$` format at Fluxbase's cost.
pub fn hash_password(password: &str) -> CoreResult<String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(CoreError::InvalidInput(format!(
            "Passwords can be at most {MAX_PASSWORD_BYTES} bytes long (bcrypt ignores the rest)."
        )));
    }
    let parts = bcrypt::hash_with_result(password, BCRYPT_COST)
        .map_err(|error| CoreError::InvalidInput(format!("Could not hash the password: {error}.")))?;
    Ok(parts.format_for_version(bcrypt::Version::TwoA))
}

/// Whether `password` matches a stored bcrypt (`$2a$`, `$2b$`, `$2y$`) or
/// `$argon2id$` hash. An unknown or malformed hash never matches.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    if stored_hash.starts_with("$argon2") {
        return PasswordHash::new(stored_hash)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false);
    }
    if stored_hash.starts_with("$2") {
        return bcrypt::verify(password, stored_hash).unwrap_or(false);
    }
    false
}

/// Spends the time of one bcrypt check, so an unknown email answers as slowly
/// as a wrong password.
pub fn spend_verification_time(password: &str) {
    // A cost-10 hash of a random string nobody knows.
    static DECOY: LazyLock<String> = LazyLock::new(|| hash_password(&new_token()[..32]).unwrap_or_default());
    let _ = bcrypt::verify(password, &DECOY);
}

/// Judges a new admin password: Fluxbase's length rules, then zxcvbn.
pub fn password_strength(password: &str, user_inputs: &[&str]) -> PasswordStrength {
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    let score = u8::from(estimate.score());
    let feedback = estimate.feedback();
    let suggestions = feedback
        .map(|f| f.suggestions().iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    let warning = feedback.and_then(|f| f.warning()).map(|w| w.to_string());
    let characters = password.chars().count();
    let problem = if characters < MIN_PASSWORD_CHARS {
        Some(format!(
            "Use at least {MIN_PASSWORD_CHARS} characters ({characters} so far)."
        ))
    } else if password.len() > MAX_PASSWORD_BYTES {
        Some(format!("Use at most {MAX_PASSWORD_BYTES} bytes."))
    } else if score < 3 {
        Some(match warning {
            Some(warning) => format!("Too easy to guess: {warning}"),
            None => "Too easy to guess: add more words or characters that do not form a pattern.".to_owned(),
        })
    } else {
        None
    };
    PasswordStrength {
        score,
        acceptable: problem.is_none(),
        problem,
        suggestions,
        crack_time: estimate
            .crack_times()
            .offline_slow_hashing_1e4_per_second()
            .to_string(),
    }
}

/// Refuses a password the strength check does not accept, saying why.
pub fn require_strong_password(password: &str, user_inputs: &[&str]) -> CoreResult<()> {
    let strength = password_strength(password, user_inputs);
    match strength.problem {
        None => Ok(()),
        Some(problem) => Err(CoreError::InvalidInput(format!(
            "This password is not accepted. {problem}"
        ))),
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Ten backup codes (5 random bytes, base32: 8 characters each) and their bcrypt hashes.
pub fn new_backup_codes() -> CoreResult<(Vec<String>, Vec<String>)> {
    let codes: Vec<String> = (0..BACKUP_CODE_COUNT)
        .map(|_| BASE32_NOPAD.encode(&random_bytes::<5>()))
        .collect();
    let hashes = codes
        .iter()
        .map(|code| hash_password(code))
        .collect::<CoreResult<Vec<_>>>()?;
    Ok((codes, hashes))
}

/// Normalizes what a person typed as a backup code.
pub fn normalize_backup_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase()
}

/// A random session or reset token (32 bytes, base64url).
pub fn new_token() -> String {
    BASE64URL_NOPAD.encode(&random_bytes::<32>())
}

/// A one-time token as Fluxbase makes its reset and sign-in tokens: 32 random
/// bytes, padded base64url (44 characters).
pub fn new_fluxbase_token() -> String {
    data_encoding::BASE64URL.encode(&random_bytes::<32>())
}

/// A temporary password: 16 characters of base64url, as Fluxbase's admin reset makes.
pub fn new_temporary_password() -> String {
    BASE64URL_NOPAD.encode(&random_bytes::<12>())
}

/// Hex SHA-256, as `dashboard.sessions.token` and `dashboard.password_reset_tokens.token` store tokens.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_go_bcrypt_format_at_cost_10() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$2a$10$"), "{hash}");
        assert_eq!(hash.len(), 60);
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapler", &hash));
    }

    /// The known-answer vector of Go's golang.org/x/crypto/bcrypt tests
    /// (`TestBcryptingIsCorrect`), the library Fluxbase hashes with.
    const GO_VECTOR: (&str, &str) = (
        "allmine",
        "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga",
    );

    #[test]
    fn a_hash_made_by_go_verifies() {
        assert!(verify_password(GO_VECTOR.0, GO_VECTOR.1));
        assert!(!verify_password("notmine", GO_VECTOR.1));
    }

    #[test]
    fn given_go_s_salt_fluxdesk_writes_go_s_exact_hash() {
        // bcrypt's own base64 alphabet; the salt is the 22 characters after the cost.
        let mut spec = data_encoding::Specification::new();
        spec.symbols
            .push_str("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        spec.check_trailing_bits = false;
        let bcrypt64 = spec.encoding().unwrap();
        let salt: [u8; 16] = bcrypt64
            .decode(&GO_VECTOR.1.as_bytes()[7..29])
            .unwrap()
            .try_into()
            .unwrap();
        let ours = bcrypt::hash_with_salt(GO_VECTOR.0, BCRYPT_COST, salt)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoA);
        assert_eq!(ours, GO_VECTOR.1, "byte for byte what Go's bcrypt writes");
    }

    #[test]
    fn weak_and_short_passwords_are_refused_with_a_reason() {
        let short = password_strength("abc", &[]);
        assert!(!short.acceptable);
        assert!(short.problem.unwrap().contains("12 characters"));
        let guessable = password_strength("password1234", &[]);
        assert!(!guessable.acceptable, "{guessable:?}");
        assert!(guessable.problem.unwrap().starts_with("Too easy to guess"));
        assert!(password_strength("plum-orbit-kettle-93-sandstone", &[]).acceptable);
    }

    #[test]
    fn backup_codes_are_ten_base32_codes_of_eight_characters() {
        let (codes, hashes) = new_backup_codes().unwrap();
        assert_eq!(codes.len(), 10);
        assert_eq!(hashes.len(), 10);
        for (code, hash) in codes.iter().zip(&hashes) {
            assert_eq!(code.len(), 8);
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
            );
            assert!(verify_password(code, hash));
        }
    }

    #[test]
    fn argon2id_hashes_verify() {
        use argon2::PasswordHasher;
        use argon2::password_hash::SaltString;
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(b"an argon2id password", &salt)
            .unwrap()
            .to_string();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("an argon2id password", &hash));
        assert!(!verify_password("another password", &hash));
    }

    #[test]
    fn unknown_hash_formats_never_match() {
        assert!(!verify_password("x", "plaintext"));
        assert!(!verify_password("x", "$argon2id$broken"));
    }
}
