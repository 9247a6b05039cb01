//! The simulator's wire behaviour seen with a bare HTTP client, for what the push client never
//! sends (no credentials, GETs, broken bodies, other audiences) and for the rate headers.

use serde_json::{Value, json};

use super::*;

const APP_KEY: &str = "7d431e42dfa6a6d693ac2d04";
const SECRET: &str = "5e987ac6d2e04d95a9d8f0d1";

async fn start() -> (PushSim, reqwest::Client) {
    let sim = PushSim::start(APP_KEY, &SecretString::from(SECRET))
        .await
        .expect("simulator starts");
    (sim, reqwest::Client::new())
}

async fn post(sim: &PushSim, http: &reqwest::Client, body: &Value) -> (u16, Value) {
    let response = http
        .post(format!("{}/v3/push", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .json(body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON answer"))
}

fn to_android(rid: &str) -> Value {
    json!({
        "platform": ["android"],
        "audience": {"registration_id": [rid]},
        "notification": {"alert": "你好", "android": {"title": "通办", "extras": {"k": 1}}},
    })
}

fn code(answer: &Value) -> i64 {
    answer["error"]["code"].as_i64().expect("an error code")
}

#[test]
fn the_documented_example_credentials_encode_as_documented() {
    // docs.jiguang.cn's REST API overview shows this exact header for these credentials.
    assert_eq!(
        crate::upstream::push::wire::basic_authorization(APP_KEY, SECRET),
        "Basic N2Q0MzFlNDJkZmE2YTZkNjkzYWMyZDA0OjVlOTg3YWM2ZDJlMDRkOTVhOWQ4ZjBkMQ=="
    );
}

#[tokio::test]
async fn missing_or_wrong_credentials_answer_401_with_code_1004() {
    let (sim, http) = start().await;
    let url = format!("{}/v3/push", sim.base_url());
    let rid = sim.register_device(DevicePlatform::Android);

    for request in [
        http.post(&url).json(&to_android(&rid)),
        http.post(&url)
            .basic_auth(APP_KEY, Some("wrong"))
            .json(&to_android(&rid)),
    ] {
        let response = request.send().await.expect("sent");
        assert_eq!(response.status().as_u16(), 401);
        let answer: Value = response.json().await.expect("json");
        assert_eq!(
            answer,
            json!({"error": {"code": 1004, "message": "Authen failed"}})
        );
    }
    assert!(sim.all_pushes().is_empty());
    assert_eq!(sim.calls("/v3/push"), 2);
}

#[tokio::test]
async fn a_get_on_the_push_api_answers_405_with_code_1001() {
    let (sim, http) = start().await;

    let response = http
        .get(format!("{}/v3/push", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(code(&response.json().await.expect("json")), 1001);
}

#[tokio::test]
async fn a_push_answers_its_sendno_and_msg_id_with_the_rate_headers() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let mut body = to_android(&rid);
    body["options"] = json!({"sendno": 18, "time_to_live": 60});

    let response = http
        .post(format!("{}/v3/push", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .json(&body)
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| {
        response.headers()[name]
            .to_str()
            .expect("ascii")
            .to_string()
    };
    assert_eq!(header("X-Rate-Limit-Quota"), "10000");
    assert_eq!(header("X-Rate-Limit-Limit"), "10000");
    assert_eq!(header("X-Rate-Limit-Remaining"), "9999");
    assert_eq!(header("X-Rate-Limit-Reset"), "1");
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["sendno"], "18");
    assert!(
        answer["msg_id"]
            .as_str()
            .is_some_and(|id| id.parse::<u64>().is_ok())
    );
    let push = &sim.pushes_to(&rid)[0];
    assert_eq!(
        (push.title.as_deref(), push.alert.as_str()),
        (Some("通办"), "你好")
    );
    assert_eq!(push.extras["k"], 1);
}

#[tokio::test]
async fn over_the_cap_the_gateway_answers_429_code_2002_and_no_calls_remaining() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    sim.set_rate_cap(2);

    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(post(&sim, &http, &to_android(&rid)).await);
    }
    let response = http
        .post(format!("{}/v3/push", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .json(&to_android(&rid))
        .send()
        .await
        .expect("sent");

    assert_eq!(statuses[0].0, 200);
    assert_eq!(statuses[1].0, 200);
    assert_eq!(statuses[2].0, 429);
    assert_eq!(statuses[2].1["error"]["message"], "Rate limit exceeded");
    assert_eq!(code(&statuses[2].1), 2002);
    assert_eq!(response.headers()["X-Rate-Limit-Remaining"], "0");
    assert_eq!(response.headers()["X-Rate-Limit-Limit"], "2");
    assert_eq!(sim.pushes_to(&rid).len(), 2);
}

#[tokio::test]
async fn broken_bodies_answer_1002_and_wrong_values_1003() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let mut no_platform = to_android(&rid);
    no_platform
        .as_object_mut()
        .expect("object")
        .remove("platform");
    let mut long_life = to_android(&rid);
    long_life["options"] = json!({"time_to_live": 864_001});
    let mut bad_audience = to_android(&rid);
    bad_audience["audience"] = json!({"registration_id": rid});
    let mut bad_platform = to_android(&rid);
    bad_platform["platform"] = json!(["symbian"]);

    let cases = [
        (json!("not an object"), 1002),
        (no_platform, 1002),
        (json!({"platform": "all", "audience": "all"}), 1002),
        (long_life, 1003),
        (bad_audience, 1003),
        (bad_platform, 1003),
    ];
    for (body, expected) in cases {
        let (status, answer) = post(&sim, &http, &body).await;
        assert_eq!((status, code(&answer)), (400, expected), "{body}");
    }
    assert!(sim.all_pushes().is_empty());
}

#[tokio::test]
async fn an_unmatched_audience_answers_1011_with_a_msg_id() {
    let (sim, http) = start().await;
    let android = sim.register_device(DevicePlatform::Android);
    let mut ios_only = to_android(&android);
    ios_only["platform"] = json!(["ios"]);
    let mut by_alias = to_android(&android);
    by_alias["audience"] = json!({"alias": ["citizen-1"]});

    for body in [ios_only, by_alias] {
        let (status, answer) = post(&sim, &http, &body).await;
        assert_eq!((status, code(&answer)), (400, 1011), "{body}");
        assert!(answer["msg_id"].is_string());
    }
}

#[tokio::test]
async fn a_notification_too_big_for_android_answers_1005() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let mut body = to_android(&rid);
    // 1,400 Uyghur letters are 2,800 bytes; title and alert together pass 4,000.
    body["notification"]["android"]["alert"] = json!("ئ".repeat(1400));
    body["notification"]["android"]["title"] = json!("ئ".repeat(700));

    let (status, answer) = post(&sim, &http, &body).await;

    assert_eq!((status, code(&answer)), (400, 1005));
}

#[tokio::test]
async fn a_broadcast_reaches_every_device_of_the_chosen_platforms() {
    let (sim, http) = start().await;
    let first = sim.register_device(DevicePlatform::Android);
    let second = sim.register_device(DevicePlatform::Android);
    let iphone = sim.register_device(DevicePlatform::Ios);
    let body = json!({
        "platform": ["android"],
        "audience": "all",
        "notification": {"alert": "系统维护通知"},
    });

    let (status, _) = post(&sim, &http, &body).await;

    assert_eq!(status, 200);
    assert_eq!(sim.pushes_to(&first).len(), 1);
    assert_eq!(sim.pushes_to(&second).len(), 1);
    assert!(sim.pushes_to(&iphone).is_empty());
}

#[tokio::test]
async fn cids_come_in_the_requested_number_and_schedule_cids_do_not_push() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let get = |query: &'static str| {
        http.get(format!("{}/v3/push/cid{query}", sim.base_url()))
            .basic_auth(APP_KEY, Some(SECRET))
            .send()
    };

    let three: Value = get("?count=3")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let one: Value = get("").await.expect("sent").json().await.expect("json");
    let too_many = get("?count=1001").await.expect("sent");
    let schedule: Value = get("?type=schedule")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    assert_eq!(three["cidlist"].as_array().map(Vec::len), Some(3));
    assert_eq!(one["cidlist"].as_array().map(Vec::len), Some(1));
    let cid = three["cidlist"][0].as_str().expect("a cid");
    assert!(cid.starts_with(&format!("{APP_KEY}-")));
    assert_eq!(cid.len(), APP_KEY.len() + 1 + 36);
    assert_eq!(too_many.status().as_u16(), 400);
    let mut body = to_android(&rid);
    body["cid"] = schedule["cidlist"][0].clone();
    let (status, answer) = post(&sim, &http, &body).await;
    assert_eq!((status, code(&answer)), (400, 1003));
}

#[tokio::test]
async fn a_cid_is_consumed_only_by_a_successful_push() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let cids: Value = http
        .get(format!("{}/v3/push/cid?count=1&type=push", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let mut failing = to_android("1a0018970a5d1ae5ff0");
    failing["cid"] = cids["cidlist"][0].clone();
    let mut body = to_android(&rid);
    body["cid"] = cids["cidlist"][0].clone();

    let (first_status, _) = post(&sim, &http, &failing).await;
    let (status, first) = post(&sim, &http, &body).await;
    let (_, again) = post(&sim, &http, &body).await;

    assert_eq!((first_status, status), (400, 200));
    assert_eq!(first, again);
    assert_eq!(sim.pushes_to(&rid).len(), 1);
    assert_eq!(
        sim.pushes_to(&rid)[0].cid.as_ref(),
        cids["cidlist"][0].as_str().map(String::from).as_ref()
    );
}

#[tokio::test]
async fn a_batch_answers_each_cid_and_refuses_what_it_cannot_take_one_by_one() {
    let (sim, http) = start().await;
    let rid = sim.register_device(DevicePlatform::Android);
    let cids: Value = http
        .get(format!("{}/v3/push/cid?count=1", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let cid = cids["cidlist"][0].as_str().expect("a cid").to_string();
    let item = json!({"platform": ["android"], "target": rid,
        "notification": {"android": {"alert": "你好", "title": "通办"}}});
    let body = json!({"pushlist": {
        cid.clone(): item,
        "never-reserved": item,
        "no-target": {"platform": ["android"], "notification": {"alert": "你好"}},
    }});

    let response = http
        .post(format!("{}/v3/push/batch/regid/single", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .json(&body)
        .send()
        .await
        .expect("sent");

    assert_eq!(response.status().as_u16(), 200);
    let answer: Value = response.json().await.expect("json");
    assert!(answer[&cid]["msg_id"].as_str().is_some(), "{answer}");
    assert_eq!(code(&answer["never-reserved"]), 1003);
    assert_eq!(code(&answer["no-target"]), 1002);
    assert_eq!(sim.pushes_to(&rid).len(), 1);

    let (status, answer) = {
        let response = http
            .post(format!("{}/v3/push/batch/regid/single", sim.base_url()))
            .basic_auth(APP_KEY, Some(SECRET))
            .json(&json!({"pushlist": {}}))
            .send()
            .await
            .expect("sent");
        (
            response.status().as_u16(),
            response.json::<Value>().await.expect("json"),
        )
    };
    assert_eq!((status, code(&answer)), (400, 1002), "an empty pushlist");

    sim.set_batch_allowed(false);
    let response = http
        .post(format!("{}/v3/push/batch/regid/single", sim.base_url()))
        .basic_auth(APP_KEY, Some(SECRET))
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 403);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(code(&answer), 2006);
    assert_eq!(sim.pushes_to(&rid).len(), 1);
}
