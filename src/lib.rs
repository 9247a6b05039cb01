//! 通办 Tongban: a backend-for-frontend for government-service mini-programs and apps, in
//! Mandarin, Uyghur and Kazakh. See README.md for a tour and `../shared/DESIGN.md` for the design.
//!
//! [`App::build`] turns a [`Config`] into a bound, ready-to-run server (port 0 allowed); `main`
//! and the tests both use it. Dependencies flow one way: `api` → `domain` → (`upstream`,
//! `store`); `i18n` is used by `api` and `domain`; `sim` shares only wire types.

pub mod api;
pub mod config;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod sim;
pub mod store;
pub mod upstream;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    Server,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
};

pub use config::Config;
use domain::catalog::Catalog;
use http::metrics::Metrics;
use i18n::L10n;
use sim::gov::GovSim;
use store::Store;
use upstream::gov::GovClient;

/// Everything a request handler may need, shared by all requests.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub l10n: L10n,
    pub store: Store,
    pub gov: GovClient,
    pub catalog: Catalog,
    pub metrics: Metrics,
}

/// Simulators started in-process because no upstream URL was configured.
#[derive(Debug, Clone, Default)]
pub struct Simulators {
    pub gov: Option<GovSim>,
}

/// A bound, ready-to-run Tongban.
pub struct App {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    endpoint: poem::endpoint::BoxEndpoint<'static>,
    state: AppState,
    simulators: Simulators,
}

impl App {
    /// Opens the store (applying migrations), starts the simulators that stand in for
    /// unconfigured upstreams, builds the routes and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<App> {
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
            tracing::info!(%base, "gov platform: built-in simulator");
            simulators.gov = Some(sim);
            base
        } else {
            config.upstream.gov.base_url.clone()
        };
        let gov = GovClient::new(&config.upstream.gov, gov_base)?;
        let catalog = Catalog::new(gov.clone(), &config.cache);
        let metrics = Metrics::new(l10n.fallback_counter());
        let state = AppState {
            config: Arc::new(config),
            l10n,
            store,
            gov,
            catalog,
            metrics,
        };
        let endpoint = http::endpoint(state.clone());
        let addr = state.config.server.addr.clone();
        let acceptor = TcpListener::bind(addr.clone())
            .into_acceptor()
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local_addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("listener has no socket address")?;
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
