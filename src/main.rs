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
    /// Benefits without application (免申即享).
    #[command(subcommand)]
    Benefits(BenefitsCommand),
}

#[derive(Debug, Subcommand)]
enum BenefitsCommand {
    /// Evaluate every bound person against every published policy and make the offers,
    /// with a progress bar; a sweep a crash left running is resumed instead.
    Sweep {
        /// Directory of the embedded SQLite database.
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminKeyCommand {
    /// Create a key and print it once; only its hash is stored.
    Create {
        /// Who or what holds the key (`ops-oncall`, `audit-export`).
        #[arg(long)]
        name: String,
        /// A scope the key grants (repeatable): audit:read, cache:invalidate, policies:read,
        /// policies:write.
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
            tracing::info!(database = store.place(), "migrations applied");
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
        Command::Benefits(BenefitsCommand::Sweep { data_dir }) => {
            let mut config = load(
                cli.config,
                Overrides {
                    addr: None,
                    data_dir,
                },
            )?;
            // The command serves nothing; its listener only needs a free port.
            config.server.addr = "127.0.0.1:0".into();
            init_logging(&config);
            let app = App::build_with(config, false).await?;
            sweep(&app.state().benefits).await
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

/// Runs (or resumes) a sweep in the foreground with a progress bar on the terminal.
async fn sweep(benefits: &tongban::domain::benefits::service::Benefits) -> anyhow::Result<()> {
    let running = benefits
        .sweeps(20)
        .await?
        .into_iter()
        .find(|s| s.status == "running");
    let id = match running {
        Some(sweep) => {
            tracing::info!(sweep = %sweep.id, done = sweep.done, "resuming an interrupted sweep");
            sweep.id
        }
        None => benefits.create_sweep(None, "command").await?,
    };
    let start = benefits.sweep(&id).await?.context("sweep")?;
    let bar = indicatif::ProgressBar::new(start.total.max(1));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:40}] {pos}/{len} people · {msg}",
        )
        .context("progress template")?
        .progress_chars("=> "),
    );
    bar.set_position(start.done);
    let status = benefits
        .run_sweep(&id, |status| {
            bar.set_length(status.total.max(status.done).max(1));
            bar.set_position(status.done);
            bar.set_message(format!(
                "{} matches, {} new offers",
                status.matched, status.offers
            ));
        })
        .await?;
    bar.finish();
    write_stdout(&format!(
        "sweep {id} {}: {} people, {} matches, {} new offers, {} without facts\n",
        status.status, status.done, status.matched, status.offers, status.failed
    ))?;
    Ok(())
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
