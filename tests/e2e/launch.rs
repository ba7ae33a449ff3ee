//! The desktop figures of BENCHMARKS.md: launch to an interactive window,
//! cold and warm; resident memory at idle, every process of the app summed
//! (the webview's too); and the installer's size. Each is measured for
//! Fluxdesk and, in the same run, for an empty Tauri app built and bundled
//! the same way (`crates/fluxdesk-floor-app`), the floor. `scripts/bench.sh`
//! runs this against release builds; it prints figures, it asserts no speed.

use e2e_support::{Driver, app_binary, element, target_dir};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(120);
const WARM_RUNS: usize = 5;

/// Empties the kernel's page cache, so the next launch reads from disk; false
/// when this machine does not allow it (not root, or a container).
fn drop_page_cache() -> bool {
    std::process::Command::new("sync")
        .status()
        .is_ok_and(|status| status.success())
        && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// Launches `program` and times it until `ready` is on the page; then, after
/// 5 s of idling, the memory of all its processes.
async fn launch_once(program: &Path, ready: &str) -> (Duration, u64) {
    let driver = Driver::start();
    let started = Instant::now();
    let client = driver.launch_program(program, &[]).await;
    element(&client, ready, PATIENCE).await;
    let interactive = started.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let memory = driver.app_memory_kib();
    client.close().await.unwrap();
    (interactive, memory)
}

struct Figures {
    cold: Duration,
    cold_from_disk: bool,
    warm: Duration,
    memory_kib: u64,
    installer_bytes: u64,
}

async fn measure(program: &Path, ready: &str, installer: &Path) -> Figures {
    let cold_from_disk = drop_page_cache();
    let (cold, _) = launch_once(program, ready).await;
    let mut warm = Vec::new();
    let mut memory = Vec::new();
    for _ in 0..WARM_RUNS {
        let (interactive, kib) = launch_once(program, ready).await;
        warm.push(interactive);
        memory.push(kib);
    }
    warm.sort();
    memory.sort();
    Figures {
        cold,
        cold_from_disk,
        warm: warm[WARM_RUNS / 2],
        memory_kib: memory[WARM_RUNS / 2],
        installer_bytes: std::fs::metadata(installer)
            .unwrap_or_else(|error| panic!("no installer at {}: {error}", installer.display()))
            .len(),
    }
}

/// The newest `.deb` whose name starts with `prefix`.
fn installer(prefix: &str) -> PathBuf {
    let folder = target_dir().join("release/bundle/deb");
    std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("no {}: {error} (run scripts/package.sh deb)", folder.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|extension| extension == "deb")
                && path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
        })
        .max_by_key(|path| std::fs::metadata(path).and_then(|meta| meta.modified()).ok())
        .unwrap_or_else(|| panic!("no {prefix}*.deb in {}", folder.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench.sh runs it against release builds"]
async fn launch_memory_and_size_against_an_empty_tauri_app() {
    let floor_binary = target_dir().join("release/fluxdesk-floor-app");
    let floor = measure(&floor_binary, "#ready", &installer("FluxdeskFloor_")).await;
    // A first run's window: interactive once the welcome card is there.
    let fluxdesk = measure(&app_binary(), "#first-run", &installer("Fluxdesk_")).await;

    let seconds = |duration: Duration| format!("{:.2} s", duration.as_secs_f64());
    let ratio = |ours: f64, theirs: f64| format!("{:.2}", ours / theirs);
    let cold_kind = if fluxdesk.cold_from_disk && floor.cold_from_disk {
        "page cache dropped"
    } else {
        "first launch of the run; the page cache could not be dropped here"
    };
    println!("| figure | Fluxdesk | empty Tauri app | Fluxdesk / empty |");
    println!("|---|---|---|---|");
    println!(
        "| launch → interactive, cold ({cold_kind}) | {} | {} | {} |",
        seconds(fluxdesk.cold),
        seconds(floor.cold),
        ratio(fluxdesk.cold.as_secs_f64(), floor.cold.as_secs_f64())
    );
    println!(
        "| launch → interactive, warm (median of {WARM_RUNS}) | {} | {} | {} |",
        seconds(fluxdesk.warm),
        seconds(floor.warm),
        ratio(fluxdesk.warm.as_secs_f64(), floor.warm.as_secs_f64())
    );
    println!(
        "| resident memory at idle, all processes (median of {WARM_RUNS}) | {:.1} MiB | {:.1} MiB | {} |",
        fluxdesk.memory_kib as f64 / 1024.0,
        floor.memory_kib as f64 / 1024.0,
        ratio(fluxdesk.memory_kib as f64, floor.memory_kib as f64)
    );
    println!(
        "| installer (.deb) | {:.1} MiB | {:.1} MiB | {} |",
        fluxdesk.installer_bytes as f64 / 1_048_576.0,
        floor.installer_bytes as f64 / 1_048_576.0,
        ratio(fluxdesk.installer_bytes as f64, floor.installer_bytes as f64)
    );
    assert!(fluxdesk.memory_kib > 0 && floor.memory_kib > 0, "memory was read");
}
