//! Subscription messages end to end: the client sends through the simulator, and the events
//! the simulator pushes are received by a tiny poem server standing in for Tongban's hook,
//! which checks their signature and reads them with `parse_subscribe_events`.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use poem::{
    EndpointExt, Response, Route, Server, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::{Data, Query},
};
use serde_json::Value;

use super::*;
use crate::sim::wechat::{APPLICATION_STATUS_TEMPLATE, BENEFIT_OFFER_TEMPLATE};

const PUSH_TOKEN: &str = "AAAAA";
const SETTLE: Duration = Duration::from_secs(10);

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    query: HashMap<String, String>,
    body: Value,
}

impl Delivery {
    fn signed_with(&self, token: &str) -> bool {
        let param = |key: &str| self.query.get(key).map_or("", String::as_str);
        crypto::verify_signature(
            token,
            param("timestamp"),
            param("nonce"),
            param("signature"),
        )
    }
}

#[derive(Clone)]
struct Inbox {
    received: Arc<Mutex<Vec<Delivery>>>,
    /// Answers 500 to this many requests before answering `success`.
    failures_left: Arc<AtomicUsize>,
}

#[handler]
fn hook(
    Query(query): Query<HashMap<String, String>>,
    body: String,
    Data(inbox): Data<&Inbox>,
) -> Response {
    let body = serde_json::from_str(&body).unwrap_or(Value::Null);
    inbox
        .received
        .lock()
        .expect("inbox lock")
        .push(Delivery { query, body });
    let fail = inbox
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if fail {
        Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .finish()
    } else {
        Response::builder().body("success")
    }
}

/// Starts a receiver failing its first `failures` requests; returns its URL and inbox.
async fn receiver(failures: usize) -> (String, Inbox) {
    let inbox = Inbox {
        received: Arc::new(Mutex::new(Vec::new())),
        failures_left: Arc::new(AtomicUsize::new(failures)),
    };
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("receiver binds");
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .expect("receiver address");
    let routes = Route::new().at("/hook", hook).data(inbox.clone());
    tokio::spawn(Server::new_with_acceptor(acceptor).run(routes));
    (format!("http://{addr}/hook"), inbox)
}

fn received(inbox: &Inbox) -> Vec<Delivery> {
    inbox.received.lock().expect("inbox lock").clone()
}

/// The simulator and client, with pushes going to a receiver failing its first `failures`
/// requests, retried after 100 ms.
async fn setup_with_push(failures: usize) -> (WechatSim, WechatClient, Inbox) {
    let (sim, client) = setup().await;
    let (url, inbox) = receiver(failures).await;
    sim.set_push_url(&url, SecretString::from(PUSH_TOKEN));
    sim.set_push_retry_pause(Duration::from_millis(100));
    (sim, client, inbox)
}

/// An application-status notice for notification `id`, values fitted to their fields.
fn status_notice(touser: &str, thing: &str, id: u32) -> SubscribeMessage {
    let raw = [
        ("thing1", thing),
        ("phrase2", "已受理"),
        ("time3", "2025-03-01 10:00"),
        ("thing4", "乌鲁木齐市政务服务中心"),
    ];
    let data: BTreeMap<String, String> = raw
        .iter()
        .map(|(key, value)| {
            let fitted = fit_value(key, value).unwrap_or_else(|| value.to_string());
            (key.to_string(), fitted)
        })
        .collect();
    SubscribeMessage {
        touser: touser.to_string(),
        template_id: APPLICATION_STATUS_TEMPLATE.to_string(),
        page: Some(format!("pages/notice/detail?nid={id}")),
        data,
        miniprogram_state: Some("trial".to_string()),
        lang: None,
    }
}

#[tokio::test]
async fn a_subscription_message_spends_its_credit_and_a_second_send_is_refused() {
    let (sim, client) = setup().await;
    sim.grant_subscription(DEMO_OPENIDS[1], APPLICATION_STATUS_TEMPLATE);

    let msgid = client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[1], "高龄津贴申请", 7))
        .await
        .expect("sent");
    let again = client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[1], "高龄津贴申请", 7))
        .await;

    assert_eq!(again.err(), Some(WechatError::UserRefused));
    let sent = sim.sent_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].msgid, msgid);
    assert_eq!(sent[0].data["thing1"], "高龄津贴申请");
    assert_eq!(sent[0].page.as_deref(), Some("pages/notice/detail?nid=7"));
    assert_eq!(sent[0].miniprogram_state.as_deref(), Some("trial"));
    assert_eq!(sent[0].lang, None);
}

#[tokio::test]
async fn a_long_uyghur_text_fitted_by_fit_value_is_accepted() {
    let (sim, client) = setup().await;
    sim.grant_subscription(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);
    let uyghur = "ئىلتىماسىڭىز قوبۇل قىلىندى، تەكشۈرۈلۈۋاتىدۇ";

    let sent = client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[0], uyghur, 1))
        .await;

    assert!(sent.is_ok(), "{sent:?}");
    assert!(sim.sent_messages()[0].data["thing1"].ends_with('…'));
}

#[tokio::test]
async fn a_value_breaking_its_rule_is_refused_by_name_without_spending_the_credit() {
    let (sim, client) = setup().await;
    sim.grant_subscription(DEMO_OPENIDS[1], APPLICATION_STATUS_TEMPLATE);
    let mut long_thing = status_notice(DEMO_OPENIDS[1], "x", 2);
    long_thing.data.insert(
        "thing1".into(),
        "您申请的城乡居民基本养老保险待遇已审核通过请查收".into(),
    );
    let mut uyghur_phrase = status_notice(DEMO_OPENIDS[1], "x", 2);
    uyghur_phrase
        .data
        .insert("phrase2".into(), "قوبۇل قىلىندى".into());

    let too_long = client.send_subscribe_message(&long_thing).await;
    let not_chinese = client.send_subscribe_message(&uyghur_phrase).await;

    assert!(
        matches!(&too_long, Err(WechatError::InvalidArgument(m)) if m.contains("data.thing1.value")),
        "{too_long:?}"
    );
    assert!(
        matches!(&not_chinese, Err(WechatError::InvalidArgument(m)) if m.contains("data.phrase2.value")),
        "{not_chinese:?}"
    );
    assert_eq!(
        sim.subscription_credits(DEMO_OPENIDS[1], APPLICATION_STATUS_TEMPLATE),
        1
    );
}

#[tokio::test]
async fn a_missing_key_and_an_unknown_template_are_invalid_arguments() {
    let (sim, client) = setup().await;
    sim.grant_subscription(DEMO_OPENIDS[1], APPLICATION_STATUS_TEMPLATE);
    let mut missing = status_notice(DEMO_OPENIDS[1], "通知", 3);
    missing.data.remove("thing4");
    let mut unknown = status_notice(DEMO_OPENIDS[1], "通知", 3);
    unknown.template_id = "tmpl_never_chosen".into();

    let missing = client.send_subscribe_message(&missing).await;
    let unknown = client.send_subscribe_message(&unknown).await;

    assert!(
        matches!(&missing, Err(WechatError::InvalidArgument(m)) if m.contains("data.thing4.value")),
        "{missing:?}"
    );
    assert!(
        matches!(&unknown, Err(WechatError::InvalidArgument(m)) if m.contains("invalid template_id")),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn a_message_to_an_unknown_openid_is_an_invalid_openid_and_not_transient() {
    let (_sim, client) = setup().await;

    let outcome = client
        .send_subscribe_message(&status_notice("o6_nobody", "通知", 4))
        .await;

    let err = outcome.expect_err("unknown openid");
    assert_eq!(err, WechatError::InvalidOpenid);
    assert!(!err.is_transient());
    assert!(!err.to_string().contains("o6_nobody"));
}

#[tokio::test]
async fn an_outage_during_a_send_is_transient_and_spends_nothing() {
    let (sim, client) = setup().await;
    sim.grant_subscription(DEMO_OPENIDS[2], APPLICATION_STATUS_TEMPLATE);
    client
        .msg_sec_check(DEMO_OPENIDS[0], SecScene::Comment, "你好")
        .await
        .expect("warm token");
    sim.set_faults(Faults {
        outage: true,
        latency: Duration::ZERO,
    });

    let err = client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[2], "通知", 5))
        .await
        .expect_err("outage");

    assert!(err.is_transient(), "{err:?}");
    assert_eq!(
        sim.subscription_credits(DEMO_OPENIDS[2], APPLICATION_STATUS_TEMPLATE),
        1
    );
}

#[tokio::test]
async fn deliveries_can_be_counted_per_person_and_per_notification_from_the_page() {
    let (sim, client) = setup().await;
    for openid in &DEMO_OPENIDS[..2] {
        sim.grant_subscription(openid, APPLICATION_STATUS_TEMPLATE);
        sim.grant_subscription(openid, APPLICATION_STATUS_TEMPLATE);
    }
    for (openid, id) in [(0, 10), (0, 11), (1, 10)] {
        client
            .send_subscribe_message(&status_notice(DEMO_OPENIDS[openid], "通知", id))
            .await
            .expect("sent");
    }

    let sent = sim.sent_messages();
    let to_first = sent.iter().filter(|m| m.touser == DEMO_OPENIDS[0]).count();
    let of_ten = sent
        .iter()
        .filter(|m| m.page.as_deref().is_some_and(|p| p.ends_with("nid=10")))
        .count();
    assert_eq!((to_first, of_ten), (2, 2));
}

#[tokio::test]
async fn a_sent_event_is_pushed_signed_and_retried_after_a_failed_first_answer() {
    let (sim, client, inbox) = setup_with_push(1).await;
    sim.grant_subscription(DEMO_OPENIDS[1], APPLICATION_STATUS_TEMPLATE);

    let msgid = client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[1], "通知", 6))
        .await
        .expect("sent");

    assert!(sim.push_settled(SETTLE).await);
    let deliveries = received(&inbox);
    assert_eq!(deliveries.len(), 2, "one failed try, one acknowledged");
    assert!(deliveries.iter().all(|d| d.signed_with(PUSH_TOKEN)));
    assert!(!deliveries[0].signed_with("another-token"));
    assert_eq!(deliveries[1].body["ToUserName"], sim.original_id());
    let events = parse_subscribe_events(&deliveries[1].body);
    let [
        SubscribeEvent::Sent {
            openid,
            template_id,
            msg_id,
            error_code,
            error_status,
            created_at,
        },
    ] = &events[..]
    else {
        panic!("one sent event expected: {events:?}");
    };
    assert_eq!(openid, DEMO_OPENIDS[1]);
    assert_eq!(template_id, APPLICATION_STATUS_TEMPLATE);
    assert_eq!(
        (*msg_id, *error_code, error_status.as_str()),
        (msgid, 0, "success")
    );
    assert!(*created_at > 1_700_000_000);
    assert_eq!(sim.sent_events_acknowledged(), 1);
}

#[tokio::test]
async fn the_send_answers_before_its_event_is_acknowledged() {
    let (sim, client, inbox) = setup_with_push(2).await;
    sim.set_push_retry_pause(Duration::from_millis(300));
    sim.grant_subscription(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);

    client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[0], "通知", 8))
        .await
        .expect("sent");

    assert_eq!(sim.pending_push_events(), 1);
    assert_eq!(sim.sent_events_acknowledged(), 0);
    assert!(sim.push_settled(SETTLE).await);
    assert_eq!(received(&inbox).len(), 3);
    assert_eq!(sim.sent_events_acknowledged(), 1);
}

#[tokio::test]
async fn an_event_never_acknowledged_is_given_up_after_four_tries() {
    let (sim, client, inbox) = setup_with_push(usize::MAX).await;
    sim.set_push_retry_pause(Duration::from_millis(20));
    sim.grant_subscription(DEMO_OPENIDS[0], APPLICATION_STATUS_TEMPLATE);

    client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[0], "通知", 9))
        .await
        .expect("the send itself succeeds");

    assert!(sim.push_settled(SETTLE).await);
    assert_eq!(received(&inbox).len(), 4);
    assert_eq!(sim.sent_events_acknowledged(), 0);
    assert_eq!(sim.push_events_given_up(), 1);
}

#[tokio::test]
async fn a_rejection_pushes_a_change_event_and_later_sends_are_refused() {
    let (sim, client, inbox) = setup_with_push(0).await;
    sim.grant_subscription(DEMO_OPENIDS[3], APPLICATION_STATUS_TEMPLATE);
    sim.grant_subscription(DEMO_OPENIDS[3], APPLICATION_STATUS_TEMPLATE);

    sim.user_rejects(DEMO_OPENIDS[3], APPLICATION_STATUS_TEMPLATE);
    let refused = client
        .send_subscribe_message(&status_notice(DEMO_OPENIDS[3], "通知", 12))
        .await;

    assert_eq!(refused.err(), Some(WechatError::UserRefused));
    assert!(sim.push_settled(SETTLE).await);
    let deliveries = received(&inbox);
    assert_eq!(deliveries.len(), 1);
    assert!(
        deliveries[0].body["List"].is_object(),
        "one item: an object"
    );
    assert_eq!(
        parse_subscribe_events(&deliveries[0].body),
        vec![SubscribeEvent::Changed {
            openid: DEMO_OPENIDS[3].into(),
            template_id: APPLICATION_STATUS_TEMPLATE.into(),
            status: "reject".into(),
        }]
    );
    assert_eq!(sim.sent_events_acknowledged(), 0);
    assert_eq!(sim.push_events_acknowledged(), 1);
}

#[tokio::test]
async fn a_popup_accepting_two_templates_pushes_one_event_with_a_list_array() {
    let (sim, _client, inbox) = setup_with_push(0).await;

    sim.user_accepts(
        DEMO_OPENIDS[2],
        &[BENEFIT_OFFER_TEMPLATE, APPLICATION_STATUS_TEMPLATE],
    );

    assert!(sim.push_settled(SETTLE).await);
    let deliveries = received(&inbox);
    assert_eq!(deliveries.len(), 1);
    assert!(
        deliveries[0].body["List"].is_array(),
        "several items: an array"
    );
    let events = parse_subscribe_events(&deliveries[0].body);
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(
        |e| matches!(e, SubscribeEvent::Popup { status, openid, .. } if status == "accept" && openid == DEMO_OPENIDS[2])
    ));
    assert_eq!(
        sim.subscription_credits(DEMO_OPENIDS[2], BENEFIT_OFFER_TEMPLATE),
        1
    );
}
