//! The users screen at 100,000 users, for BENCHMARKS.md: each figure is the
//! console's server-side query against Fluxbase's own way, measured in the
//! same run on the same database.
//!
//! Fluxbase's admin API (`ListEnrichedUsers`) reads every user joined with
//! their sessions, grouped, then filters, sorts and pages in memory. The
//! baseline does exactly that over one connection into Rust structs; it
//! leaves out the JSON encoding and HTTP transfer Fluxbase adds, so it is
//! the kindest possible version of that approach.
//!
//! Run with `scripts/bench.sh`.

use chrono::{DateTime, Utc};
use fluxdesk_sandbox::{Seed, fresh_database};
use fluxdesk_types::{UserListRequest, UserSort};
use sqlx::postgres::PgPoolOptions;
use sqlx::{FromRow, PgPool};
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;
mod support;
use support::ID;
const GENERATED: i64 = 100_000;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn row(name: &str, ours: Duration, baseline: Duration) {
    println!(
        "| {name} | {:.1} ms | {:.1} ms | {:.3} |",
        millis(ours),
        millis(baseline),
        ours.as_secs_f64() / baseline.as_secs_f64()
    );
}

/// One user as Fluxbase's enriched list returns them.
#[allow(dead_code)]
#[derive(FromRow)]
struct EnrichedUser {
    id: uuid::Uuid,
    email: String,
    email_verified: Option<bool>,
    role: Option<String>,
    user_metadata: Option<serde_json::Value>,
    app_metadata: Option<serde_json::Value>,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    last_sign_in: Option<DateTime<Utc>>,
    active_sessions: i64,
    provider: String,
    is_locked: Option<bool>,
}

/// Fluxbase's `ListEnrichedUsers`: every user, with sessions, newest first.
async fn load_everyone(pool: &PgPool) -> Vec<EnrichedUser> {
    sqlx::query_as(
        "SELECT u.id, u.email, u.email_verified, u.role, u.user_metadata, u.app_metadata, u.created_at, u.updated_at, \
                MAX(s.created_at) AS last_sign_in, COUNT(s.id) FILTER (WHERE s.expires_at > now()) AS active_sessions, \
                CASE WHEN u.password_hash IS NULL THEN 'oauth' ELSE 'email' END AS provider, u.is_locked \
         FROM auth.users u LEFT JOIN auth.sessions s ON s.user_id = u.id \
         GROUP BY u.id ORDER BY u.created_at DESC",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn time<F, Fut, T>(mut work: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    // One warm-up, then the median.
    work().await;
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        std::hint::black_box(work().await);
        samples.push(started.elapsed());
    }
    median(samples)
}

#[tokio::main]
async fn main() {
    let database = fresh_database(Seed::Demo);
    // 100,000 more users (one shared bcrypt hash), a session for two in
    // three, an OAuth link for one in ten.
    database.psql(&format!(
        "INSERT INTO auth.users (email, password_hash, email_verified, role, user_metadata, created_at) \
         SELECT format('bench%s@load.example', lpad(g::text, 6, '0')), \
                (SELECT password_hash FROM auth.users WHERE email = 'alice@example.com'), \
                g % 5 <> 0, CASE WHEN g % 40 = 0 THEN 'admin' ELSE 'authenticated' END, \
                jsonb_build_object('full_name', 'Load User ' || g, 'team', 'team-' || (g % 97)), \
                now() - (g || ' minutes')::interval \
         FROM generate_series(1, {GENERATED}) g; \
         INSERT INTO auth.sessions (user_id, expires_at, created_at, access_token_hash) \
         SELECT id, now() + interval '1 day', now() - (random() * 1000 || ' hours')::interval, md5(id::text) \
         FROM auth.users WHERE email LIKE 'bench%' AND right(split_part(email, '@', 1), 1) IN ('1', '2', '4', '5', '7', '8'); \
         INSERT INTO auth.oauth_links (user_id, provider, provider_user_id) \
         SELECT id, 'github', id::text FROM auth.users WHERE email LIKE 'bench%0@load.example'; \
         ANALYZE auth.users; ANALYZE auth.sessions; ANALYZE auth.oauth_links;"
    ));
    let total = database.psql("SELECT count(*) FROM auth.users");
    let baseline_pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&database.url)
        .await
        .unwrap();
    let (console, _folder) = support::signed_in_console(&database.url).await;

    let page = |sort: UserSort, descending: bool, search: &str, after: Option<String>| UserListRequest {
        search: search.into(),
        sort,
        descending,
        after,
        limit: 100,
        ..UserListRequest::default()
    };
    let list = |request: UserListRequest| {
        let console = &console;
        async move { console.app_users(ID, &request).await.unwrap() }
    };
    // A cursor 90,000 users deep in created_at order.
    let mut deep = page(UserSort::CreatedAt, true, "", None);
    deep.limit = 500;
    for _ in 0..180 {
        deep.after = list(deep.clone()).await.next;
    }
    deep.limit = 100;

    println!("## Users screen at {total} users, median of {ROUNDS}, same run");
    println!(
        "Baseline: Fluxbase's admin API way — every user with their sessions loaded, then filtered, sorted and paged in memory (without its JSON and HTTP costs)."
    );
    println!();
    println!("| work | Fluxdesk (server-side, by key) | load all, filter in memory | ratio |");
    println!("|---|---|---|---|");

    let ours = time(|| list(page(UserSort::CreatedAt, true, "", None))).await;
    let baseline = time(|| async { load_everyone(&baseline_pool).await.into_iter().take(100).count() }).await;
    row("first page (100 newest)", ours, baseline);

    let fragment = "bench04217";
    let search_baseline = time(|| async {
        load_everyone(&baseline_pool)
            .await
            .into_iter()
            .filter(|user| user.email.to_lowercase().contains(fragment))
            .take(100)
            .count()
    })
    .await;
    let ours = time(|| list(page(UserSort::CreatedAt, true, fragment, None))).await;
    row(
        "search by email fragment, no trigram index",
        ours,
        search_baseline,
    );
    console.create_user_search_index(ID).await.unwrap();
    let ours = time(|| list(page(UserSort::CreatedAt, true, fragment, None))).await;
    row("search by email fragment, trigram index", ours, search_baseline);

    let ours = time(|| list(page(UserSort::LastSignIn, true, "", None))).await;
    let baseline = time(|| async {
        let mut everyone = load_everyone(&baseline_pool).await;
        everyone.sort_by_key(|user| std::cmp::Reverse(user.last_sign_in));
        everyone.into_iter().take(100).count()
    })
    .await;
    row("sort by last sign-in, first page", ours, baseline);

    let ours = time(|| list(deep.clone())).await;
    let baseline = time(|| async {
        load_everyone(&baseline_pool)
            .await
            .into_iter()
            .skip(90_000)
            .take(100)
            .count()
    })
    .await;
    row("page 901 (after 90,000 users)", ours, baseline);

    let ours = time(|| list(page(UserSort::Email, false, "", None))).await;
    let baseline = time(|| async {
        let mut everyone = load_everyone(&baseline_pool).await;
        everyone.sort_by(|a, b| a.email.cmp(&b.email));
        everyone.into_iter().take(100).count()
    })
    .await;
    row("sort by email, first page", ours, baseline);
}
