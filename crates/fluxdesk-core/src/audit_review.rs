//! Offline review of an audit bundle: verify it, then browse its events in
//! memory with no connection at all.
//!
//! Events are kept compact (repeated admins, actions and outcomes shared),
//! and every query returns one page, so a million events stay browsable and
//! the window only ever receives what it shows.

use crate::audit::ChainedEvent;
use crate::audit_bundle::{BundleReader, BundleVerification, verify_visiting};
use crate::error::{CoreError, CoreResult};
use chrono::{DateTime, Utc};
use fluxdesk_types::{
    AUDIT_PAGE_LIMIT, AuditCount, AuditEntry, AuditFilter, AuditSource, AuditSummary, BundleProblem,
    BundleReview, ImpersonationReview, ReviewPage, ReviewSort, Timeline, TimelineSeries,
};
use regex::{Regex, RegexBuilder};
use serde_json::Value;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Most series a timeline draws; quieter actions add up to `other`.
pub const TIMELINE_SERIES: usize = 7;
/// Most buckets a timeline has.
pub const TIMELINE_BUCKETS: i64 = 120;
/// Bucket widths a timeline picks from, in seconds: the first that fits.
const BUCKET_WIDTHS: [i64; 10] = [
    60,
    300,
    900,
    3600,
    6 * 3600,
    86_400,
    7 * 86_400,
    30 * 86_400,
    91 * 86_400,
    365 * 86_400,
];

/// An interned string's index.
type Word = u32;

/// One event, compactly.
#[derive(Debug)]
struct Event {
    seq: i64,
    /// None when the bundle's time does not parse: such events match no
    /// time range and stay out of the timeline.
    micros: Option<i64>,
    occurred_at: Box<str>,
    admin: Option<Word>,
    action: Word,
    target: Option<Box<str>>,
    outcome: Word,
    details: Box<str>,
    /// The impersonation session it ran under, if any.
    session: Option<Word>,
}

/// Strings that repeat across events, stored once.
#[derive(Debug, Default)]
struct Words {
    texts: Vec<Box<str>>,
    index: HashMap<Box<str>, Word>,
}

impl Words {
    fn intern(&mut self, text: &str) -> Word {
        if let Some(word) = self.index.get(text) {
            return *word;
        }
        let word = self.texts.len() as Word;
        self.texts.push(text.into());
        self.index.insert(text.into(), word);
        word
    }

    fn text(&self, word: Word) -> &str {
        &self.texts[word as usize]
    }
}

/// A filter, with the positions of the events it keeps in chain order.
type Kept = (AuditFilter, std::sync::Arc<Vec<u32>>);
/// The same, sorted by a column.
type Sorted = (AuditFilter, ReviewSort, std::sync::Arc<Vec<u32>>);

/// A verified (or not) bundle, open for browsing.
#[derive(Debug)]
pub struct BundleUnderReview {
    /// The verdict and what the bundle says about itself.
    pub review: BundleReview,
    events: Vec<Event>,
    words: Words,
    /// The last filter and sort, with the positions they matched.
    /// The last filter's positions, so paging, the chart and the summary filter once.
    kept: Mutex<Option<Kept>>,
    /// The last column sort of it.
    sorted: Mutex<Option<Sorted>>,
}

/// Progress of opening a bundle: events read so far.
pub type OpenProgress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// Opens `path`, verifies it and keeps its events for browsing.
pub fn open_bundle(
    path: &Path,
    passphrase: Option<&str>,
    pinned_public_key: Option<&str>,
    review_id: String,
    progress: OpenProgress<'_>,
    cancel: &CancellationToken,
) -> CoreResult<BundleUnderReview> {
    let file = File::open(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => {
            CoreError::InvalidInput(format!("There is no file at {}.", path.display()))
        }
        _ => CoreError::io("Cannot open the bundle", error),
    })?;
    let reader = BundleReader::open(file, passphrase.filter(|text| !text.is_empty()))?;
    let header = reader.header.clone();
    let pinned: Vec<String> = pinned_public_key
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(|key| vec![key.to_owned()])
        .unwrap_or_default();
    let mut words = Words::default();
    let mut events = Vec::new();
    let verification = verify_visiting(reader, &pinned, |event| {
        if events.len() % 16_384 == 0 {
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled("Opening the bundle was cancelled.".into()));
            }
            progress(events.len() as u64);
        }
        events.push(compact(event, &mut words));
        Ok(())
    })?;
    progress(events.len() as u64);
    let review = BundleReview {
        review_id,
        path: path.display().to_string(),
        instance: header.instance.name,
        address: header.instance.address,
        system_identifier: header.instance.system_identifier,
        layout: header.instance.layout,
        exported_by: header.export.exported_by,
        exported_at: header.export.exported_at,
        since: header.export.since,
        until: header.export.until,
        client: header.client,
        encrypted: header.encryption.is_some(),
        signer_public_key: verification.signer_public_key.clone(),
        key_pinned: verification.key_pinned,
        signature_valid: verification.signature_valid,
        events: verification.events,
        first_problem: verification
            .first_problem
            .clone()
            .map(|(position, text)| BundleProblem { position, text }),
        verdict: verdict(&verification),
    };
    Ok(BundleUnderReview {
        review,
        events,
        words,
        kept: Mutex::new(None),
        sorted: Mutex::new(None),
    })
}

/// One line for a person about `verification`.
pub fn verdict(verification: &BundleVerification) -> String {
    let mut problems = Vec::new();
    if let Some((position, text)) = &verification.first_problem {
        problems.push(format!("the first bad event is at position {position}: {text}"));
    }
    if !verification.signature_valid {
        problems.push("the signature does not match: these are not the events that were signed".to_owned());
    }
    if verification.key_pinned == Some(false) {
        problems.push("it was signed by a key other than the pinned one".to_owned());
    }
    if problems.is_empty() {
        let pinned = if verification.key_pinned == Some(true) {
            " by the pinned key"
        } else {
            " (no key pinned: anyone could have signed it)"
        };
        format!(
            "Intact: all {} events verify, and the signature is valid{pinned}.",
            verification.events
        )
    } else {
        let joined = problems.join("; ");
        let mut letters = joined.chars();
        let capitalised: String = letters
            .next()
            .map(|first| first.to_uppercase().chain(letters).collect())
            .unwrap_or_default();
        format!("NOT intact: {capitalised}.")
    }
}

fn compact(event: ChainedEvent, words: &mut Words) -> Event {
    let micros = DateTime::parse_from_rfc3339(&event.occurred_at)
        .ok()
        .map(|at| at.with_timezone(&Utc).timestamp_micros());
    let admin = event.admin_email.as_deref().or(event.admin_id.as_deref());
    let session = event
        .details
        .pointer("/impersonation/session_id")
        .and_then(Value::as_str)
        .map(|id| words.intern(id));
    Event {
        seq: event.seq,
        micros,
        occurred_at: event.occurred_at.into(),
        admin: admin.map(|admin| words.intern(admin)),
        action: words.intern(&event.action),
        target: event.target.map(Into::into),
        outcome: words.intern(&event.outcome),
        details: event.details.to_string().into(),
        session,
    }
}

/// A filter made ready to test events against.
struct Matcher {
    since: Option<i64>,
    until: Option<i64>,
    admin: Option<Regex>,
    action: Option<Regex>,
    target: Option<Regex>,
    outcome: Option<String>,
    text: Option<Regex>,
    fluxdesk_only_excluded: bool,
}

fn fragment(text: &Option<String>) -> CoreResult<Option<Regex>> {
    match text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => RegexBuilder::new(&regex::escape(text))
            .case_insensitive(true)
            .build()
            .map(Some)
            .map_err(|error| CoreError::InvalidInput(format!("Cannot search for \"{text}\": {error}."))),
    }
}

fn instant(text: &Option<String>, what: &str) -> CoreResult<Option<i64>> {
    match text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => parse_instant(text)
            .map(|at| Some(at.timestamp_micros()))
            .ok_or_else(|| {
                CoreError::InvalidInput(format!(
                    "\"{text}\" is not a time for {what}: use a date such as 2026-11-24 or 2026-11-24T09:30:00Z."
                ))
            }),
    }
}

/// An RFC 3339 instant, a date-time without zone (UTC), or a date (midnight UTC).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

impl Matcher {
    fn new(filter: &AuditFilter) -> CoreResult<Self> {
        Ok(Matcher {
            since: instant(&filter.since, "the start")?,
            until: instant(&filter.until, "the end")?,
            admin: fragment(&filter.admin)?,
            action: fragment(&filter.action)?,
            target: fragment(&filter.target)?,
            outcome: filter
                .outcome
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_lowercase),
            text: fragment(&filter.text)?,
            // A bundle holds Fluxdesk's chain only.
            fluxdesk_only_excluded: !filter.sources.is_empty()
                && !filter.sources.contains(&AuditSource::Fluxdesk),
        })
    }

    fn matches(&self, event: &Event, words: &Words) -> bool {
        if self.fluxdesk_only_excluded {
            return false;
        }
        if self
            .since
            .is_some_and(|since| event.micros.is_none_or(|at| at < since))
            || self
                .until
                .is_some_and(|until| event.micros.is_none_or(|at| at >= until))
        {
            return false;
        }
        let admin = event.admin.map(|word| words.text(word)).unwrap_or("");
        let action = words.text(event.action);
        let target = event.target.as_deref().unwrap_or("");
        if self
            .admin
            .as_ref()
            .is_some_and(|pattern| !pattern.is_match(admin))
            || self
                .action
                .as_ref()
                .is_some_and(|pattern| !pattern.is_match(action))
            || self
                .target
                .as_ref()
                .is_some_and(|pattern| !pattern.is_match(target))
            || self
                .outcome
                .as_ref()
                .is_some_and(|outcome| outcome != words.text(event.outcome))
        {
            return false;
        }
        match &self.text {
            None => true,
            Some(pattern) => {
                pattern.is_match(action)
                    || pattern.is_match(admin)
                    || pattern.is_match(target)
                    || pattern.is_match(&event.details)
            }
        }
    }
}

impl BundleUnderReview {
    /// Events held.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether it holds no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn entry(&self, event: &Event) -> AuditEntry {
        AuditEntry {
            source: AuditSource::Fluxdesk,
            id: event.seq.to_string(),
            seq: Some(event.seq),
            occurred_at: event.occurred_at.to_string(),
            admin: event.admin.map(|word| self.words.text(word).to_owned()),
            action: self.words.text(event.action).to_owned(),
            target: event.target.as_deref().map(str::to_owned),
            outcome: self.words.text(event.outcome).to_owned(),
            details: event.details.to_string(),
        }
    }

    /// Positions of the events `filter` keeps, in chain order.
    fn kept(&self, filter: &AuditFilter) -> CoreResult<std::sync::Arc<Vec<u32>>> {
        let mut last = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((last_filter, positions)) = last.as_ref()
            && last_filter == filter
        {
            return Ok(positions.clone());
        }
        let matcher = Matcher::new(filter)?;
        let positions: std::sync::Arc<Vec<u32>> = std::sync::Arc::new(
            (0..self.events.len() as u32)
                .filter(|position| matcher.matches(&self.events[*position as usize], &self.words))
                .collect(),
        );
        *last = Some((filter.clone(), positions.clone()));
        Ok(positions)
    }

    /// The kept positions sorted by a column (newest first among equals).
    fn sorted(&self, filter: &AuditFilter, sort: ReviewSort) -> CoreResult<std::sync::Arc<Vec<u32>>> {
        let kept = self.kept(filter)?;
        let mut last = self
            .sorted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((last_filter, last_sort, positions)) = last.as_ref()
            && last_filter == filter
            && *last_sort == sort
        {
            return Ok(positions.clone());
        }
        let text = |word: Option<Word>| word.map(|word| self.words.text(word)).unwrap_or("");
        let column = |event: &Event| match sort {
            ReviewSort::Admin => text(event.admin),
            ReviewSort::Outcome => text(Some(event.outcome)),
            _ => text(Some(event.action)),
        };
        let mut positions = (*kept).clone();
        // Stable, over chain order reversed: newest first among equals.
        positions.reverse();
        positions.sort_by(|a, b| column(&self.events[*a as usize]).cmp(column(&self.events[*b as usize])));
        let positions = std::sync::Arc::new(positions);
        *last = Some((filter.clone(), sort, positions.clone()));
        Ok(positions)
    }

    /// One page of the filtered, sorted view.
    pub fn page(
        &self,
        filter: &AuditFilter,
        sort: ReviewSort,
        offset: u64,
        limit: u32,
    ) -> CoreResult<ReviewPage> {
        let limit = limit.clamp(1, AUDIT_PAGE_LIMIT) as usize;
        let offset_at = usize::try_from(offset).unwrap_or(usize::MAX);
        let (matching, positions): (usize, Vec<u32>) = match sort {
            ReviewSort::OldestFirst => {
                let kept = self.kept(filter)?;
                (
                    kept.len(),
                    kept.iter().skip(offset_at).take(limit).copied().collect(),
                )
            }
            ReviewSort::NewestFirst => {
                let kept = self.kept(filter)?;
                (
                    kept.len(),
                    kept.iter().rev().skip(offset_at).take(limit).copied().collect(),
                )
            }
            _ => {
                let sorted = self.sorted(filter, sort)?;
                (
                    sorted.len(),
                    sorted.iter().skip(offset_at).take(limit).copied().collect(),
                )
            }
        };
        Ok(ReviewPage {
            entries: positions
                .into_iter()
                .map(|position| self.entry(&self.events[position as usize]))
                .collect(),
            matching: matching as u64,
            offset,
        })
    }

    /// Events per bucket of time and action, for the timeline chart.
    pub fn timeline(&self, filter: &AuditFilter) -> CoreResult<Timeline> {
        let positions = self.kept(filter)?;
        let times = positions.iter().filter_map(|position| {
            let event = &self.events[*position as usize];
            Some((event.micros?, self.words.text(event.action)))
        });
        Ok(timeline_of(times))
    }

    /// Per-admin and per-action counts of the filtered view.
    pub fn summary(&self, filter: &AuditFilter) -> CoreResult<AuditSummary> {
        let positions = self.kept(filter)?;
        let mut by_admin: HashMap<&str, AuditCount> = HashMap::new();
        let mut by_action: HashMap<&str, AuditCount> = HashMap::new();
        for position in positions.iter() {
            let event = &self.events[*position as usize];
            let failed = self.words.text(event.outcome) != "success";
            let admin = event
                .admin
                .map(|word| self.words.text(word))
                .unwrap_or("(nobody)");
            for (map, key) in [
                (&mut by_admin, admin),
                (&mut by_action, self.words.text(event.action)),
            ] {
                let count = map.entry(key).or_insert_with(|| AuditCount {
                    key: key.to_owned(),
                    events: 0,
                    not_successful: 0,
                    first: event.occurred_at.to_string(),
                    last: event.occurred_at.to_string(),
                });
                count.events += 1;
                count.not_successful += u64::from(failed);
                count.last = event.occurred_at.to_string();
            }
        }
        let ranked = |map: HashMap<&str, AuditCount>| {
            let mut counts: Vec<AuditCount> = map.into_values().collect();
            counts.sort_by(|a, b| b.events.cmp(&a.events).then_with(|| a.key.cmp(&b.key)));
            counts
        };
        Ok(AuditSummary {
            events: positions.len() as u64,
            by_admin: ranked(by_admin),
            by_action: ranked(by_action),
        })
    }

    /// Every impersonation the bundle records, with its reason and what ran under it.
    pub fn impersonations(&self) -> Vec<ImpersonationReview> {
        let mut sessions: Vec<ImpersonationReview> = Vec::new();
        let mut at: HashMap<Word, usize> = HashMap::new();
        for event in &self.events {
            let Some(session) = event.session else {
                continue;
            };
            let index = *at.entry(session).or_insert_with(|| {
                sessions.push(ImpersonationReview {
                    session_id: self.words.text(session).to_owned(),
                    admin: event.admin.map(|word| self.words.text(word).to_owned()),
                    identity: String::new(),
                    kind: String::new(),
                    reason: None,
                    started_at: None,
                    ended: None,
                    statements: Vec::new(),
                });
                sessions.len() - 1
            });
            let details: Value = serde_json::from_str(&event.details).unwrap_or(Value::Null);
            let review = &mut sessions[index];
            let tag = &details["impersonation"];
            if review.kind.is_empty() {
                review.kind = tag["type"].as_str().unwrap_or_default().to_owned();
                review.identity = match tag["email"].as_str().filter(|email| !email.is_empty()) {
                    Some(email) => email.to_owned(),
                    None => tag["app_role"].as_str().unwrap_or_default().to_owned(),
                };
            }
            match self.words.text(event.action) {
                "impersonation.start" => {
                    review.reason = details["reason"].as_str().map(str::to_owned);
                    review.started_at = Some(event.occurred_at.to_string());
                }
                "impersonation.stop" => {
                    let why = details["why"].as_str().unwrap_or("stopped");
                    review.ended = Some(format!("{} ({why})", event.occurred_at));
                }
                _ => review.statements.push(self.entry(event)),
            }
        }
        sessions
    }

    /// Writes the filtered view to `path` as CSV; returns the rows written.
    pub fn write_csv(&self, filter: &AuditFilter, sort: ReviewSort, path: &Path) -> CoreResult<u64> {
        let positions = match sort {
            ReviewSort::OldestFirst => self.kept(filter)?,
            ReviewSort::NewestFirst => {
                std::sync::Arc::new(self.kept(filter)?.iter().rev().copied().collect())
            }
            _ => self.sorted(filter, sort)?,
        };
        let partial = crate::audit_export::partial_path(path);
        let written = (|| -> Result<u64, csv::Error> {
            let mut writer = csv::Writer::from_path(&partial)?;
            writer.write_record([
                "seq",
                "occurred_at",
                "admin",
                "action",
                "target",
                "outcome",
                "details",
            ])?;
            for position in positions.iter() {
                let entry = self.entry(&self.events[*position as usize]);
                writer.write_record(
                    [
                        entry.id.as_str(),
                        &entry.occurred_at,
                        entry.admin.as_deref().unwrap_or(""),
                        &entry.action,
                        entry.target.as_deref().unwrap_or(""),
                        &entry.outcome,
                        &entry.details,
                    ]
                    .map(inert_in_a_spreadsheet)
                    .iter()
                    .map(|cell| cell.as_bytes()),
                )?;
            }
            writer.flush()?;
            Ok(positions.len() as u64)
        })();
        match written {
            Ok(rows) => {
                std::fs::rename(&partial, path)
                    .map_err(|error| CoreError::io("Cannot save the CSV file", error))?;
                Ok(rows)
            }
            Err(error) => {
                let _ = std::fs::remove_file(&partial);
                Err(CoreError::InvalidInput(format!(
                    "Cannot write {}: {error}. Nothing was saved.",
                    path.display()
                )))
            }
        }
    }
}

/// A cell a spreadsheet shows as text: data from a bundle that starts like
/// a formula (`=`, `+`, `-`, `@`, tab, return) gets a leading `'`.
fn inert_in_a_spreadsheet(field: &str) -> std::borrow::Cow<'_, str> {
    match field.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{field}")),
        _ => std::borrow::Cow::Borrowed(field),
    }
}

/// The bucket width (seconds) for events spanning `span_seconds`: the
/// first listed width that fits, else whole days that keep the count under
/// [`TIMELINE_BUCKETS`] (times in a crafted bundle may span millennia).
pub fn bucket_width(span_seconds: i64) -> i64 {
    let span = span_seconds.max(0);
    BUCKET_WIDTHS
        .iter()
        .copied()
        .find(|width| span / width < TIMELINE_BUCKETS)
        .unwrap_or_else(|| (span / (TIMELINE_BUCKETS - 1) / 86_400 + 1) * 86_400)
}

/// A timeline from `(microseconds, action)` pairs.
pub fn timeline_of<'a>(events: impl Iterator<Item = (i64, &'a str)> + Clone) -> Timeline {
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (micros, _) in events.clone() {
        first = first.min(micros);
        last = last.max(micros);
    }
    if first > last {
        return Timeline::default();
    }
    let seconds = |micros: i64| micros.div_euclid(1_000_000);
    let width = bucket_width(seconds(last).saturating_sub(seconds(first)));
    let mut counts: HashMap<(i64, &str), u64> = HashMap::new();
    for (micros, action) in events {
        *counts
            .entry((seconds(micros).div_euclid(width) * width, action))
            .or_default() += 1;
    }
    timeline_of_counts(
        width,
        counts
            .into_iter()
            .map(|((bucket, action), count)| (bucket, action.to_owned(), count)),
    )
}

/// A timeline from `(bucket start in seconds, action, events)` counts,
/// buckets `width` seconds wide: the busiest actions get a series each.
pub fn timeline_of_counts(width: i64, counts: impl Iterator<Item = (i64, String, u64)>) -> Timeline {
    let counts: Vec<(i64, String, u64)> = counts.collect();
    let Some(origin) = counts.iter().map(|(bucket, _, _)| *bucket).min() else {
        return Timeline::default();
    };
    let end = counts
        .iter()
        .map(|(bucket, _, _)| *bucket)
        .max()
        .unwrap_or(origin);
    let buckets = (end.saturating_sub(origin) / width + 1).clamp(1, 2 * TIMELINE_BUCKETS) as usize;
    let mut totals: HashMap<&str, u64> = HashMap::new();
    for (_, action, count) in &counts {
        *totals.entry(action.as_str()).or_default() += count;
    }
    let mut ranked: Vec<(&str, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<&str> = ranked
        .iter()
        .take(TIMELINE_SERIES)
        .map(|(action, _)| *action)
        .collect();
    let has_other = ranked.len() > TIMELINE_SERIES;
    let mut series = vec![vec![0u64; buckets]; shown.len() + usize::from(has_other)];
    for (bucket, action, count) in &counts {
        let index = shown
            .iter()
            .position(|shown| shown == action)
            .unwrap_or(shown.len());
        let at = (bucket.saturating_sub(origin) / width) as usize;
        series[index][at.min(buckets - 1)] += count;
    }
    let mut names: Vec<String> = shown.iter().map(|action| (*action).to_owned()).collect();
    if has_other {
        names.push("other".to_owned());
    }
    Timeline {
        bucket_seconds: width,
        starts: (0..buckets)
            .map(|index| {
                DateTime::from_timestamp(origin + index as i64 * width, 0)
                    .map(crate::clock::rfc3339)
                    .unwrap_or_default()
            })
            .collect(),
        series: names
            .into_iter()
            .zip(series)
            .map(|(action, counts)| TimelineSeries { action, counts })
            .collect(),
    }
}

/// The bundles open for review in this process, by review id.
#[derive(Debug, Default)]
pub struct OpenReviews {
    reviews: Mutex<HashMap<String, std::sync::Arc<BundleUnderReview>>>,
}

impl OpenReviews {
    /// Opens and verifies `path` (off the async threads: it reads the whole
    /// file and may derive a key), then keeps it under a new review id.
    pub async fn open(
        &self,
        path: PathBuf,
        passphrase: Option<String>,
        pinned_public_key: Option<String>,
        progress: std::sync::Arc<dyn Fn(u64) + Send + Sync>,
        cancel: CancellationToken,
    ) -> CoreResult<BundleReview> {
        let review_id = uuid::Uuid::new_v4().simple().to_string();
        let opened = tokio::task::spawn_blocking(move || {
            open_bundle(
                &path,
                passphrase.as_deref(),
                pinned_public_key.as_deref(),
                review_id,
                progress.as_ref(),
                &cancel,
            )
        })
        .await
        .map_err(|error| CoreError::InvalidInput(format!("Opening the bundle stopped: {error}.")))??;
        let review = opened.review.clone();
        self.lock()
            .insert(review.review_id.clone(), std::sync::Arc::new(opened));
        Ok(review)
    }

    /// The open review `review_id`.
    pub fn get(&self, review_id: &str) -> CoreResult<std::sync::Arc<BundleUnderReview>> {
        self.lock()
            .get(review_id)
            .cloned()
            .ok_or_else(|| CoreError::NotFound("This bundle is not open any more: open it again.".into()))
    }

    /// Runs `work` on review `review_id` off the async threads: a query may
    /// scan a million events, and must never hold up the window.
    pub async fn with<T: Send + 'static>(
        &self,
        review_id: &str,
        work: impl FnOnce(&BundleUnderReview) -> CoreResult<T> + Send + 'static,
    ) -> CoreResult<T> {
        let review = self.get(review_id)?;
        tokio::task::spawn_blocking(move || work(&review))
            .await
            .map_err(|error| CoreError::InvalidInput(format!("The review stopped: {error}.")))?
    }

    /// Forgets review `review_id`, freeing its events.
    pub fn close(&self, review_id: &str) {
        self.lock().remove(review_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, std::sync::Arc<BundleUnderReview>>> {
        self.reviews
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::GENESIS_HASH;
    use crate::audit_bundle::{
        BundleHeader, BundleWriter, ExportParameters, FORMAT, InstanceIdentity, VERSION, new_encryption,
        new_signing_key, public_key_text,
    };
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    /// 200 events over ten days: sign-ins by two admins, user locks (some
    /// denied), and one impersonation with a reason and two statements.
    fn chain() -> Vec<ChainedEvent> {
        let mut previous = GENESIS_HASH.to_owned();
        let session = json!({ "session_id": "5e55", "type": "user", "email": "bob@example.com", "app_role": "authenticated", "database_role": "authenticated" });
        (1..=200i64)
            .map(|seq| {
                let (action, details, outcome) = match seq {
                    100 => (
                        "impersonation.start",
                        json!({ "impersonation": session, "reason": "ticket 4411" }),
                        "success",
                    ),
                    101 | 102 => (
                        "impersonation.read",
                        json!({ "impersonation": session, "table": "public.todos" }),
                        "success",
                    ),
                    103 => (
                        "impersonation.stop",
                        json!({ "impersonation": session, "why": "stopped" }),
                        "success",
                    ),
                    seq if seq % 4 == 0 => (
                        "user.lock",
                        json!({ "n": seq }),
                        if seq % 8 == 0 { "denied" } else { "success" },
                    ),
                    seq => ("admin.sign_in", json!({ "n": seq }), "success"),
                };
                let admin = if seq % 2 == 0 {
                    "alice@fluxdesk.demo"
                } else {
                    "zed@fluxdesk.demo"
                };
                let mut event = ChainedEvent {
                    seq,
                    occurred_at: format!("2026-11-{:02}T{:02}:00:00.000000Z", 10 + seq / 20, seq % 20),
                    admin_id: None,
                    admin_email: Some(admin.into()),
                    instance: "demo".into(),
                    action: action.into(),
                    target: Some(format!("user{seq}@example.com")),
                    details,
                    outcome: outcome.into(),
                    client_version: "fluxdesk-test".into(),
                    prev_hash: previous.clone(),
                    hash: String::new(),
                };
                event.hash = event.recomputed_hash().unwrap();
                previous = event.hash.clone();
                event
            })
            .collect()
    }

    fn write(path: &Path, events: &[ChainedEvent], key: &SigningKey, passphrase: Option<&str>) {
        let header = BundleHeader {
            format: FORMAT.into(),
            version: VERSION,
            client: "fluxdesk-test".into(),
            instance: InstanceIdentity {
                name: "demo".into(),
                address: "localhost:5432/demo".into(),
                system_identifier: None,
                layout: "dashboard".into(),
            },
            export: ExportParameters {
                since: None,
                until: None,
                exported_by: Some("alice@fluxdesk.demo".into()),
                exported_at: "2026-11-24T12:00:00Z".into(),
            },
            signer_public_key: public_key_text(key),
            encryption: passphrase.map(|_| crate::audit_bundle::Encryption {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
                ..new_encryption()
            }),
        };
        let file = std::fs::File::create(path).unwrap();
        let mut writer = BundleWriter::start(file, &header, key.clone(), passphrase).unwrap();
        for event in events {
            writer.push(event).unwrap();
        }
        writer.finish().unwrap();
    }

    fn open(path: &Path, passphrase: Option<&str>, pinned: Option<&str>) -> CoreResult<BundleUnderReview> {
        open_bundle(
            path,
            passphrase,
            pinned,
            "r".into(),
            &|_| {},
            &CancellationToken::new(),
        )
    }

    #[test]
    fn an_intact_bundle_is_browsed_filtered_sorted_summarised_and_saved_as_csv() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("audit.fxaudit");
        let key = new_signing_key();
        write(&path, &chain(), &key, Some("a passphrase"));
        let bundle = open(&path, Some("a passphrase"), Some(&public_key_text(&key))).unwrap();
        assert!(bundle.review.is_intact(), "{}", bundle.review.verdict);
        assert!(bundle.review.verdict.starts_with("Intact: all 200 events verify"));
        assert!(bundle.review.encrypted);
        assert_eq!(bundle.len(), 200);

        let all = AuditFilter::default();
        let newest = bundle.page(&all, ReviewSort::NewestFirst, 0, 10).unwrap();
        assert_eq!(newest.matching, 200);
        assert_eq!(newest.entries[0].seq, Some(200));
        let oldest = bundle.page(&all, ReviewSort::OldestFirst, 195, 10).unwrap();
        assert_eq!(
            oldest
                .entries
                .iter()
                .map(|entry| entry.seq.unwrap())
                .collect::<Vec<_>>(),
            vec![196, 197, 198, 199, 200]
        );

        let denied_locks = AuditFilter {
            action: Some("USER.LOCK".into()),
            outcome: Some("denied".into()),
            ..AuditFilter::default()
        };
        let page = bundle
            .page(&denied_locks, ReviewSort::NewestFirst, 0, 500)
            .unwrap();
        let expected = chain()
            .iter()
            .filter(|event| event.action == "user.lock" && event.outcome == "denied")
            .count();
        assert_eq!(page.matching as usize, expected);
        assert!(
            page.entries
                .iter()
                .all(|entry| entry.action == "user.lock" && entry.outcome == "denied")
        );

        let by_text = AuditFilter {
            text: Some("ticket 4411".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            bundle
                .page(&by_text, ReviewSort::NewestFirst, 0, 10)
                .unwrap()
                .matching,
            1
        );
        let in_range = AuditFilter {
            since: Some("2026-11-12".into()),
            until: Some("2026-11-13T00:00:00Z".into()),
            ..AuditFilter::default()
        };
        let day = bundle.page(&in_range, ReviewSort::OldestFirst, 0, 500).unwrap();
        assert_eq!(day.matching, 20, "seq 40..=59 fall on the 12th");
        assert!(
            day.entries
                .iter()
                .all(|entry| entry.occurred_at.starts_with("2026-11-12"))
        );
        let by_admin = bundle.page(&all, ReviewSort::Admin, 0, 500).unwrap();
        assert_eq!(by_admin.entries[0].admin.as_deref(), Some("alice@fluxdesk.demo"));
        assert_eq!(by_admin.entries[199].admin.as_deref(), Some("zed@fluxdesk.demo"));
        assert!(
            bundle
                .page(
                    &AuditFilter {
                        since: Some("yesterday".into()),
                        ..all.clone()
                    },
                    ReviewSort::NewestFirst,
                    0,
                    1
                )
                .unwrap_err()
                .to_string()
                .contains("is not a time")
        );

        let summary = bundle.summary(&all).unwrap();
        assert_eq!(summary.events, 200);
        assert_eq!(
            summary.by_admin.iter().map(|count| count.events).sum::<u64>(),
            200
        );
        let locks = summary
            .by_action
            .iter()
            .find(|count| count.key == "user.lock")
            .unwrap();
        assert_eq!(locks.not_successful as usize, expected);

        let timeline = bundle.timeline(&all).unwrap();
        let total: u64 = timeline
            .series
            .iter()
            .flat_map(|series| series.counts.iter())
            .sum();
        assert_eq!(total, 200);
        assert_eq!(
            timeline.series.iter().map(|series| series.counts.len()).max(),
            Some(timeline.starts.len())
        );

        let sessions = bundle.impersonations();
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].reason.as_deref(), Some("ticket 4411"));
        assert_eq!(sessions[0].identity, "bob@example.com");
        assert_eq!(sessions[0].statements.len(), 2);
        assert!(sessions[0].ended.as_deref().unwrap().contains("stopped"));

        let csv = folder.path().join("view.csv");
        assert_eq!(
            bundle
                .write_csv(&denied_locks, ReviewSort::OldestFirst, &csv)
                .unwrap() as usize,
            expected
        );
        let written = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(written.lines().count(), expected + 1);
        assert!(written.starts_with("seq,occurred_at,admin,action,target,outcome,details"));
        assert!(!folder.path().join("view.csv.partial").exists());
    }

    #[test]
    fn a_tampered_bundle_opens_with_a_verdict_naming_the_first_bad_position() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("audit.fxaudit");
        let key = new_signing_key();
        write(&path, &chain(), &key, None);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replacen("user57@example.com", "user75@example.com", 1),
        )
        .unwrap();
        let bundle = open(&path, None, None).unwrap();
        assert!(!bundle.review.is_intact());
        assert_eq!(bundle.review.first_problem.as_ref().unwrap().position, 57);
        assert!(
            bundle
                .review
                .verdict
                .starts_with("NOT intact: The first bad event is at position 57"),
            "{}",
            bundle.review.verdict
        );
        // Still browsable: the reviewer sees what the file holds.
        assert_eq!(bundle.len(), 200);

        // Re-signed by another install: valid signature, but not the pinned key.
        let other = folder.path().join("other.fxaudit");
        write(&other, &chain(), &new_signing_key(), None);
        let bundle = open(&other, None, Some(&public_key_text(&key))).unwrap();
        assert_eq!(bundle.review.key_pinned, Some(false));
        assert!(
            bundle.review.verdict.contains("other than the pinned one"),
            "{}",
            bundle.review.verdict
        );
    }

    #[test]
    fn a_wrong_passphrase_a_missing_file_and_a_stranger_file_are_clear_errors() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("audit.fxaudit");
        write(&path, &chain(), &new_signing_key(), Some("right passphrase"));
        let wrong = open(&path, Some("wrong passphrase"), None).unwrap_err();
        assert!(wrong.to_string().contains("Wrong passphrase"), "{wrong}");
        let missing = open(&path, None, None).unwrap_err();
        assert!(
            missing.to_string().contains("encrypted: enter its passphrase"),
            "{missing}"
        );
        let nowhere = open(&folder.path().join("nope.fxaudit"), None, None).unwrap_err();
        assert!(nowhere.to_string().contains("There is no file"), "{nowhere}");
        let stranger = folder.path().join("notes.txt");
        std::fs::write(&stranger, "just some notes").unwrap();
        assert!(
            open(&stranger, None, None)
                .unwrap_err()
                .to_string()
                .contains("not a Fluxdesk audit bundle")
        );
    }

    #[test]
    fn timelines_pick_a_bucket_width_that_fits() {
        assert_eq!(bucket_width(3_000), 60);
        assert_eq!(bucket_width(86_400), 900);
        assert_eq!(bucket_width(30 * 86_400), 86_400);
        let timeline = timeline_of([(0i64, "a"), (59_000_000, "b"), (61_000_000, "a")].into_iter());
        assert_eq!(timeline.bucket_seconds, 60);
        assert_eq!(timeline.starts.len(), 2);
        assert_eq!(timeline.series[0].action, "a");
        assert_eq!(timeline.series[0].counts, vec![1, 1]);
        assert_eq!(timeline.series[1].counts, vec![1, 0]);
        // Times from year 1 to 9999 in a crafted bundle: still a chart, never a panic.
        let far =
            timeline_of([(-62_135_596_800_000_000i64, "a"), (253_402_300_799_000_000, "a")].into_iter());
        assert!(
            far.starts.len() as i64 <= TIMELINE_BUCKETS,
            "{}",
            far.starts.len()
        );
        assert_eq!(far.series[0].counts.iter().sum::<u64>(), 2);
        // Before 1970, buckets still start on their boundary.
        let early = timeline_of([(-90_000_000i64, "a"), (-30_000_000, "a")].into_iter());
        assert_eq!(early.starts[0], "1969-12-31T23:58:00.000000Z");
    }

    #[test]
    fn csv_cells_that_look_like_formulas_are_kept_as_text() {
        assert_eq!(inert_in_a_spreadsheet("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(inert_in_a_spreadsheet("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert_in_a_spreadsheet("-1+2"), "'-1+2");
        assert_eq!(inert_in_a_spreadsheet("user.lock"), "user.lock");
        assert_eq!(inert_in_a_spreadsheet(""), "");
    }
}
