//! Signals between the instances of one deployment sharing a PostgreSQL database: what one
//! instance changed that the others hold in memory (shared-data caches, the published policies,
//! checked access tokens). A signal is a `NOTIFY` on a channel of the deployment's schema
//! (`tongban.<schema>`), so deployments (and test schemas) in one database do not hear each
//! other; each instance `LISTEN`s on it and applies what the others said.
//!
//! A notification is delivered to every listener that is connected when it commits, within
//! milliseconds, and to no one who is not; so when the listening connection is lost and made
//! again, an instance cannot know what it missed and drops everything a signal could concern
//! ([`Heard::Missed`]). Everything signalled is also bounded by its cache's time to live: a
//! signal makes a change visible at once, its absence only makes it late.
//!
//! On SQLite there is one instance: signals go nowhere, and nothing listens.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool};

/// The shared-data caches an operator can drop, by the names signals carry.
pub const SHARED_CACHES: [&str; 3] = ["catalog", "bundles", "halls"];

/// What an instance tells the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// An operator dropped these shared-data caches (`catalog`, `bundles`, `halls`).
    Caches(Vec<String>),
    /// A policy version was published or retired: reload the published set.
    Policies,
    /// This session was revoked or its tokens rotated: forget its checked tokens.
    Session(String),
    /// This account changed (binding, merge, preferences): forget its checked tokens.
    Account(String),
    /// This person's own records changed here (an application submitted, supplemented, rated
    /// or moved on by the platform; a notice read): forget the copies of their applications
    /// and of their home screen's notices, so their next screen on any instance shows it.
    Person(String),
    /// A booking or a cancellation changed the places left: forget every copy of slots.
    Slots,
}

/// What the listener hands the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Signal(Signal),
    /// The listening connection was lost and made again: signals may have been missed.
    Missed,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    /// The instance that sent it, which does not apply its own signals twice.
    from: String,
    signal: Signal,
}

/// This instance's end of the signals; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    inner: Option<Arc<Inner>>,
}

#[derive(Debug)]
struct Inner {
    pool: PgPool,
    origin: String,
}

impl Cluster {
    /// Signals over `pool`'s database, as a new instance.
    pub(crate) fn postgres(pool: PgPool) -> Self {
        Self {
            inner: Some(Arc::new(Inner {
                pool,
                origin: uuid::Uuid::new_v4().simple().to_string(),
            })),
        }
    }

    /// Whether there are other instances to tell.
    pub fn is_shared(&self) -> bool {
        self.inner.is_some()
    }

    /// Tells the other instances. A signal that cannot be sent is logged: the change it
    /// announces reaches them when their caches expire.
    pub async fn tell(&self, signal: Signal) {
        let Some(inner) = &self.inner else {
            return;
        };
        if let Err(err) = inner.send(&signal).await {
            tracing::error!(error = %format!("{err:#}"), ?signal, "cluster: signal not sent");
        }
    }

    /// [`Cluster::tell`] from code that cannot wait (a cache's forget).
    pub fn tell_soon(&self, signal: Signal) {
        if self.inner.is_none() {
            return;
        }
        let cluster = self.clone();
        tokio::spawn(async move { cluster.tell(signal).await });
    }

    /// Listens for the other instances' signals and hands each to `apply`, for as long as the
    /// runtime runs; reconnects after a second when the database cannot be reached.
    pub fn listen(&self, apply: impl Fn(Heard) + Send + Sync + 'static) {
        let Some(inner) = self.inner.clone() else {
            return;
        };
        tokio::spawn(async move {
            let mut connected_before = false;
            loop {
                let mut listener = match inner.listener().await {
                    Ok(listener) => listener,
                    Err(err) => {
                        tracing::warn!(error = %format!("{err:#}"), "cluster: cannot listen; trying again in 1 s");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if connected_before {
                    apply(Heard::Missed);
                }
                connected_before = true;
                loop {
                    match listener.try_recv().await {
                        Ok(Some(notification)) => {
                            match serde_json::from_str::<Envelope>(notification.payload()) {
                                Ok(envelope) if envelope.from == inner.origin => {}
                                Ok(envelope) => apply(Heard::Signal(envelope.signal)),
                                Err(err) => {
                                    tracing::warn!(error = %err, "cluster: a signal not understood");
                                }
                            }
                        }
                        // Lost and made again by the listener itself.
                        Ok(None) => apply(Heard::Missed),
                        Err(err) => {
                            tracing::warn!(error = %err, "cluster: the listening connection failed");
                            break;
                        }
                    }
                }
            }
        });
    }
}

impl Inner {
    async fn channel(&self) -> anyhow::Result<String> {
        let schema: String = crate::db::query_scalar("SELECT current_schema()")
            .fetch_one(&self.pool)
            .await?;
        Ok(format!("tongban.{schema}"))
    }

    async fn send(&self, signal: &Signal) -> anyhow::Result<()> {
        let payload = serde_json::to_string(&Envelope {
            from: self.origin.clone(),
            signal: signal.clone(),
        })?;
        crate::db::query("SELECT pg_notify('tongban.' || current_schema(), $1)")
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listener(&self) -> anyhow::Result<PgListener> {
        let channel = self.channel().await?;
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(&channel).await?;
        Ok(listener)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_travel_as_small_json() {
        let envelope = Envelope {
            from: "a".into(),
            signal: Signal::Caches(vec!["catalog".into()]),
        };
        let text = serde_json::to_string(&envelope).expect("encodes");
        assert_eq!(text, r#"{"from":"a","signal":{"caches":["catalog"]}}"#);
        let back: Envelope = serde_json::from_str(&text).expect("decodes");
        assert_eq!(back.signal, Signal::Caches(vec!["catalog".into()]));
        let session = serde_json::to_string(&Signal::Session("ses_1".into())).expect("encodes");
        assert_eq!(session, r#"{"session":"ses_1"}"#);
        assert_eq!(
            serde_json::to_string(&Signal::Policies).expect("encodes"),
            r#""policies""#
        );
    }
}
