//! Push throughput (issue 6): notifications dispatched per second to the simulators, and the
//! end-to-end time of a 100,000-notification campaign.
//!
//! `cargo bench --bench push`. A release Tongban runs in this process with its built-in
//! simulators on loopback (WeChat, the push gateway) and the default `[push]` configuration
//! except quiet hours (off, so the figures do not depend on the hour). The people: 60 % reach
//! by app push, 30 % by a WeChat subscription credit, 10 % allow nothing (inbox only).
//!
//! (a) Dispatch rate: 50,000 notifications already in the outbox, the workers started, time
//!     until every one is settled.
//! (b) Campaign: 100,000 offers' notifications written 1,000 per transaction (a sweep's
//!     batches) while the workers run, from the first write to the last one settled.
//!
//! With `TONGBAN_TEST_POSTGRES` naming a PostgreSQL database, the store is a fresh schema in it.

// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use tongban::{
    App, Config,
    domain::{
        benefits::policy::Text3,
        push::{
            Outbox,
            outbox::{NewNotification, Params},
        },
    },
    upstream::push::DevicePlatform,
};

const OFFER_TEMPLATE: &str = "tongban-benefit-offer-0001";

struct Bench {
    app_state: tongban::AppState,
    wechat: tongban::sim::wechat::WechatSim,
    gateway: tongban::sim::push::PushSim,
    outbox: Outbox,
}

/// Writes `count` people (from `first`) with their permissions and notifications, `batch` per
/// transaction.
async fn write(bench: &Bench, campaign: &str, first: usize, count: usize, batch: usize) {
    let app_id = &bench.app_state.config.upstream.wechat.app_id;
    let title = Text3 {
        zh_hans: "高龄津贴".into(),
        ug_arab: "ياشانغانلار ياردەم پۇلى".into(),
        kk_arab: "قارتتار جاردەماقىسى".into(),
    };
    let langs = ["zh-Hans", "ug-Arab", "kk-Arab"];
    let mut i = first;
    while i < first + count {
        // Blind inserts (a sweep's batch without its reads): no serializable transaction,
        // which PostgreSQL could abort beside the running dispatcher.
        let mut tx = bench.app_state.store.writer().begin().await.expect("tx");
        for i in i..(i + batch).min(first + count) {
            let account = format!("acc_bench{i:07}");
            tongban::db::query("INSERT INTO accounts (id, created_at, lang) VALUES ($1, 0, $2)")
                .bind(&account)
                .bind(langs[i % 3])
                .execute(&mut tx)
                .await
                .expect("account");
            match i % 10 {
                0 => {}
                1..=3 => {
                    let openid = format!("oBench{i:022}");
                    bench.wechat.mint_login_code(&openid);
                    bench.wechat.grant_subscription(&openid, OFFER_TEMPLATE);
                    tongban::db::query(
                        "INSERT INTO platform_identities
                           (platform, app_id, subject, account_id, created_at, last_login_at)
                         VALUES ('wechat', $1, $2, $3, 0, 0)",
                    )
                    .bind(app_id)
                    .bind(&openid)
                    .bind(&account)
                    .execute(&mut tx)
                    .await
                    .expect("identity");
                    tongban::db::query(
                        "INSERT INTO push_credits
                           (account_id, platform, template_id, credits, long_term, updated_at)
                         VALUES ($1, 'wechat', $2, 1, 0, 0)",
                    )
                    .bind(&account)
                    .bind(OFFER_TEMPLATE)
                    .execute(&mut tx)
                    .await
                    .expect("credit");
                }
                _ => {
                    let rid = bench.gateway.register_device(DevicePlatform::Android);
                    tongban::db::query(
                        "INSERT INTO push_devices (registration_id, account_id, platform, created_at)
                         VALUES ($1, $2, 'android', 0)",
                    )
                    .bind(&rid)
                    .bind(&account)
                    .execute(&mut tx)
                    .await
                    .expect("device");
                }
            }
            let notification = NewNotification {
                account_id: &account,
                cause: &format!("bench:{i}"),
                version: "offer",
                params: Params::BenefitOffer {
                    offer_id: format!("ofr_bench{i:07}"),
                    policy_id: "bench".into(),
                    policy: title.clone(),
                    amount_fen: Some(10_000),
                    amount_unit: Some("month".into()),
                    confirm_by: Some("2026-12-31".into()),
                },
                campaign_id: Some(campaign),
            };
            bench
                .outbox
                .enqueue(&mut tx, &notification)
                .await
                .expect("enqueue");
        }
        tx.commit().await.expect("commit");
        bench.outbox.wake();
        i += batch;
    }
}

/// Waits until none of the campaign's notifications is open, then counts how they ended. The
/// wait asks whether one open row exists (the first entry of a range of the campaign index),
/// so watching costs the dispatcher next to nothing.
async fn settled(bench: &Bench, campaign: &str) -> (i64, i64) {
    let pool = bench.app_state.store.pool();
    loop {
        let open: bool = tongban::db::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM notifications
                            WHERE campaign_id = $1 AND state IN ('queued', 'sending', 'in_doubt'))",
        )
        .bind(campaign)
        .fetch_one(pool)
        .await
        .expect("progress");
        if !open {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tongban::db::query_as(
        "SELECT COUNT(CASE WHEN state = 'sent' THEN 1 END), COUNT(CASE WHEN state = 'inbox' THEN 1 END)
         FROM notifications WHERE campaign_id = $1",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .expect("outcome")
}

fn knob(name: &str) -> Option<u32> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::default();
        config.server.addr = "127.0.0.1:0".into();
        config.database.data_dir = data.path().to_path_buf();
        config.benefits.publish_seed_policies = false;
        config.push.quiet_start = "00:00".into();
        config.push.quiet_end = "00:00".into();
        config.push.dispatch = false;
        config.log.filter = "warn".into();
        // Knobs for trying other dispatcher shapes; the figures in BENCHMARKS.md use the
        // defaults.
        if let Some(workers) = knob("PUSH_WORKERS") {
            config.push.workers = workers;
        }
        if knob("PUSH_SINGLE") == Some(1) {
            // An account without JPush's VIP batch single push: one push per call.
            config.upstream.push.batch = false;
        }
        if let Ok(filter) = std::env::var("PUSH_LOG") {
            config.log.filter = filter;
        }
        if let Some(batch) = knob("PUSH_BATCH") {
            config.push.batch_size = batch;
        }
        // `TONGBAN_TEST_POSTGRES=postgres://…`: the store is a fresh schema in that database
        // instead of an SQLite file (the outbox on PostgreSQL, issue 7).
        if let Some(url) = tongban::store::scratch_postgres()
            .await
            .expect("a PostgreSQL schema")
        {
            config.database.url = url;
        }
        let app = App::build(config).await.expect("app");
        let sims = app.simulators().clone();
        let state = app.state().clone();
        println!("store: {:?}", state.store.engine());
        let bench = Bench {
            outbox: state.push.outbox().clone(),
            app_state: state.clone(),
            wechat: sims.wechat.clone().expect("wechat simulator"),
            gateway: sims.push.clone().expect("push simulator"),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));

        // (a) Dispatch rate.
        let count = 50_000;
        write(&bench, "swp_bench_rate", 0, count, 5_000).await;
        let started = Instant::now();
        state.push.spawn_workers();
        let (sent, inbox) = settled(&bench, "swp_bench_rate").await;
        let elapsed = started.elapsed();
        println!(
            "(a) dispatch: {count} notifications settled in {:.2} s = {:.0} notifications/s ({sent} sent to the simulators, {inbox} inbox only)",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64()
        );

        // (b) A 100,000-notification campaign, written while the workers run.
        let count = 100_000;
        let started = Instant::now();
        write(&bench, "swp_bench_campaign", 1_000_000, count, 1_000).await;
        let written = started.elapsed();
        let (sent, inbox) = settled(&bench, "swp_bench_campaign").await;
        let elapsed = started.elapsed();
        println!(
            "(b) campaign: {count} notifications written in {:.2} s, all settled {:.2} s after the first write ({sent} sent, {inbox} inbox only) = {:.0} notifications/s end to end",
            written.as_secs_f64(),
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64()
        );
        println!(
            "simulators received: WeChat {} messages, push gateway {} pushes; peak RSS {:.1} MiB",
            bench.wechat.sent_messages().len(),
            bench.gateway.all_pushes().len(),
            peak_rss_mib()
        );
        let _ = stop.send(());
        let _ = server.await;
    });
}
