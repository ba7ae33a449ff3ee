//! What the console benches share: a console connected to a database, with
//! Fluxdesk's schema installed and the demo admin signed in.

use fluxdesk_core::profiles::profile_from_url;
use fluxdesk_core::{Console, Keyring, ProfileFile};
use fluxdesk_types::{Credentials, Protection};

/// The profile id the benches use.
pub const ID: &str = "bench";

/// A console on `url` (writes open), signed in as the demo admin; keep the
/// folder alive as long as the console.
pub async fn signed_in_console(url: &str) -> (Console, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let console = Console::new(
        Box::new(ProfileFile::new(folder.path().join("profiles.json"))),
        Keyring::new("Fluxdesk benches"),
    );
    console.require_sign_in(true);
    let (mut profile, password) = profile_from_url(url).unwrap();
    profile.id = ID.into();
    profile.protection = Protection::Open;
    console.add_transient(profile, password).unwrap();
    console.connect(ID, None).await.unwrap();
    console.install_schema(ID).await.unwrap();
    console
        .sign_in(
            ID,
            Credentials {
                email: "admin@fluxdesk.demo".into(),
                password: "fluxdesk-demo-admin".into(),
                code: None,
            },
        )
        .await
        .unwrap();
    (console, folder)
}
