//! Finding the PostgreSQL server binaries on this machine.

use crate::cluster::SandboxError;
use std::path::{Path, PathBuf};

/// Environment variable naming the folder holding `initdb`, `pg_ctl`, `psql`.
pub const PG_BIN_ENV: &str = "FLUXDESK_PG_BIN";

/// The newest PostgreSQL `bin` folder: `$FLUXDESK_PG_BIN`, else the highest
/// `/usr/lib/postgresql/<major>/bin` (Debian, Ubuntu), else `initdb` on PATH.
pub fn find_bin_dir() -> Result<PathBuf, SandboxError> {
    if let Some(dir) = std::env::var_os(PG_BIN_ENV) {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").exists() {
            Ok(dir)
        } else {
            Err(SandboxError::Setup(format!(
                "{PG_BIN_ENV}={} has no initdb in it.",
                dir.display()
            )))
        };
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    candidates.sort();
    if let Some((_, bin)) = candidates.pop() {
        return Ok(bin);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if Path::new(&dir).join("initdb").exists() {
                return Ok(dir);
            }
        }
    }
    Err(SandboxError::Setup(
        "No PostgreSQL server found: install postgresql (Debian/Ubuntu: apt-get install postgresql) \
         or set FLUXDESK_PG_BIN to the folder holding initdb."
            .to_owned(),
    ))
}
