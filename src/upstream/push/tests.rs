//! The client against the push gateway simulator: pushes reaching devices, cid idempotency,
//! the error mapping, and receipts reaching a sink (a small poem server started per test).

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use poem::{
    EndpointExt, Route, Server, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use secrecy::ExposeSecret;
use serde_json::json;

use super::*;
use crate::sim::push::{Faults, PushSim, RECEIPT_ATTEMPTS};

async fn setup() -> (PushSim, PushGatewayClient) {
    let config = PushUpstreamConfig::default();
    let sim = PushSim::start(&config.app_key, &config.master_secret)
        .await
        .expect("simulator starts");
    let client = PushGatewayClient::new(&config, sim.base_url()).expect("client builds");
    (sim, client)
}

fn notice(registration_id: &str, platform: DevicePlatform, cid: Option<String>) -> AppPush {
    let mut extras = Map::new();
    extras.insert("benefit_id".into(), json!("elderly-allowance-2026"));
    AppPush {
        cid,
        registration_id: registration_id.to_string(),
        platform,
        title: "高龄津贴".to_string(),
        body: "ئېتىبار پۇلىڭىزنى ئالالايسىز".to_string(),
        extras,
        time_to_live_secs: 3600,
    }
}

#[tokio::test]
async fn a_push_reaches_an_android_device_with_its_title_body_and_extras() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Android);

    let accepted = client
        .push(&notice(&rid, DevicePlatform::Android, None))
        .await
        .expect("accepted");

    let pushes = sim.pushes_to(&rid);
    assert_eq!(pushes.len(), 1);
    let push = &pushes[0];
    assert_eq!(push.msg_id, accepted.msg_id);
    assert_eq!(push.title.as_deref(), Some("高龄津贴"));
    assert_eq!(push.alert, "ئېتىبار پۇلىڭىزنى ئالالايسىز");
    assert_eq!(push.extras["benefit_id"], "elderly-allowance-2026");
    assert_eq!(push.time_to_live_secs, 3600);
    assert!(push.delivered);
}

#[tokio::test]
async fn an_ios_push_carries_the_title_in_the_alert_dictionary() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Ios);

    client
        .push(&notice(&rid, DevicePlatform::Ios, None))
        .await
        .expect("accepted");

    let push = &sim.pushes_to(&rid)[0];
    assert_eq!(push.platform, DevicePlatform::Ios);
    assert_eq!(push.title.as_deref(), Some("高龄津贴"));
    assert_eq!(push.extras["benefit_id"], "elderly-allowance-2026");
}

#[tokio::test]
async fn a_wrong_master_secret_is_unauthorized_and_not_transient() {
    let (sim, _) = setup().await;
    let config = PushUpstreamConfig {
        master_secret: "not-the-secret".into(),
        ..PushUpstreamConfig::default()
    };
    let client = PushGatewayClient::new(&config, sim.base_url()).expect("client builds");
    let rid = sim.register_device(DevicePlatform::Android);

    let err = client
        .push(&notice(&rid, DevicePlatform::Android, None))
        .await
        .expect_err("refused");

    assert_eq!(err, PushGatewayError::Unauthorized);
    assert!(!err.is_transient());
    assert!(sim.all_pushes().is_empty());
}

#[tokio::test]
async fn a_push_repeated_with_its_cid_is_delivered_once_and_answers_the_same_msg_id() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let cids = client.reserve_cids(2).await.expect("cids");
    assert_eq!(cids.len(), 2);
    let app_key = PushUpstreamConfig::default().app_key;
    assert!(
        cids.iter()
            .all(|cid| cid.starts_with(&format!("{app_key}-")))
    );
    let push = notice(&rid, DevicePlatform::Android, Some(cids[0].clone()));

    let first = client.push(&push).await.expect("first");
    let retry = client.push(&push).await.expect("retry");
    let other = client
        .push(&notice(
            &rid,
            DevicePlatform::Android,
            Some(cids[1].clone()),
        ))
        .await
        .expect("another cid");

    assert_eq!(first, retry);
    assert_ne!(first, other);
    assert_eq!(sim.pushes_to(&rid).len(), 2);
    assert_eq!(sim.calls("/v3/push"), 3);
}

#[tokio::test]
async fn a_cid_never_reserved_or_a_day_old_is_rejected_permanently() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let invented = format!(
        "{}-{}",
        PushUpstreamConfig::default().app_key,
        uuid::Uuid::new_v4()
    );
    let old = client.reserve_cids(1).await.expect("cid").remove(0);
    sim.advance_clock(Duration::from_secs(24 * 3600));

    for cid in [invented, old] {
        let err = client
            .push(&notice(&rid, DevicePlatform::Android, Some(cid)))
            .await
            .expect_err("refused");
        assert!(
            matches!(err, PushGatewayError::Rejected { code: 1003, .. }),
            "{err:?}"
        );
        assert!(!err.is_transient());
    }
    assert!(sim.all_pushes().is_empty());
}

#[tokio::test]
async fn a_device_the_gateway_does_not_know_is_no_such_device() {
    let (sim, client) = setup().await;
    sim.register_device(DevicePlatform::Android);

    let err = client
        .push(&notice(
            "1a0018970a5d1ae5ff0",
            DevicePlatform::Android,
            None,
        ))
        .await
        .expect_err("no audience");

    assert_eq!(err, PushGatewayError::NoSuchDevice);
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_malformed_registration_id_is_rejected_without_echoing_it() {
    let (_sim, client) = setup().await;

    let err = client
        .push(&notice("device-4711-secret", DevicePlatform::Android, None))
        .await
        .expect_err("invalid");

    let PushGatewayError::Rejected { code, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*code, 1003);
    assert!(message.contains("devi…"), "{message}");
    assert!(!err.to_string().contains("device-4711-secret"));
}

#[tokio::test]
async fn over_the_rate_cap_the_push_is_rate_limited_with_the_reset_as_retry_after() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Android);
    sim.set_rate_cap(1);

    client
        .push(&notice(&rid, DevicePlatform::Android, None))
        .await
        .expect("within the cap");
    let err = client
        .push(&notice(&rid, DevicePlatform::Android, None))
        .await
        .expect_err("over the cap");

    assert_eq!(
        err,
        PushGatewayError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert!(err.is_transient());
    assert_eq!(sim.pushes_to(&rid).len(), 1);
}

#[tokio::test]
async fn an_outage_an_internal_error_or_a_timeout_is_unavailable_and_transient() {
    let config = PushUpstreamConfig {
        timeout_ms: 200,
        ..PushUpstreamConfig::default()
    };
    let sim = PushSim::start(&config.app_key, &config.master_secret)
        .await
        .expect("simulator starts");
    let client = PushGatewayClient::new(&config, sim.base_url()).expect("client builds");
    let rid = sim.register_device(DevicePlatform::Android);
    let faults = [
        Faults {
            outage: true,
            ..Faults::default()
        },
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
        Faults {
            latency: Duration::from_millis(500),
            ..Faults::default()
        },
    ];

    for fault in faults {
        sim.set_faults(fault.clone());
        let err = client
            .push(&notice(&rid, DevicePlatform::Android, None))
            .await
            .expect_err("unavailable");
        assert!(
            matches!(err, PushGatewayError::Unavailable(_)),
            "{fault:?}: {err:?}"
        );
        assert!(err.is_transient());
    }
    assert!(sim.all_pushes().is_empty());
}

#[tokio::test]
async fn a_time_to_live_past_ten_days_is_shortened_to_ten_days() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Android);

    client
        .push(&AppPush {
            time_to_live_secs: 30 * 24 * 3600,
            ..notice(&rid, DevicePlatform::Android, None)
        })
        .await
        .expect("accepted");

    assert_eq!(sim.pushes_to(&rid)[0].time_to_live_secs, 10 * 24 * 3600);
}

/// One POST a sink received: its `X-Jpush-Signature` and its body.
type Hit = (Option<String>, Vec<u8>);

/// A receipt sink: records each POST's signature and body, and answers 500 to the first
/// `failures` of them.
#[derive(Clone)]
struct Sink {
    hits: Arc<Mutex<Vec<Hit>>>,
    failures: Arc<AtomicUsize>,
}

#[handler]
fn sink_endpoint(req: &poem::Request, body: Vec<u8>, Data(sink): Data<&Sink>) -> StatusCode {
    let signature = req
        .headers()
        .get(wire::HEADER_RECEIPT_SIGNATURE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    sink.hits.lock().expect("lock").push((signature, body));
    let failing = sink
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn start_sink(failures: usize) -> (String, Sink) {
    let sink = Sink {
        hits: Arc::default(),
        failures: Arc::new(AtomicUsize::new(failures)),
    };
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("binds");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("socket address");
    let routes = Route::new()
        .at("/receipts", poem::post(sink_endpoint))
        .data(sink.clone());
    tokio::spawn(Server::new_with_acceptor(acceptor).run(routes));
    (format!("http://{addr}/receipts"), sink)
}

#[tokio::test]
async fn receipts_reach_the_sink_signed_and_say_which_devices_got_the_push() {
    let (sim, client) = setup().await;
    let secret = PushUpstreamConfig::default().receipt_secret;
    let (url, sink) = start_sink(0).await;
    sim.set_receipt_sink(url, secret.clone());
    let online = sim.register_device(DevicePlatform::Android);
    let offline = sim.register_device(DevicePlatform::Ios);
    let uninstalled = sim.register_device(DevicePlatform::Android);
    sim.set_device_offline(&offline, true);
    sim.unregister_device(&uninstalled);

    let mut msg_ids = Vec::new();
    for (rid, platform) in [
        (&online, DevicePlatform::Android),
        (&offline, DevicePlatform::Ios),
        (&uninstalled, DevicePlatform::Android),
    ] {
        let accepted = client
            .push(&notice(rid, platform, None))
            .await
            .expect("accepted");
        msg_ids.push(accepted.msg_id);
    }
    sim.settle_receipts().await;

    let hits = sink.hits.lock().expect("lock").clone();
    assert_eq!(hits.len(), 3);
    let mut receipts = Vec::new();
    for (signature, body) in &hits {
        let signature = signature.as_deref().expect("signed");
        assert!(verify_receipt(secret.expose_secret(), signature, body));
        receipts.extend(parse_receipts(body).expect("receipts"));
    }
    receipts.sort_by(|a, b| a.msg_id.cmp(&b.msg_id));
    let outcomes: Vec<_> = receipts
        .iter()
        .map(|r| {
            (
                r.msg_id.as_str(),
                r.registration_id.as_str(),
                r.status,
                r.reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (
                msg_ids[0].as_str(),
                online.as_str(),
                ReceiptStatus::Delivered,
                None
            ),
            (
                msg_ids[1].as_str(),
                offline.as_str(),
                ReceiptStatus::NotDelivered,
                Some("offline")
            ),
            (
                msg_ids[2].as_str(),
                uninstalled.as_str(),
                ReceiptStatus::NotDelivered,
                Some("uninstalled")
            ),
        ]
    );
    assert_eq!(receipts[1].platform, DevicePlatform::Ios);
    assert_eq!(sim.receipts_acknowledged().len(), 3);
}

#[tokio::test]
async fn receipts_are_retried_until_the_sink_acknowledges_them() {
    let (sim, client) = setup().await;
    let (url, sink) = start_sink(1).await;
    sim.set_receipt_sink(url, PushUpstreamConfig::default().receipt_secret);
    let rid = sim.register_device(DevicePlatform::Android);

    let accepted = client
        .push(&notice(&rid, DevicePlatform::Android, None))
        .await
        .expect("accepted");
    sim.settle_receipts().await;

    let hits = sink.hits.lock().expect("lock").clone();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0], hits[1], "the retry sends the same signed body");
    let acknowledged = sim.receipts_acknowledged();
    assert_eq!(acknowledged.len(), 1);
    assert_eq!(acknowledged[0].msg_id, accepted.msg_id);
    assert_eq!(sim.receipt_attempts(), 2);
}

#[tokio::test]
async fn a_sink_that_keeps_failing_gets_three_tries_and_acknowledges_nothing() {
    let (sim, client) = setup().await;
    let (url, sink) = start_sink(usize::MAX).await;
    sim.set_receipt_sink(url, PushUpstreamConfig::default().receipt_secret);
    let rid = sim.register_device(DevicePlatform::Android);

    client
        .push(&notice(&rid, DevicePlatform::Android, None))
        .await
        .expect("accepted");
    sim.settle_receipts().await;

    assert_eq!(
        sink.hits.lock().expect("lock").len(),
        RECEIPT_ATTEMPTS as usize
    );
    assert!(sim.receipts_acknowledged().is_empty());
}

#[tokio::test]
async fn many_pushes_go_in_one_batch_call_each_answered_in_order_and_a_repeat_delivers_nothing() {
    let (sim, client) = setup().await;
    let android = sim.register_device(DevicePlatform::Android);
    let ios = sim.register_device(DevicePlatform::Ios);
    let cids = client.reserve_cids(3).await.expect("cids");
    let pushes = vec![
        notice(&android, DevicePlatform::Android, Some(cids[0].clone())),
        notice(
            "1a0018970a5d1ae5ff0",
            DevicePlatform::Android,
            Some(cids[1].clone()),
        ),
        notice(&ios, DevicePlatform::Ios, Some(cids[2].clone())),
    ];

    let answers = client.push_many(&pushes).await;

    assert_eq!(answers.len(), 3);
    let first = answers[0].clone().expect("the Android push is accepted");
    assert_eq!(answers[1], Err(PushGatewayError::NoSuchDevice));
    let third = answers[2].clone().expect("the iOS push is accepted");
    assert_ne!(first, third);
    assert_eq!(sim.calls(wire::BATCH_REGID_PATH), 1);
    assert_eq!(sim.calls("/v3/push"), 0);
    let delivered = sim.pushes_to(&ios);
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].title.as_deref(), Some("高龄津贴"));
    assert_eq!(delivered[0].cid.as_deref(), Some(cids[2].as_str()));

    // The same batch again (a retry after a crash): the first answers, no second delivery.
    let again = client.push_many(&pushes).await;
    assert_eq!(again[0], Ok(first));
    assert_eq!(again[2], Ok(third));
    assert_eq!(sim.pushes_to(&android).len(), 1);
    assert_eq!(sim.pushes_to(&ios).len(), 1);
}

#[tokio::test]
async fn without_the_vip_batch_interface_the_client_sends_one_push_per_call_from_then_on() {
    let (sim, client) = setup().await;
    sim.set_batch_allowed(false);
    let rids: Vec<String> = (0..3)
        .map(|_| sim.register_device(DevicePlatform::Android))
        .collect();
    let cids = client.reserve_cids(6).await.expect("cids");
    let batch = |offset: usize| -> Vec<AppPush> {
        rids.iter()
            .enumerate()
            .map(|(i, rid)| notice(rid, DevicePlatform::Android, Some(cids[offset + i].clone())))
            .collect()
    };

    let answers = client.push_many(&batch(0)).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(
        sim.calls(wire::BATCH_REGID_PATH),
        1,
        "refused once with 2006"
    );
    assert_eq!(sim.calls("/v3/push"), 3);

    let answers = client.push_many(&batch(3)).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(sim.calls(wire::BATCH_REGID_PATH), 1, "not asked again");
    assert_eq!(sim.calls("/v3/push"), 6);
    assert!(rids.iter().all(|rid| sim.pushes_to(rid).len() == 2));
}

#[tokio::test]
async fn a_batch_over_the_rate_cap_is_rate_limited_as_a_whole_and_transient() {
    let (sim, client) = setup().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let cids = client.reserve_cids(2).await.expect("cids");
    sim.set_rate_cap(0);
    let pushes: Vec<AppPush> = cids
        .iter()
        .map(|cid| notice(&rid, DevicePlatform::Android, Some(cid.clone())))
        .collect();

    let answers = client.push_many(&pushes).await;

    assert!(
        answers
            .iter()
            .all(|answer| matches!(answer, Err(err @ PushGatewayError::RateLimited { .. }) if err.is_transient())),
        "{answers:?}"
    );
    assert!(sim.all_pushes().is_empty());
}
