//! A rolling window of counters in fixed time slots, shared by the breaker (calls and
//! failures) and the retry budget (calls and retries). Old slots are reused lazily when time
//! comes round to them, so counting never allocates and needs no background task.

use std::time::Duration;

use tokio::time::Instant;

/// Counters of type `T` for the last `slots × slot_len` of time.
#[derive(Debug)]
pub(crate) struct Window<T> {
    origin: Instant,
    slot_len: Duration,
    /// Each slot remembers which tick it counts, so a stale slot is recognised and reset.
    slots: Vec<Option<(u64, T)>>,
}

impl<T: Default> Window<T> {
    /// A window spanning `span`, cut into `slots` slots (at least one).
    pub(crate) fn new(span: Duration, slots: usize, origin: Instant) -> Self {
        let slots = slots.max(1);
        let slot_len = (span / slots as u32).max(Duration::from_millis(1));
        Self {
            origin,
            slot_len,
            slots: (0..slots).map(|_| None).collect(),
        }
    }

    fn tick(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.origin);
        (elapsed.as_nanos() / self.slot_len.as_nanos()) as u64
    }

    /// The counters of the slot `now` falls in, fresh if the slot last counted an older tick.
    pub(crate) fn current(&mut self, now: Instant) -> &mut T {
        let tick = self.tick(now);
        let len = self.slots.len() as u64;
        let slot = &mut self.slots[(tick % len) as usize];
        if matches!(slot, Some((counted, _)) if *counted != tick) {
            *slot = None;
        }
        let (_, counters) = slot.get_or_insert_with(|| (tick, T::default()));
        counters
    }

    /// The counters of every slot still inside the window at `now`.
    pub(crate) fn live(&self, now: Instant) -> impl Iterator<Item = &T> {
        let tick = self.tick(now);
        let len = self.slots.len() as u64;
        self.slots.iter().filter_map(move |slot| match slot {
            Some((counted, counters)) if *counted <= tick && tick - counted < len => Some(counters),
            _ => None,
        })
    }

    /// Forgets everything, e.g. when the breaker closes and old failures must not reopen it.
    pub(crate) fn clear(&mut self) {
        self.slots.iter_mut().for_each(|slot| *slot = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(window: &Window<u32>, now: Instant) -> u32 {
        window.live(now).sum()
    }

    #[test]
    fn counts_within_the_span_are_summed_and_older_ones_drop_out() {
        let start = Instant::now();
        let mut window = Window::<u32>::new(Duration::from_secs(10), 10, start);
        *window.current(start) += 3;
        *window.current(start + Duration::from_secs(5)) += 4;
        assert_eq!(total(&window, start + Duration::from_secs(9)), 7);
        assert_eq!(total(&window, start + Duration::from_secs(10)), 4);
        assert_eq!(total(&window, start + Duration::from_secs(15)), 0);
    }

    #[test]
    fn a_reused_slot_starts_from_zero() {
        let start = Instant::now();
        let mut window = Window::<u32>::new(Duration::from_secs(2), 2, start);
        *window.current(start) += 5;
        *window.current(start + Duration::from_secs(2)) += 1;
        assert_eq!(total(&window, start + Duration::from_secs(2)), 1);
    }

    #[test]
    fn clearing_forgets_every_slot() {
        let start = Instant::now();
        let mut window = Window::<u32>::new(Duration::from_secs(10), 10, start);
        *window.current(start) += 2;
        window.clear();
        assert_eq!(total(&window, start), 0);
    }
}
