//! When a notification may go out: quiet hours in the person's time zone, and the retry
//! schedule after a transient failure.
//!
//! People here live on two clocks: Beijing time (UTC+8, official) and Xinjiang time (UTC+6,
//! what many Uyghur and Kazakh families keep). Neither has had daylight saving since 1991, so
//! the two zones a person can choose (`PATCH /v1/me` `timeZone`) are fixed offsets and no
//! time-zone database is needed.

use std::time::Duration;

use anyhow::Context;

use crate::upstream::resilience::retry::Backoff;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// The offset from UTC of a time zone a person can choose, in milliseconds.
pub fn zone_offset_ms(zone: &str) -> i64 {
    match zone {
        "Asia/Urumqi" => 6 * 60 * MINUTE_MS,
        _ => 8 * 60 * MINUTE_MS,
    }
}

/// A daily window in local time during which nothing is pushed (the inbox still shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Minutes after local midnight.
    start: i64,
    end: i64,
}

impl QuietHours {
    /// From `HH:MM` strings; a window may run over midnight (22:00–08:00). Equal ends: none.
    pub fn parse(start: &str, end: &str) -> anyhow::Result<Self> {
        Ok(Self {
            start: minutes(start).with_context(|| format!("quiet hours start {start:?}"))?,
            end: minutes(end).with_context(|| format!("quiet hours end {end:?}"))?,
        })
    }

    /// `None` when `now_ms` (UTC) is outside the window in a zone `offset_ms` from UTC;
    /// otherwise the UTC time the window ends.
    pub fn ends_after(&self, now_ms: i64, offset_ms: i64) -> Option<i64> {
        if self.start == self.end {
            return None;
        }
        let local = now_ms + offset_ms;
        let into_day = local.rem_euclid(DAY_MS);
        let minute = into_day / MINUTE_MS;
        let quiet = if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        };
        if !quiet {
            return None;
        }
        let midnight = local - into_day;
        let mut end_local = midnight + self.end * MINUTE_MS;
        if end_local <= local {
            end_local += DAY_MS;
        }
        Some(end_local - offset_ms)
    }
}

fn minutes(text: &str) -> Option<i64> {
    let (hours, mins) = text.split_once(':')?;
    if hours.len() != 2 || mins.len() != 2 {
        return None;
    }
    let (hours, mins): (i64, i64) = (hours.parse().ok()?, mins.parse().ok()?);
    ((0..24).contains(&hours) && (0..60).contains(&mins)).then_some(hours * 60 + mins)
}

/// When a notification that failed for the `attempt`-th time is tried again, or `None` when
/// that would be past its deadline.
pub fn retry_at(backoff: &Backoff, attempt: u32, now_ms: i64, deadline_ms: i64) -> Option<i64> {
    // Never sooner than a second: a provider that just failed gets a moment.
    let wait = backoff.delay(attempt).max(Duration::from_secs(1));
    let at = now_ms + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
    (at <= deadline_ms).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 60 * MINUTE_MS;
    /// 2026-11-22T00:00:00Z.
    const DAY_START: i64 = 1_795_305_600_000;

    fn at_utc(hour: i64, minute: i64) -> i64 {
        DAY_START + hour * HOUR_MS + minute * MINUTE_MS
    }

    #[test]
    fn quiet_hours_over_midnight_end_at_eight_local_time() {
        let quiet = QuietHours::parse("22:00", "08:00").expect("valid");
        let beijing = zone_offset_ms("Asia/Shanghai");
        // 23:30 Beijing = 15:30 UTC: quiet until 08:00 Beijing = 00:00 UTC next day.
        assert_eq!(
            quiet.ends_after(at_utc(15, 30), beijing),
            Some(at_utc(24, 0))
        );
        // 03:00 Beijing = 19:00 UTC: the same end.
        assert_eq!(
            quiet.ends_after(at_utc(19, 0), beijing),
            Some(at_utc(24, 0))
        );
        // 12:00 Beijing: not quiet.
        assert_eq!(quiet.ends_after(at_utc(4, 0), beijing), None);
    }

    #[test]
    fn xinjiang_time_is_two_hours_behind_beijing_for_quiet_hours() {
        let quiet = QuietHours::parse("22:00", "08:00").expect("valid");
        // 23:00 Beijing = 21:00 Xinjiang time: quiet for Beijing, not for Urumqi.
        let now = at_utc(15, 0);
        assert!(
            quiet
                .ends_after(now, zone_offset_ms("Asia/Shanghai"))
                .is_some()
        );
        assert_eq!(quiet.ends_after(now, zone_offset_ms("Asia/Urumqi")), None);
        // 07:30 Xinjiang time = 01:30 UTC: quiet until 08:00 Xinjiang = 02:00 UTC.
        assert_eq!(
            quiet.ends_after(at_utc(1, 30), zone_offset_ms("Asia/Urumqi")),
            Some(at_utc(2, 0))
        );
    }

    #[test]
    fn daytime_quiet_hours_and_no_quiet_hours() {
        let nap = QuietHours::parse("13:00", "15:00").expect("valid");
        let beijing = zone_offset_ms("Asia/Shanghai");
        assert_eq!(nap.ends_after(at_utc(6, 0), beijing), Some(at_utc(7, 0)));
        assert_eq!(nap.ends_after(at_utc(7, 0), beijing), None);
        let none = QuietHours::parse("00:00", "00:00").expect("valid");
        assert_eq!(none.ends_after(at_utc(19, 0), beijing), None);
    }

    #[test]
    fn malformed_quiet_hours_are_refused() {
        for (start, end) in [("24:00", "08:00"), ("22", "08:00"), ("22:00", "8:00")] {
            assert!(QuietHours::parse(start, end).is_err(), "{start}-{end}");
        }
    }

    #[test]
    fn retries_stop_at_the_deadline() {
        let backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(600));
        let now = at_utc(10, 0);
        let next = retry_at(&backoff, 1, now, now + HOUR_MS).expect("within the deadline");
        assert!((now + 1_000..=now + 2_000).contains(&next));
        assert_eq!(retry_at(&backoff, 12, now, now + 1_000), None);
    }
}
