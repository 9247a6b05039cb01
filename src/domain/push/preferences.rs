//! What a person allows: subscription credits from `wx.requestSubscribeMessage` /
//! `my.requestSubscribeMessage`, the app's push registrations, the order of their channels and
//! their quiet hours.

use anyhow::Context;

use super::{Channel, Kind, Push, schedule::QuietHours};

/// A person's answer for one template in the subscription popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopupResult {
    /// One more message may be sent (or, long-term, any number).
    Accept,
    /// Not this time; earlier credits stay.
    Reject,
    /// The person turned the template off: no credits at all.
    Ban,
    /// The platform filtered the template out of the popup: nothing changes.
    Filter,
}

/// A template the client may ask the person to accept, and what is left of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub platform: Channel,
    pub template_id: String,
    pub kind: Kind,
    pub credits: i64,
    pub long_term: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PreferenceError {
    #[error("template {0} is not one of the configured templates of the platform")]
    UnknownTemplate(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A person's channel choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPreferences {
    /// In order of preference; empty: the inbox only.
    pub channels: Vec<Channel>,
    pub quiet_start: String,
    pub quiet_end: String,
}

impl Push {
    /// The configured templates of `platform` and which kind each is for.
    fn templates(&self, platform: Channel) -> Vec<(String, Kind)> {
        let config = match platform {
            Channel::Wechat => &self.inner.config.wechat,
            Channel::Alipay => &self.inner.config.alipay,
            Channel::App => return Vec::new(),
        };
        vec![
            (config.benefit_offer.template_id.clone(), Kind::BenefitOffer),
            (
                config.application_status.template_id.clone(),
                Kind::ApplicationStatus,
            ),
        ]
    }

    /// Records the popup's answers.
    pub async fn record_popup(
        &self,
        account_id: &str,
        platform: Channel,
        answers: &[(String, PopupResult)],
        long_term: bool,
    ) -> Result<Vec<Credit>, PreferenceError> {
        let known = self.templates(platform);
        if let Some((unknown, _)) = answers
            .iter()
            .find(|(id, _)| !known.iter().any(|(k, _)| k == id))
        {
            return Err(PreferenceError::UnknownTemplate(unknown.clone()));
        }
        let now = super::now_ms() / 1000;
        crate::db::transaction!(self.store().writer(), |tx| {
            for (template_id, answer) in answers {
                let statement = match answer {
                    PopupResult::Accept if long_term => {
                        "INSERT INTO push_credits (account_id, platform, template_id, credits, long_term, updated_at)
                         VALUES ($1, $2, $3, 0, 1, $4)
                         ON CONFLICT (account_id, platform, template_id)
                         DO UPDATE SET long_term = 1, updated_at = excluded.updated_at"
                    }
                    PopupResult::Accept => {
                        "INSERT INTO push_credits (account_id, platform, template_id, credits, long_term, updated_at)
                         VALUES ($1, $2, $3, 1, 0, $4)
                         ON CONFLICT (account_id, platform, template_id)
                         DO UPDATE SET credits = push_credits.credits + 1, updated_at = excluded.updated_at"
                    }
                    PopupResult::Ban => {
                        "INSERT INTO push_credits (account_id, platform, template_id, credits, long_term, updated_at)
                         VALUES ($1, $2, $3, 0, 0, $4)
                         ON CONFLICT (account_id, platform, template_id)
                         DO UPDATE SET credits = 0, long_term = 0, updated_at = excluded.updated_at"
                    }
                    PopupResult::Reject | PopupResult::Filter => continue,
                };
                crate::db::query(statement)
                    .bind(account_id)
                    .bind(platform.code())
                    .bind(template_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .context("credit")?;
            }
            Ok(())
        })
        .await
        .context("store credits")?;
        self.outbox().wake();
        Ok(self.credits(account_id).await?)
    }

    /// Every configured template of WeChat and Alipay with the person's credits.
    pub async fn credits(&self, account_id: &str) -> anyhow::Result<Vec<Credit>> {
        let rows = crate::db::query(
            "SELECT platform, template_id, credits, long_term FROM push_credits WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_all(self.store().pool())
        .await
        .context("credits")?;
        let mut credits = Vec::new();
        for platform in [Channel::Wechat, Channel::Alipay] {
            for (template_id, kind) in self.templates(platform) {
                let row = rows.iter().find(|row| {
                    row.get::<String>("platform") == platform.code()
                        && row.get::<String>("template_id") == template_id
                });
                credits.push(Credit {
                    platform,
                    kind,
                    credits: row.map_or(0, |r| r.get("credits")),
                    long_term: row.is_some_and(|r| r.get::<i64>("long_term") != 0),
                    template_id,
                });
            }
        }
        Ok(credits)
    }

    /// Registers the app's push registration id for the person (a device signed in by
    /// someone else before moves to this person).
    pub async fn register_device(
        &self,
        account_id: &str,
        registration_id: &str,
        platform: &str,
    ) -> anyhow::Result<()> {
        crate::db::query(
            "INSERT INTO push_devices (registration_id, account_id, platform, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (registration_id) DO UPDATE SET account_id = excluded.account_id,
               platform = excluded.platform, created_at = excluded.created_at",
        )
        .bind(registration_id)
        .bind(account_id)
        .bind(platform)
        .bind(super::now_ms() / 1000)
        .execute(self.store().pool())
        .await
        .context("register device")?;
        self.outbox().wake();
        Ok(())
    }

    /// Forgets one of the person's devices; false when it was not theirs.
    pub async fn forget_device(
        &self,
        account_id: &str,
        registration_id: &str,
    ) -> anyhow::Result<bool> {
        let done = crate::db::query(
            "DELETE FROM push_devices WHERE registration_id = $1 AND account_id = $2",
        )
        .bind(registration_id)
        .bind(account_id)
        .execute(self.store().pool())
        .await
        .context("forget device")?;
        Ok(done.rows_affected() == 1)
    }

    /// The person's channel order and quiet hours (defaults filled in).
    pub async fn channel_preferences(
        &self,
        account_id: &str,
    ) -> anyhow::Result<ChannelPreferences> {
        let row = crate::db::query(
            "SELECT notify_channels, quiet_start, quiet_end FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.store().pool())
        .await
        .context("channel preferences")?;
        let config = &self.inner.config;
        let (channels, start, end) = match row {
            Some(row) => (
                row.get::<Option<String>>("notify_channels"),
                row.get::<Option<String>>("quiet_start"),
                row.get::<Option<String>>("quiet_end"),
            ),
            None => (None, None, None),
        };
        Ok(ChannelPreferences {
            channels: channels
                .and_then(|c| serde_json::from_str::<Vec<String>>(&c).ok())
                .map(|codes| codes.iter().filter_map(|c| Channel::parse(c)).collect())
                .unwrap_or_else(|| Channel::ALL.to_vec()),
            quiet_start: start.unwrap_or_else(|| config.quiet_start.clone()),
            quiet_end: end.unwrap_or_else(|| config.quiet_end.clone()),
        })
    }

    /// Changes what is given; quiet hours must parse (`HH:MM`).
    pub async fn set_channel_preferences(
        &self,
        account_id: &str,
        channels: Option<&[Channel]>,
        quiet: Option<(&str, &str)>,
    ) -> anyhow::Result<()> {
        if let Some((start, end)) = quiet {
            QuietHours::parse(start, end)?;
        }
        let channels = channels
            .map(|c| serde_json::to_string(&c.iter().map(|c| c.code()).collect::<Vec<_>>()))
            .transpose()
            .context("encode channels")?;
        crate::db::query(
            "UPDATE accounts SET notify_channels = COALESCE($1, notify_channels),
               quiet_start = COALESCE($2, quiet_start), quiet_end = COALESCE($3, quiet_end)
             WHERE id = $4",
        )
        .bind(channels)
        .bind(quiet.map(|q| q.0))
        .bind(quiet.map(|q| q.1))
        .bind(account_id)
        .execute(self.store().pool())
        .await
        .context("store channel preferences")?;
        Ok(())
    }
}
