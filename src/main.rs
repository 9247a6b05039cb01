//! The `tongban` command: wires configuration, logging and [`tongban::App`], then runs.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tongban::{
    App, Config,
    config::{LogFormat, Overrides},
};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// 通办 Tongban: the backend for government-service mini-programs and apps.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file (see tongban.example.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve(ServeArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Apply database migrations and exit.
    Migrate {
        /// Directory of the embedded SQLite database.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Manage operator API keys for /v1/admin.
    #[command(subcommand)]
    AdminKey(AdminKeyCommand),
}

#[derive(Debug, Subcommand)]
enum AdminKeyCommand {
    /// Create a key and print it once; only its hash is stored.
    Create {
        /// Who or what holds the key (`ops-oncall`, `audit-export`).
        #[arg(long)]
        name: String,
        /// A scope the key grants (repeatable): audit:read, cache:invalidate.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// Directory of the embedded SQLite database.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Default, Args)]
struct ServeArgs {
    /// Address to listen on, HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Directory of the embedded SQLite database.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Openapi => {
            write_stdout(&tongban::api::spec_json())?;
            Ok(())
        }
        Command::Migrate { data_dir } => {
            let config = load(
                cli.config,
                Overrides {
                    addr: None,
                    data_dir,
                },
            )?;
            init_logging(&config);
            let store = tongban::store::Store::open(&config).await?;
            store.migrate().await?;
            tracing::info!(database = %config.database_url(), "migrations applied");
            Ok(())
        }
        Command::AdminKey(AdminKeyCommand::Create {
            name,
            scopes,
            data_dir,
        }) => {
            let config = load(
                cli.config,
                Overrides {
                    addr: None,
                    data_dir,
                },
            )?;
            init_logging(&config);
            let store = tongban::store::Store::open(&config).await?;
            store.migrate().await?;
            let keys = tongban::domain::admin::AdminKeys::new(store);
            let (id, secret) = keys.create(&name, &scopes).await?;
            tracing::info!(key = %id, name = %name, "operator key created");
            write_stdout(&format!(
                "{secret}\n(key {id}; send it as X-Admin-Key. It is not stored and cannot be shown again.)\n"
            ))?;
            Ok(())
        }
        Command::Serve(args) => {
            let config = load(
                cli.config,
                Overrides {
                    addr: args.addr,
                    data_dir: args.data_dir,
                },
            )?;
            init_logging(&config);
            let app = App::build(config).await?;
            let addr = app.local_addr();
            tracing::info!(%addr, "Tongban is listening");
            write_stdout(&format!(
                "Tongban is ready: API docs at http://{addr}/docs\n"
            ))?;
            app.run_until(shutdown_signal())
                .await
                .context("server failed")?;
            tracing::info!("stopped");
            Ok(())
        }
    }
}

fn load(file: Option<PathBuf>, overrides: Overrides) -> anyhow::Result<Config> {
    Config::load(file.as_deref(), &overrides).map_err(|err| anyhow::anyhow!("configuration: {err}"))
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn init_logging(config: &Config) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    let registry = tracing_subscriber::registry().with(filter);
    match config.log.format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .init(),
        LogFormat::Text => registry.with(fmt::layer()).init(),
    }
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: finishing in-flight requests"),
        () = terminate => tracing::info!("SIGTERM: finishing in-flight requests"),
    }
}
