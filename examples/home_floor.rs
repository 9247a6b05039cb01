//! The floor under load (d) of `bench/load.sh`: what `GET /v1/home` would cost on this machine
//! if Tongban did nothing but its platform calls.
//!
//! It is laid out as the `tongban serve` of (d) is: one process, tokio's default runtime, the
//! gov-platform simulator in-process with every resource at a fixed latency, and Tongban's own
//! `GovClient` (signing, resilience policy, reqwest). Its one route, `GET /`, makes the home
//! screen's three platform calls in parallel (the first demo citizen's applications and
//! certificates, and the first page of 6 featured services of her stage of life), joins
//! concurrent requests to the calls already under way as Tongban does with caching off, and
//! answers the three results as one JSON array. Nothing else: no middleware, no access token,
//! no audit record, no notices, no localization.
//!
//! Usage: `home_floor ADDR [LATENCY_MS] [--separate]` (20 ms by default; `--separate`: each
//! request makes its own calls).

use std::sync::{Arc, Mutex};

use futures_util::{
    FutureExt,
    future::{BoxFuture, Shared},
};
use poem::{
    EndpointExt, Route, Server, handler, http::StatusCode, listener::TcpListener, web::Data,
};
use tongban::{
    config::GovUpstreamConfig,
    domain::{account::VerifiedPerson, identity::id_number::IdNumber},
    sim::gov::{Faults, GovSim, citizens::demo_citizens},
    upstream::gov::{CatalogFilter, GovClient, Holder},
};

/// One platform call's answer, serialized, or why it failed.
type Answer = Result<Arc<[u8]>, String>;

/// The call under way, which requests arriving meanwhile join instead of making their own.
#[derive(Default)]
struct UnderWay {
    call: Mutex<Option<(u64, Shared<BoxFuture<'static, Answer>>)>>,
    started: std::sync::atomic::AtomicU64,
}

impl UnderWay {
    async fn join(&self, start: impl FnOnce() -> BoxFuture<'static, Answer>) -> Answer {
        let (id, call) = {
            let mut under_way = self.call.lock().expect("not poisoned");
            match &*under_way {
                Some((id, call)) => (*id, call.clone()),
                None => {
                    let id = self
                        .started
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let call = start().shared();
                    *under_way = Some((id, call.clone()));
                    (id, call)
                }
            }
        };
        let answer = call.await;
        let mut under_way = self.call.lock().expect("not poisoned");
        if matches!(&*under_way, Some((under, _)) if *under == id) {
            *under_way = None;
        }
        answer
    }
}

struct Floor {
    gov: GovClient,
    holder: Holder,
    featured: CatalogFilter,
    coalesce: bool,
    calls: [UnderWay; 3],
}

impl Floor {
    fn call(&self, which: usize) -> BoxFuture<'static, Answer> {
        let gov = self.gov.clone();
        let holder = self.holder.clone();
        let featured = self.featured.clone();
        async move {
            let json = match which {
                0 => serde_json::to_vec(&gov.applications(&holder, 1, 100).await.map_err(fail)?),
                1 => serde_json::to_vec(&gov.certificates(&holder).await.map_err(fail)?),
                _ => serde_json::to_vec(&gov.catalog_page(&featured, 1, 6).await.map_err(fail)?),
            };
            json.map(Arc::from).map_err(fail)
        }
        .boxed()
    }

    async fn answer(&self, which: usize) -> Answer {
        if self.coalesce {
            self.calls[which].join(|| self.call(which)).await
        } else {
            self.call(which).await
        }
    }
}

fn fail(err: impl std::fmt::Display) -> String {
    err.to_string()
}

#[handler]
async fn home(Data(floor): Data<&Arc<Floor>>) -> poem::Result<Vec<u8>> {
    let (applications, certificates, featured) =
        tokio::join!(floor.answer(0), floor.answer(1), floor.answer(2));
    let parts = [applications, certificates, featured]
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| poem::Error::from_string(err, StatusCode::BAD_GATEWAY))?;
    let mut body = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + 1);
    body.push(b'[');
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(part);
    }
    body.push(b']');
    Ok(body)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args
        .first()
        .map_or("127.0.0.1:18203", String::as_str)
        .to_owned();
    let latency_ms: u64 = args.get(1).map_or(Ok(20), |ms| ms.parse())?;
    let coalesce = !args.iter().any(|arg| arg == "--separate");

    let config = GovUpstreamConfig::default();
    let sim = GovSim::start(&config.app_key, &config.app_secret).await?;
    sim.set_all_faults(Faults {
        latency: std::time::Duration::from_millis(latency_ms),
        ..Default::default()
    });
    let citizen = demo_citizens().into_iter().next().expect("demo citizens");
    let id_number = IdNumber::parse(citizen.id_number)
        .map_err(|err| anyhow::anyhow!("demo ID number: {err:?}"))?;
    let person = VerifiedPerson {
        holder: Holder::citizen(&id_number),
        birth_date: citizen.birth_date,
    };
    let age = person.age_on(tongban::api::records::today());
    // The first theme of her stage of life, as `catalog::featured` picks it.
    let theme = match age {
        60.. => "elderly",
        ..30 => "employment",
        _ => "household",
    };
    let floor = Arc::new(Floor {
        gov: GovClient::new(&config, sim.base_url())?,
        holder: person.holder,
        featured: CatalogFilter {
            themes: vec![theme],
            server_type: Some("1"),
            online_apply: true,
            brief: true,
        },
        coalesce,
        calls: Default::default(),
    });
    eprintln!("home_floor on {addr}: platform at {latency_ms} ms, coalescing {coalesce}");
    Server::new(TcpListener::bind(addr))
        .run(Route::new().at("/", home).data(floor))
        .await?;
    Ok(())
}
