//! The in-app inbox: every notification the person is owed, newest first, whatever happened
//! on the other channels; read and unread.

use std::sync::Arc;

use anyhow::Context;

use super::{Channel, Kind, Push, content::Rendered, outbox::Params};
use crate::i18n::Lang;

/// One inbox entry.
#[derive(Debug, Clone)]
pub struct InboxEntry {
    pub id: String,
    pub kind: Kind,
    pub params: Params,
    /// Unix milliseconds.
    pub created_at: i64,
    pub read_at: Option<i64>,
    /// `queued`, `sending`, `in_doubt`, `sent`, `failed` or `inbox`.
    pub state: String,
    /// The channel of the latest attempt, if any.
    pub channel: Option<Channel>,
}

/// A page of the inbox.
#[derive(Debug, Clone)]
pub struct InboxPage {
    pub entries: Vec<InboxEntry>,
    /// Where the next page starts: (created_at, id) of the last entry, when there may be more.
    pub next: Option<(i64, String)>,
    pub unread: u64,
}

impl Push {
    /// The home screen's notifications section: the unread count and the newest three unread,
    /// kept per person until a notification of theirs is written or read (at most 10 s).
    pub async fn home_notices(&self, account_id: &str) -> anyhow::Result<Arc<InboxPage>> {
        let kept = self.inner.outbox.home();
        if let Some(page) = kept.get(account_id) {
            return Ok(page);
        }
        let page = Arc::new(self.inbox(account_id, true, None, 3).await?);
        kept.insert(account_id.to_string(), Arc::clone(&page));
        Ok(page)
    }

    /// A page of the person's inbox, newest first, starting after `after`.
    pub async fn inbox(
        &self,
        account_id: &str,
        unread_only: bool,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> anyhow::Result<InboxPage> {
        let (after_at, after_id) = after.unwrap_or((i64::MAX, String::new()));
        let rows = crate::db::query(
            "SELECT id, kind, params, created_at, read_at, state, channel FROM notifications
             WHERE account_id = $1 AND ($2 = 0 OR read_at IS NULL)
               AND (created_at < $3 OR (created_at = $4 AND id < $5))
             ORDER BY created_at DESC, id DESC LIMIT $6",
        )
        .bind(account_id)
        .bind(unread_only)
        .bind(after_at)
        .bind(after_at)
        .bind(if after_id.is_empty() {
            "\u{10FFFF}".to_string()
        } else {
            after_id
        })
        .bind(i64::from(limit) + 1)
        .fetch_all(self.store().pool())
        .await
        .context("inbox")?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows.iter().take(limit as usize) {
            entries.push(entry_of(row)?);
        }
        let next = (rows.len() > limit as usize)
            .then(|| entries.last().map(|e| (e.created_at, e.id.clone())))
            .flatten();
        let unread = self.unread_count(account_id).await?;
        Ok(InboxPage {
            entries,
            next,
            unread,
        })
    }

    pub async fn unread_count(&self, account_id: &str) -> anyhow::Result<u64> {
        let unread: i64 = crate::db::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(self.store().pool())
        .await
        .context("unread")?;
        Ok(u64::try_from(unread).unwrap_or(0))
    }

    /// Marks one of the person's notifications read; `None` when it is not theirs.
    pub async fn mark_read(
        &self,
        account_id: &str,
        id: &str,
    ) -> anyhow::Result<Option<InboxEntry>> {
        crate::db::query(
            "UPDATE notifications SET read_at = $1 WHERE id = $2 AND account_id = $3 AND read_at IS NULL",
        )
        .bind(super::now_ms())
        .bind(id)
        .bind(account_id)
        .execute(self.store().pool())
        .await
        .context("mark read")?;
        self.forget_home(account_id);
        self.entry(account_id, id).await
    }

    /// One of the person's notifications.
    pub async fn entry(&self, account_id: &str, id: &str) -> anyhow::Result<Option<InboxEntry>> {
        let row = crate::db::query(
            "SELECT id, kind, params, created_at, read_at, state, channel FROM notifications
             WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(account_id)
        .fetch_optional(self.store().pool())
        .await
        .context("notification")?;
        row.as_ref().map(entry_of).transpose()
    }

    /// Marks all the person's notifications read; returns how many were unread.
    pub async fn mark_all_read(&self, account_id: &str) -> anyhow::Result<u64> {
        let done = crate::db::query(
            "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
        )
        .bind(super::now_ms())
        .bind(account_id)
        .execute(self.store().pool())
        .await
        .context("mark all read")?;
        self.forget_home(account_id);
        Ok(done.rows_affected())
    }

    /// Drops the person's home-screen notices after they read some, here and at the other
    /// instances: the person sees the count go down on their next screen wherever it is
    /// served. (New notifications are not announced: a campaign writes hundreds of thousands,
    /// and each instance's copy is kept 10 s at most.)
    fn forget_home(&self, account_id: &str) {
        self.forget_home_here(account_id);
        self.store()
            .cluster()
            .tell_soon(crate::cluster::Signal::Person(account_id.to_string()));
    }

    /// Drops the person's home-screen notices at this instance only.
    pub fn forget_home_here(&self, account_id: &str) {
        self.inner.outbox.home().invalidate(account_id);
    }

    /// Drops every person's home-screen notices: signals may have been missed.
    pub fn forget_all_homes_here(&self) {
        self.inner.outbox.home().invalidate_all();
    }

    /// A notification's texts in `lang`.
    pub fn render(&self, lang: Lang, params: &Params) -> Rendered {
        super::content::render(&self.inner.l10n, lang, params)
    }
}

fn entry_of(row: &crate::db::Row) -> anyhow::Result<InboxEntry> {
    let kind: String = row.get("kind");
    let params: String = row.get("params");
    Ok(InboxEntry {
        id: row.get("id"),
        kind: Kind::parse(&kind).context("notification kind")?,
        params: serde_json::from_str(&params).context("notification params")?,
        created_at: row.get("created_at"),
        read_at: row.get("read_at"),
        state: row.get("state"),
        channel: row
            .get::<Option<String>>("channel")
            .and_then(|c| Channel::parse(&c)),
    })
}
