//! A stand-in for Tongban's event receiver, for the tests of life events and application
//! status events: it records every delivery as received and can refuse the first few.

use super::client_and_sim;
use crate::{
    sim::gov::GovSim,
    upstream::gov::{GovClient, wire},
};

/// What a test receiver saw of one delivery.
#[derive(Debug, Clone)]
pub(super) struct Received {
    pub(super) event_id: String,
    pub(super) timestamp: i64,
    pub(super) signature: String,
    pub(super) content_type: String,
    pub(super) body: Vec<u8>,
}

/// A tiny stand-in for Tongban's event receiver: records every delivery and answers 503 to
/// the first `failures` of them, 200 after.
#[derive(Clone, Default)]
pub(super) struct Receiver {
    seen: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    failures_left: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

impl Receiver {
    pub(super) fn seen(&self) -> Vec<Received> {
        self.seen.lock().expect("lock").clone()
    }
}

#[poem::handler]
async fn receive(
    req: &poem::Request,
    body: Vec<u8>,
    poem::web::Data(receiver): poem::web::Data<&Receiver>,
) -> poem::http::StatusCode {
    use std::sync::atomic::Ordering;
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    receiver.seen.lock().expect("lock").push(Received {
        event_id: header(wire::HEADER_EVENT_ID),
        timestamp: header(wire::HEADER_TIMESTAMP).parse().unwrap_or_default(),
        signature: header(wire::HEADER_SIGNATURE),
        content_type: header("content-type"),
        body,
    });
    let failing = receiver
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    if failing {
        poem::http::StatusCode::SERVICE_UNAVAILABLE
    } else {
        poem::http::StatusCode::OK
    }
}

pub(super) const EVENT_KEY: &str = "event-key-for-tests";

/// A simulator (and client) whose events go to a fresh receiver failing `failures` times.
pub(super) async fn sim_with_receiver(failures: u32) -> (GovClient, GovSim, Receiver) {
    use poem::{EndpointExt, Route, Server, listener::Acceptor, listener::Listener};
    let receiver = Receiver::default();
    receiver
        .failures_left
        .store(failures, std::sync::atomic::Ordering::SeqCst);
    let acceptor = poem::listener::TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("an address");
    let app = Route::new()
        .at("/gov-events", poem::post(receive))
        .data(receiver.clone());
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    let (client, sim) = client_and_sim().await;
    sim.set_event_sink(
        format!("http://{addr}/gov-events"),
        secrecy::SecretString::from(EVENT_KEY),
    );
    (client, sim, receiver)
}

pub(super) fn verifies(received: &Received) -> bool {
    wire::verify_event_signature(
        EVENT_KEY.as_bytes(),
        received.timestamp,
        &received.event_id,
        &received.body,
        &received.signature,
    )
}
