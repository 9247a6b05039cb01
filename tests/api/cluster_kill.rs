//! A campaign dispatched by three instances of the real binary on one PostgreSQL schema, one
//! of which is SIGKILLed half-way (issue 7): every notification still reaches its person
//! exactly once, as the simulators (in this test process) saw it. Runs when
//! `TONGBAN_TEST_POSTGRES` names a database (`.ci/run` sets it).

use std::time::{Duration, Instant};

use tongban::{
    Config,
    sim::{push::PushSim, wechat::WechatSim},
};

use crate::push_kill::{Rng, free_port, seed, spawn, unsettled, verify, wait_ready};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_deliver_a_campaign_exactly_once_though_one_is_killed_half_way() {
    let Some(url) = tongban::store::scratch_postgres()
        .await
        .expect("test schema")
    else {
        eprintln!(
            "skipped: set {} to a PostgreSQL URL to run the multi-instance tests",
            tongban::store::TEST_POSTGRES_ENV
        );
        return;
    };
    let defaults = Config::default();
    let wechat = WechatSim::start(
        &defaults.upstream.wechat.app_id,
        &defaults.upstream.wechat.app_secret,
    )
    .await
    .expect("wechat simulator");
    let gateway = PushSim::start(
        &defaults.upstream.push.app_key,
        &defaults.upstream.push.master_secret,
    )
    .await
    .expect("push simulator");
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.database.data_dir = data.path().to_path_buf();
    config.database.url = url;
    let reach = seed(&config, &wechat, &gateway).await;

    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    // Platform events reach the instance that stays up (behind nginx they reach any).
    wechat.set_push_url(
        &format!("http://127.0.0.1:{}/v1/hooks/wechat", ports[0]),
        defaults.upstream.wechat.push_token.clone(),
    );
    gateway.set_receipt_sink(
        format!("http://127.0.0.1:{}/v1/hooks/push", ports[0]),
        defaults.upstream.push.receipt_secret.clone(),
    );
    let seed_value = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 | 1)
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    eprintln!("cluster kill test seed: {seed_value}");
    let mut rng = Rng(seed_value);

    let mut children: Vec<_> = ports
        .iter()
        .map(|port| spawn(&config, *port, &wechat, &gateway))
        .collect();
    for port in &ports {
        wait_ready(*port).await;
    }
    tokio::time::sleep(Duration::from_millis(rng.between(300, 1_200))).await;
    let victim = 1 + (rng.between(0, 2) as usize);
    children[victim].kill().expect("SIGKILL");
    children[victim].wait().expect("reaped");
    let left = unsettled(&config).await;
    eprintln!("killed instance {victim} with {left} notifications unsettled");
    assert!(
        left > 0,
        "the instance was killed half-way, not after the campaign"
    );

    let deadline = Instant::now() + Duration::from_secs(120);
    while unsettled(&config).await > 0 {
        assert!(Instant::now() < deadline, "the campaign did not settle");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (n, child) in children.iter_mut().enumerate() {
        if n != victim {
            child.kill().expect("stop");
            child.wait().expect("reaped");
        }
    }
    verify(&config, &reach, &wechat, &gateway, 1).await;
    // All three had a WeChat token to send with; one of them fetched it.
    assert_eq!(
        wechat.calls("/cgi-bin/stable_token"),
        1,
        "one token for the three instances"
    );
}
