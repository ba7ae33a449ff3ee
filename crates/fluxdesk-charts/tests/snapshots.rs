//! SVG snapshot tests: each chart drawn from fixed data must match the file
//! kept beside this test byte for byte. After an intended change, run with
//! `FLUXDESK_UPDATE_SNAPSHOTS=1` and review the new files before committing.

use fluxdesk_charts::{Bar, Series, bars_svg, time_series_svg, timeline_svg};
use fluxdesk_types::{Timeline, TimelineSeries};
use std::path::PathBuf;

fn check(name: &str, svg: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.svg"));
    if std::env::var_os("FLUXDESK_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with FLUXDESK_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(
        kept == svg,
        "{name} differs from {}: run with FLUXDESK_UPDATE_SNAPSHOTS=1 and review",
        path.display()
    );
}

#[test]
fn the_audit_timeline() {
    let timeline = Timeline {
        bucket_seconds: 3_600,
        starts: (0..6)
            .map(|hour| format!("2026-11-24T{hour:02}:00:00.000000Z"))
            .collect(),
        series: vec![
            TimelineSeries {
                action: "admin.sign_in".into(),
                counts: vec![3, 1, 0, 4, 2, 1],
            },
            TimelineSeries {
                action: "user.lock".into(),
                counts: vec![0, 2, 1, 0, 0, 5],
            },
        ],
    };
    check("timeline", &timeline_svg(&timeline, (640, 240)));
}

#[test]
fn the_connections_time_series() {
    let series = vec![
        Series {
            name: "active".into(),
            points: vec![(-20.0, 1.0), (-15.0, 2.0), (-10.0, 4.0), (-5.0, 3.0), (0.0, 2.0)],
        },
        Series {
            name: "idle".into(),
            points: vec![(-20.0, 6.0), (-15.0, 6.0), (-10.0, 5.0), (-5.0, 7.0), (0.0, 6.0)],
        },
    ];
    check(
        "connections",
        &time_series_svg("Connections by state", "backends", &series, (460, 200)),
    );
}

#[test]
fn the_largest_tables() {
    let bars = vec![
        Bar {
            label: "public.events".into(),
            parts: vec![
                ("heap".into(), 120.0),
                ("indexes".into(), 45.0),
                ("toast".into(), 0.5),
            ],
        },
        Bar {
            label: "auth.users".into(),
            parts: vec![
                ("heap".into(), 12.0),
                ("indexes".into(), 6.0),
                ("toast".into(), 1.0),
            ],
        },
    ];
    check(
        "largest-tables",
        &bars_svg("Largest tables", "MiB", &bars, (640, 240)),
    );
}
