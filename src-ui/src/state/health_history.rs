//! The samples the monitoring view has taken, in a bounded ring, and the
//! series its charts draw from them.

use fluxdesk_charts::Series;
use fluxdesk_types::HealthSnapshot;
use std::collections::{BTreeMap, VecDeque};

/// Samples kept: an hour at the default 5-second interval.
pub const DEFAULT_CAPACITY: usize = 720;

/// Two samples closer than this give no rate: dividing by a sliver of time
/// would chart a spike that never happened.
const SHORTEST_GAP_MS: f64 = 500.0;

/// What one sample keeps of a snapshot: only what the time series need.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    /// When it was taken, in ms (the window's clock).
    at_ms: f64,
    /// Client backends by state.
    by_state: BTreeMap<String, i64>,
    /// Commits plus rollbacks, cumulative.
    transactions: i64,
    /// Buffer hits and disk reads, cumulative.
    blocks_hit: i64,
    blocks_read: i64,
    /// Live app sessions.
    app_sessions: i64,
}

/// A bounded history of samples, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthHistory {
    samples: VecDeque<Sample>,
    capacity: usize,
}

impl Default for HealthHistory {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl HealthHistory {
    /// An empty history keeping at most `capacity` samples.
    pub fn with_capacity(capacity: usize) -> Self {
        HealthHistory {
            samples: VecDeque::with_capacity(capacity.min(DEFAULT_CAPACITY)),
            capacity: capacity.max(2),
        }
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Adds a sample taken at `at_ms`, dropping the oldest beyond capacity.
    pub fn push(&mut self, snapshot: &HealthSnapshot, at_ms: f64) {
        let mut by_state = BTreeMap::new();
        for group in &snapshot.backends {
            *by_state.entry(group.state.clone()).or_default() += group.count;
        }
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(Sample {
            at_ms,
            by_state,
            transactions: snapshot.database.commits + snapshot.database.rollbacks,
            blocks_hit: snapshot.database.blocks_hit,
            blocks_read: snapshot.database.blocks_read,
            app_sessions: snapshot.sessions.app_live,
        });
    }

    fn seconds_ago(&self, sample: &Sample) -> f64 {
        let newest = self
            .samples
            .back()
            .map(|newest| newest.at_ms)
            .unwrap_or(sample.at_ms);
        (sample.at_ms - newest) / 1000.0
    }

    /// Backends per state over time, one series per state ever seen.
    pub fn connections_by_state(&self) -> Vec<Series> {
        let mut states: Vec<&String> = self
            .samples
            .iter()
            .flat_map(|sample| sample.by_state.keys())
            .collect();
        states.sort();
        states.dedup();
        states
            .into_iter()
            .map(|state| Series {
                name: state.clone(),
                points: self
                    .samples
                    .iter()
                    .map(|sample| {
                        let count = sample.by_state.get(state).copied().unwrap_or(0);
                        (self.seconds_ago(sample), count as f64)
                    })
                    .collect(),
            })
            .collect()
    }

    /// Consecutive samples far enough apart to give a rate.
    fn intervals(&self) -> impl Iterator<Item = (&Sample, &Sample)> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .filter(|(before, after)| after.at_ms - before.at_ms >= SHORTEST_GAP_MS)
    }

    /// Transactions per second between consecutive samples. A counter that
    /// went down (statistics reset) gives no point rather than a negative rate.
    pub fn transactions_per_second(&self) -> Series {
        let points = self
            .intervals()
            .filter_map(|(before, after)| {
                let seconds = (after.at_ms - before.at_ms) / 1000.0;
                let done = after.transactions - before.transactions;
                (done >= 0).then(|| (self.seconds_ago(after), done as f64 / seconds))
            })
            .collect();
        Series {
            name: "transactions/s".into(),
            points,
        }
    }

    /// The cache hit ratio of each interval, in percent: the cumulative
    /// ratio barely moves once the server has run a while. An interval with
    /// no block access, or across a reset, gives no point.
    pub fn cache_hit_ratio(&self) -> Series {
        Series {
            name: "cache hit %".into(),
            points: self
                .intervals()
                .filter_map(|(before, after)| {
                    let hits = after.blocks_hit - before.blocks_hit;
                    let reads = after.blocks_read - before.blocks_read;
                    (hits >= 0 && reads >= 0 && hits + reads > 0).then(|| {
                        (
                            self.seconds_ago(after),
                            hits as f64 * 100.0 / (hits + reads) as f64,
                        )
                    })
                })
                .collect(),
        }
    }

    /// Live app sessions.
    pub fn app_sessions(&self) -> Series {
        Series {
            name: "live app sessions".into(),
            points: self
                .samples
                .iter()
                .map(|sample| (self.seconds_ago(sample), sample.app_sessions as f64))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluxdesk_types::{
        BackendGroup, DatabaseCounters, HealthSnapshot, ServerConnections, SessionCounts, StatementStats,
        StorageUsage,
    };

    fn snapshot(active: i64, idle: i64, transactions: i64, sessions: i64) -> HealthSnapshot {
        with_blocks(active, idle, transactions, sessions, (0, 0))
    }

    fn with_blocks(
        active: i64,
        idle: i64,
        transactions: i64,
        sessions: i64,
        (hit, read): (i64, i64),
    ) -> HealthSnapshot {
        let group = |state: &str, count| BackendGroup {
            state: state.into(),
            user: "postgres".into(),
            application: "app".into(),
            count,
        };
        HealthSnapshot {
            taken_at: String::new(),
            sessions: SessionCounts {
                app_live: sessions,
                ..SessionCounts::default()
            },
            backends: vec![group("active", active), group("idle", idle)],
            longest_queries: Vec::new(),
            idle_in_transaction: Vec::new(),
            connections: ServerConnections::default(),
            pools: Vec::new(),
            database: DatabaseCounters {
                commits: transactions,
                rollbacks: 0,
                blocks_hit: hit,
                blocks_read: read,
                ..DatabaseCounters::default()
            },
            statements: StatementStats::Unavailable {
                how_to_enable: String::new(),
            },
            table_scans: Vec::new(),
            storage: StorageUsage::default(),
            round_ms: 1.0,
        }
    }

    #[test]
    fn the_ring_keeps_the_newest_samples_only() {
        let mut history = HealthHistory::with_capacity(3);
        for n in 0..5 {
            history.push(&snapshot(n, 1, 0, 0), f64::from(n as i32) * 5000.0);
        }
        assert_eq!(history.len(), 3);
        let active = &history.connections_by_state()[0];
        assert_eq!(active.name, "active");
        assert_eq!(active.points, vec![(-10.0, 2.0), (-5.0, 3.0), (0.0, 4.0)]);
    }

    #[test]
    fn rates_come_from_deltas_and_a_reset_gives_no_point() {
        let mut history = HealthHistory::default();
        history.push(&snapshot(1, 1, 1000, 4), 0.0);
        history.push(&snapshot(1, 1, 1500, 5), 5000.0);
        history.push(&snapshot(1, 1, 10, 5), 10_000.0);
        history.push(&snapshot(1, 1, 60, 6), 15_000.0);
        let rates = history.transactions_per_second();
        assert_eq!(rates.points, vec![(-10.0, 100.0), (0.0, 10.0)]);
        assert_eq!(history.app_sessions().points.last(), Some(&(0.0, 6.0)));
    }

    #[test]
    fn a_sample_too_soon_after_another_gives_no_rate() {
        let mut history = HealthHistory::default();
        history.push(&snapshot(1, 1, 1000, 0), 0.0);
        history.push(&snapshot(1, 1, 1010, 0), 5.0);
        history.push(&snapshot(1, 1, 1510, 0), 5005.0);
        assert_eq!(history.transactions_per_second().points, vec![(0.0, 100.0)]);
    }

    #[test]
    fn the_cache_ratio_is_per_interval_and_skips_resets_and_quiet_intervals() {
        let mut history = HealthHistory::default();
        // Cumulatively 99.9% hits; the second interval reads half from disk.
        history.push(&with_blocks(1, 1, 0, 0, (999_000, 1_000)), 0.0);
        history.push(&with_blocks(1, 1, 0, 0, (999_900, 1_100)), 5000.0);
        history.push(&with_blocks(1, 1, 0, 0, (1_000_000, 1_200)), 10_000.0);
        history.push(&with_blocks(1, 1, 0, 0, (1_000_000, 1_200)), 15_000.0);
        history.push(&with_blocks(1, 1, 0, 0, (10, 0)), 20_000.0);
        history.push(&with_blocks(1, 1, 0, 0, (40, 10)), 25_000.0);
        let points = history.cache_hit_ratio().points;
        assert_eq!(points, vec![(-20.0, 90.0), (-15.0, 50.0), (0.0, 75.0)]);
    }
}
