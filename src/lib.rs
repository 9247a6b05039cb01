//! 通办 Tongban: a backend-for-frontend for government-service mini-programs and apps, in
//! Mandarin, Uyghur and Kazakh. See README.md for a tour and `../shared/DESIGN.md` for the design.
//!
//! [`App::build`] turns a [`Config`] into a bound, ready-to-run server (port 0 allowed); `main`
//! and the tests both use it. Dependencies flow one way: `api` → `domain` → (`upstream`,
//! `store`); `i18n` is used by `api` and `domain`; `sim` shares only wire types.

pub mod api;
pub mod cluster;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod sim;
pub mod store;
pub mod upstream;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use poem::Server;

pub use config::Config;
use domain::{
    account::Accounts, admin::AdminKeys, audit::Audit, catalog::Catalog, events::PlatformEvents,
    identity::vault::Vault, login::Logins, records::Records, session::Sessions,
};
use http::{metrics::Metrics, rate_limit::Limits};
use i18n::L10n;
use secrecy::ExposeSecret;
use sim::{alipay::AlipaySim, gov::GovSim, push::PushSim, wechat::WechatSim};
use store::Store;
use upstream::{
    alipay::{AlipayClient, sign},
    gov::GovClient,
    push::PushGatewayClient,
    wechat::{WechatClient, crypto::PushCrypto},
};

/// Everything a request handler may need, shared by all requests. A handle: every request
/// clones it (poem's `data` middleware puts a copy in each request), so it is one `Arc`, not
/// the ~4 KB of services it derefs to.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services behind [`AppState`].
#[derive(Debug)]
pub struct Services {
    pub config: Arc<Config>,
    /// Benefit policies, offers and claims (免申即享).
    pub benefits: domain::benefits::service::Benefits,
    /// Notifications: outbox, dispatcher, inbox, credits and campaigns.
    pub push: domain::push::Push,
    pub l10n: L10n,
    pub store: Store,
    pub gov: GovClient,
    pub catalog: Catalog,
    /// People's applications and certificates, cached per person.
    pub records: Records,
    /// Themes and "one thing done once" bundles, cached as shared data.
    pub bundles: api::bundles::BundleCache,
    /// Idempotency keys of submissions, so a retried tap never applies twice.
    pub idempotency: domain::idempotency::Idempotency,
    /// Halls and their bookable slots, cached as shared data.
    pub halls: domain::halls::Halls,
    pub metrics: Metrics,
    pub wechat: WechatClient,
    pub alipay: AlipayClient,
    /// The app push gateway (JPush-shaped); the notification dispatcher sends through it.
    pub push_gateway: PushGatewayClient,
    pub push_crypto: PushCrypto,
    pub sessions: Sessions,
    pub logins: Logins,
    pub accounts: Accounts,
    /// Each person's last rendered home screen, sent again while its inputs are unchanged.
    pub home_screens: api::home::HomeScreens,
    /// Service guides as last rendered per language, sent again while the item is the same.
    pub guides: api::services::Guides,
    pub audit: Audit,
    pub admin_keys: AdminKeys,
    pub events: PlatformEvents,
    pub limits: Limits,
    /// The in-process simulators, for the `/demo` routes.
    pub simulators: Simulators,
}

impl AppState {
    /// Applies what another instance of the deployment signalled (see [`cluster`]).
    fn apply(&self, heard: cluster::Heard) {
        use cluster::{Heard, Signal};
        match heard {
            Heard::Signal(Signal::Caches(names)) => {
                for name in &names {
                    self.drop_cache(name);
                }
                tracing::info!(?names, "caches dropped at another instance's word");
            }
            Heard::Signal(Signal::Policies) => self.reload_policies(),
            Heard::Signal(Signal::Session(id)) => {
                self.sessions.principals().forget_session_here(&id)
            }
            Heard::Signal(Signal::Account(id)) => {
                self.sessions.principals().forget_account_here(&id)
            }
            Heard::Signal(Signal::Person(id)) => {
                self.push.forget_home_here(&id);
                let records = self.records.clone();
                tokio::spawn(async move { records.forget_here(&id).await });
            }
            Heard::Signal(Signal::Slots) => self.halls.forget_slots_here(),
            Heard::Missed => {
                for name in cluster::SHARED_CACHES {
                    self.drop_cache(name);
                }
                self.sessions.principals().forget_all_here();
                self.records.forget_all_here();
                self.push.forget_all_homes_here();
                self.reload_policies();
                tracing::warn!(
                    "cluster: signals may have been missed; caches dropped, policies reloaded"
                );
            }
        }
    }

    /// Drops the shared-data cache called `name` (as [`cluster::SHARED_CACHES`] names them).
    pub fn drop_cache(&self, name: &str) {
        match name {
            "catalog" => self.catalog.invalidate(),
            "bundles" => self.bundles.invalidate(),
            "halls" => self.halls.invalidate(),
            other => tracing::warn!(cache = other, "no such shared cache"),
        }
    }

    fn reload_policies(&self) {
        let state = self.clone();
        tokio::spawn(async move {
            if let Err(err) = state.benefits.reload().await {
                tracing::error!(error = %format!("{err:#}"), "policies not reloaded after another instance changed them");
            }
        });
    }
}

/// Simulators started in-process because no upstream URL was configured.
#[derive(Debug, Clone, Default)]
pub struct Simulators {
    pub gov: Option<GovSim>,
    pub wechat: Option<WechatSim>,
    pub alipay: Option<AlipaySim>,
    pub push: Option<PushSim>,
}

/// The WeChat client, against the configured API or a simulator started here.
async fn start_wechat(config: &Config, sims: &mut Simulators) -> anyhow::Result<WechatClient> {
    let wechat = &config.upstream.wechat;
    let base = if wechat.base_url.is_empty() {
        let sim = WechatSim::start(&wechat.app_id, &wechat.app_secret)
            .await
            .context("starting the WeChat simulator")?;
        let base = sim.base_url();
        tracing::info!(%base, "wechat: built-in simulator");
        sims.wechat = Some(sim);
        base
    } else {
        wechat.base_url.clone()
    };
    WechatClient::new(wechat, base)
}

/// The push gateway client, against the configured gateway or a simulator started here.
async fn start_push(config: &Config, sims: &mut Simulators) -> anyhow::Result<PushGatewayClient> {
    let push = &config.upstream.push;
    let base = if push.base_url.is_empty() {
        let sim = PushSim::start(&push.app_key, &push.master_secret)
            .await
            .context("starting the push gateway simulator")?;
        let base = sim.base_url();
        tracing::info!(%base, "push gateway: built-in simulator");
        sims.push = Some(sim);
        base
    } else {
        push.base_url.clone()
    };
    PushGatewayClient::new(push, base)
}

/// The Alipay client, against the configured gateway with the configured keys, or against a
/// simulator started here with key pairs generated for this run.
async fn start_alipay(config: &Config, sims: &mut Simulators) -> anyhow::Result<AlipayClient> {
    let alipay = &config.upstream.alipay;
    if alipay.gateway_url.is_empty() {
        let (app_private, app_public) = match alipay.app_private_key.expose_secret() {
            "" => sign::generate_key_pair()?,
            pem => {
                let private =
                    sign::load_private_key(pem).context("upstream.alipay.app_private_key")?;
                let public =
                    openssl::pkey::PKey::public_key_from_der(&private.public_key_to_der()?)?;
                (private, public)
            }
        };
        let sim = AlipaySim::start(&alipay.app_id, app_public)
            .await
            .context("starting the Alipay simulator")?;
        let gateway = sim.gateway_url();
        tracing::info!(%gateway, "alipay: built-in simulator");
        let client = AlipayClient::new(alipay, gateway, app_private, sim.alipay_public_key())?;
        sims.alipay = Some(sim);
        Ok(client)
    } else {
        let private = sign::load_private_key(alipay.app_private_key.expose_secret())
            .context("upstream.alipay.app_private_key")?;
        let public = sign::load_public_key(&alipay.alipay_public_key)
            .context("upstream.alipay.alipay_public_key")?;
        AlipayClient::new(alipay, alipay.gateway_url.clone(), private, public)
    }
}

/// Rate-limit state of clients gone quiet is dropped every few minutes.
fn spawn_limit_sweeper(limits: Limits) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(300));
        loop {
            every.tick().await;
            limits.forget_idle();
            if let Err(err) = limits.forget_idle_shared().await {
                tracing::warn!(error = %format!("{err:#}"), "recovered deployment-wide limits not dropped");
            }
        }
    });
}

/// A bound, ready-to-run Tongban.
pub struct App {
    acceptor: http::listener::NoDelay,
    local_addr: SocketAddr,
    endpoint: poem::endpoint::BoxEndpoint<'static>,
    state: AppState,
    simulators: Simulators,
}

impl App {
    /// Opens the store (applying migrations), starts the simulators that stand in for
    /// unconfigured upstreams, builds the routes and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        Self::build_with(config, true).await
    }

    /// Like [`App::build`]; `resume_sweeps: false` leaves sweeps a previous run left running
    /// to the caller (`tongban benefits sweep` resumes them in the foreground).
    pub async fn build_with(config: Config, resume_sweeps: bool) -> anyhow::Result<App> {
        let l10n = L10n::embedded().context("locales are broken")?;
        let store = Store::open(&config).await?;
        store.migrate().await?;

        let mut simulators = Simulators::default();
        let gov_base = if config.upstream.gov.base_url.is_empty() {
            let sim = GovSim::start(
                &config.upstream.gov.app_key,
                &config.upstream.gov.app_secret,
            )
            .await
            .context("starting the gov-platform simulator")?;
            let base = sim.base_url();
            let latency = Duration::from_millis(config.simulators.gov_latency_ms);
            if !latency.is_zero() {
                sim.set_all_faults(sim::gov::Faults {
                    latency,
                    ..Default::default()
                });
            }
            tracing::info!(%base, ?latency, "gov platform: built-in simulator");
            simulators.gov = Some(sim);
            base
        } else {
            config.upstream.gov.base_url.clone()
        };
        let cache_counters = domain::cache::CacheCounters::default();
        let push_counters = domain::push::PushCounters::default();
        let metrics =
            Metrics::new(l10n.fallback_counter(), cache_counters.clone()).with_push(&push_counters);
        let gov = GovClient::new(&config.upstream.gov, gov_base)?
            .with_observer(metrics.upstream_observer());
        let wechat = start_wechat(&config, &mut simulators).await?;
        let alipay = start_alipay(&config, &mut simulators).await?;
        let push_gateway = start_push(&config, &mut simulators).await?;
        let wechat_config = &config.upstream.wechat;
        let push_crypto = PushCrypto::new(
            wechat_config.push_encoding_aes_key.expose_secret(),
            Some(wechat_config.push_previous_encoding_aes_key.expose_secret()),
            &wechat_config.app_id,
        )
        .context("upstream.wechat.push_encoding_aes_key")?;
        let vault = Vault::from_config(&config.identity, &config.database.data_dir)?;
        if store.engine() == db::Engine::Postgres {
            wechat.share_tokens(store.clone(), vault.clone());
        }
        let catalog = Catalog::new(gov.clone(), &config.cache, cache_counters.clone());
        let halls = domain::halls::Halls::new(gov.clone(), &config.cache, cache_counters.clone())
            .with_cluster(store.cluster().clone());
        let bundles =
            api::bundles::BundleCache::new(gov.clone(), &config.cache, cache_counters.clone());
        let records = Records::new(gov.clone(), &config.cache, cache_counters)
            .with_cluster(store.cluster().clone());
        let principals = domain::session::PrincipalCache::new(
            config.auth.session_cache_secs,
            config.cache.personal_max_people,
        )
        .with_cluster(store.cluster().clone());
        let sessions = Sessions::new(store.clone(), &config.auth, principals.clone());
        let logins = Logins::new(
            sessions.clone(),
            wechat.clone(),
            config.upstream.wechat.app_id.clone(),
            alipay.clone(),
            config.upstream.alipay.app_id.clone(),
        );
        let limits = if store.engine() == db::Engine::Postgres {
            Limits::shared_in(&config.limits, store.clone())
        } else {
            Limits::new(&config.limits)
        };
        spawn_limit_sweeper(limits.clone());
        let accounts = Accounts::new(store.clone(), vault.clone(), gov.clone(), principals);
        let outbox = domain::push::Outbox::new(&config.push);
        let benefits = domain::benefits::service::Benefits::load(
            store.clone(),
            gov.clone(),
            vault,
            accounts.clone(),
            &config.benefits,
            outbox.clone(),
        )
        .await?;
        let push = domain::push::Push::new(domain::push::PushParts {
            store: store.clone(),
            config: config.push.clone(),
            l10n: l10n.clone(),
            outbox,
            wechat: wechat.clone(),
            wechat_app_id: config.upstream.wechat.app_id.clone(),
            alipay: alipay.clone(),
            alipay_app_id: config.upstream.alipay.app_id.clone(),
            gateway: push_gateway.clone(),
            counters: push_counters,
        })
        .context("push")?;
        if simulators.gov.is_some() && config.benefits.publish_seed_policies {
            let seed = serde_json::from_str(sim::gov::SEED_POLICIES)
                .context("the simulator's seed policies")?;
            let published = benefits.publish_seed(seed).await?;
            if published > 0 {
                tracing::info!(published, "seed benefit policies published");
            }
        }
        if resume_sweeps {
            benefits.resume_sweeps().await?;
        }
        let state = AppState(Arc::new(Services {
            benefits,
            push,
            accounts,
            home_screens: api::home::home_screens(),
            guides: api::services::guides(),
            audit: Audit::new(store.clone()),
            idempotency: domain::idempotency::Idempotency::new(store.clone()),
            admin_keys: AdminKeys::new(store.clone()),
            events: PlatformEvents::new(store.clone()),
            config: Arc::new(config),
            l10n,
            store,
            gov,
            catalog,
            records,
            halls,
            bundles,
            metrics,
            wechat,
            alipay,
            push_gateway,
            push_crypto,
            sessions,
            logins,
            limits,
            simulators: simulators.clone(),
        }));
        let heard_by = state.clone();
        state
            .store
            .cluster()
            .listen(move |heard| heard_by.apply(heard));
        let endpoint = http::endpoint(state.clone());
        let addr = state.config.server.addr.clone();
        let acceptor = http::listener::bind(addr.clone())
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local_addr =
            http::listener::socket_addr(&acceptor).context("listener has no socket address")?;
        if let Some(gov) = &simulators.gov {
            // The simulated platform tells this instance of its life events.
            gov.set_event_sink(
                format!("http://{local_addr}/v1/hooks/gov/events"),
                state.config.upstream.gov.event_key.clone(),
            );
        }
        if let Some(wechat) = &simulators.wechat {
            // The simulated WeChat pushes subscription events to this instance.
            wechat.set_push_url(
                &format!("http://{local_addr}/v1/hooks/wechat"),
                state.config.upstream.wechat.push_token.clone(),
            );
        }
        if let Some(gateway) = &simulators.push {
            gateway.set_receipt_sink(
                format!("http://{local_addr}/v1/hooks/push"),
                state.config.upstream.push.receipt_secret.clone(),
            );
        }
        state.push.spawn_dispatcher();
        Ok(App {
            acceptor,
            local_addr,
            endpoint,
            state,
            simulators,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn simulators(&self) -> &Simulators {
        &self.simulators
    }

    /// The HTTP application, for in-process tests with poem's `TestClient`.
    pub fn endpoint(&self) -> poem::endpoint::BoxEndpoint<'static> {
        http::endpoint(self.state.clone())
    }

    /// Serves until `shutdown` completes, then gives in-flight requests the configured grace
    /// period to finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let grace = Duration::from_secs(self.state.config.server.shutdown_grace_secs);
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(self.endpoint, shutdown, Some(grace))
            .await
    }
}
