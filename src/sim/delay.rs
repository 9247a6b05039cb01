//! Injected latency that lasts what it says. `tokio::time::sleep` rounds its deadline up to the
//! timer's next millisecond tick and fires it only when a worker next turns the timer driver, so
//! the gov simulator's "20 ms" answered in 21–24 ms under bench/load.sh (d), and the figure
//! meant to judge Tongban's overhead measured the timer's. One thread keeps the pending
//! deadlines and wakes each with the operating system's high-resolution sleep (a futex wait,
//! accurate to tens of microseconds). Written here rather than taken from `tokio-timerfd`, which
//! opens a timer file descriptor per delay: this is the whole of it, for simulators only.

use std::{
    cmp::Reverse,
    collections::BinaryHeap,
    sync::{
        OnceLock,
        mpsc::{self, RecvTimeoutError},
    },
    time::{Duration, Instant},
};

use tokio::sync::oneshot;

type Wake = (Instant, oneshot::Sender<()>);

/// Waits `latency` from now, to within the operating system's timer accuracy.
pub async fn sleep(latency: Duration) {
    let deadline = Instant::now() + latency;
    let (tx, rx) = oneshot::channel();
    if timer().send((deadline, tx)).is_err() {
        // The timer thread is gone (it never exits while the process runs): fall back.
        tokio::time::sleep_until(deadline.into()).await;
        return;
    }
    let _ = rx.await;
}

fn timer() -> &'static mpsc::Sender<Wake> {
    static TIMER: OnceLock<mpsc::Sender<Wake>> = OnceLock::new();
    TIMER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Wake>();
        std::thread::Builder::new()
            .name("sim-latency".into())
            .spawn(move || run(rx))
            .expect("the simulators' latency thread starts");
        tx
    })
}

/// Pending wakes in deadline order (`seq` keeps equal deadlines apart and in arrival order).
fn run(rx: mpsc::Receiver<Wake>) {
    let mut pending: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut senders = std::collections::HashMap::new();
    let mut seq = 0u64;
    loop {
        let next = match pending.peek() {
            Some(Reverse((deadline, _))) => {
                let now = Instant::now();
                if *deadline <= now {
                    let Reverse((_, id)) = pending.pop().expect("peeked");
                    if let Some(tx) = senders.remove(&id) {
                        let _: Result<(), ()> = oneshot::Sender::send(tx, ());
                    }
                    continue;
                }
                rx.recv_timeout(*deadline - now)
            }
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((deadline, tx)) => {
                seq += 1;
                pending.push(Reverse((deadline, seq)));
                senders.insert(seq, tx);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Concurrent waits each end no earlier than asked, and soon after (the bound is loose:
    /// this machine is shared; bench/load.sh (d) prints the precision that matters).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waits_end_after_their_latency() {
        let waits = (0..10).map(|i| async move {
            let latency = Duration::from_micros(20_000 + i * 130);
            let start = Instant::now();
            sleep(latency).await;
            (latency, start.elapsed())
        });
        for (asked, took) in futures_util::future::join_all(waits).await {
            assert!(took >= asked, "{took:?} < {asked:?}");
            assert!(
                took < asked + Duration::from_millis(15),
                "{took:?} for {asked:?}"
            );
        }
    }

    #[tokio::test]
    async fn later_waits_do_not_hold_up_earlier_ones() {
        let long = tokio::spawn(sleep(Duration::from_secs(5)));
        let start = Instant::now();
        sleep(Duration::from_millis(10)).await;
        assert!(start.elapsed() < Duration::from_secs(2));
        long.abort();
    }
}
