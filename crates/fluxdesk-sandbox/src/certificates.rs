//! A certificate authority of the cluster's own, and a server certificate it
//! signed for `localhost` and `127.0.0.1`: enough for real `verify-full` tests.

use crate::cluster::SandboxError;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::path::Path;

/// File names inside the cluster folder.
pub const CA_FILE: &str = "ca.crt";
/// The server's certificate.
pub const SERVER_CERT_FILE: &str = "server.crt";
/// The server's private key (PostgreSQL requires mode 0600).
pub const SERVER_KEY_FILE: &str = "server.key";

fn tls_error(error: rcgen::Error) -> SandboxError {
    SandboxError::Setup(format!("Cannot make the sandbox's TLS certificates: {error}"))
}

/// Writes `ca.crt`, `server.crt` and `server.key` into `folder`.
pub fn write_certificates(folder: &Path) -> Result<(), SandboxError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Fluxdesk sandbox CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let ca = ca_params.self_signed(&ca_key).map_err(tls_error)?;

    let mut server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).map_err(tls_error)?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_key = KeyPair::generate().map_err(tls_error)?;
    let server = server_params
        .signed_by(&server_key, &ca, &ca_key)
        .map_err(tls_error)?;

    let write = |name: &str, contents: String| {
        std::fs::write(folder.join(name), contents).map_err(|source| SandboxError::Io {
            context: format!("Cannot write {name}"),
            source,
        })
    };
    write(CA_FILE, ca.pem())?;
    write(SERVER_CERT_FILE, server.pem())?;
    write(SERVER_KEY_FILE, server_key.serialize_pem())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        folder.join(SERVER_KEY_FILE),
        std::fs::Permissions::from_mode(0o600),
    )
    .map_err(|source| SandboxError::Io {
        context: "Cannot protect server.key".to_owned(),
        source,
    })
}
