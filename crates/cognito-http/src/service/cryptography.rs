//! The threads that run cryptography ([`Cryptography`]): at most
//! [`Config::cryptography_threads`](crate::Config::cryptography_threads) of them, started
//! as work comes, taking jobs from one queue in the order they came.
//!
//! A thread takes its next job as soon as it is done with one and sleeps only when the
//! queue is empty, so that under load handing a job over wakes no thread: with tokio's
//! blocking pool behind a semaphore, every job had a thread woken for it (the permit's
//! waiter, then a blocking thread), and a sign-in of two requests (a password, then a
//! TOTP code) paid for that twice.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

/// A job: runs the work, and hands its result to the request waiting for it.
type Job = Box<dyn FnOnce() + Send>;

/// The cryptography threads of one service. Dropping it lets the threads finish the
/// jobs queued, then end.
pub(crate) struct Cryptography {
    shared: Arc<Shared>,
    threads: usize,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled when a job comes while a thread is idle, and on closing.
    work: Condvar,
}

#[derive(Default)]
struct State {
    jobs: VecDeque<Job>,
    /// Threads started, and how many of them wait for work.
    started: usize,
    idle: usize,
    closed: bool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // Jobs run outside the lock, so a poisoned lock still holds a sound queue.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The work could not run, or ended without a result (it panicked).
#[derive(Debug)]
pub(crate) struct Failed(pub(crate) String);

impl Cryptography {
    /// Runs up to `threads` threads (at least one).
    pub(crate) fn new(threads: usize) -> Self {
        Cryptography {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                work: Condvar::new(),
            }),
            threads: threads.max(1),
        }
    }

    /// Runs `work` on a cryptography thread and waits for its result without holding up
    /// the async worker. Work whose caller is gone (a client that hung up) before a thread
    /// takes it is skipped; once started, it runs to its end.
    pub(crate) async fn run<T>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Failed>
    where
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            if answer.is_closed() {
                return;
            }
            if let Ok(result) = catch_unwind(AssertUnwindSafe(work)) {
                let _ = answer.send(result);
            }
        });
        self.submit(job)?;
        answered
            .await
            .map_err(|_| Failed("the cryptographic work ended without an answer".to_owned()))
    }

    fn submit(&self, job: Job) -> Result<(), Failed> {
        let mut state = self.shared.state();
        state.jobs.push_back(job);
        if state.idle > 0 {
            self.shared.work.notify_one();
            return Ok(());
        }
        if state.started >= self.threads {
            // Every thread is busy; the first one done takes the job.
            return Ok(());
        }
        state.started += 1;
        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new()
            .name("cognito-crypto".to_owned())
            .spawn(move || work(&shared));
        match spawned {
            Ok(_) => Ok(()),
            Err(e) => {
                state.started -= 1;
                if state.started == 0 {
                    // No thread would ever take it.
                    state.jobs.clear();
                }
                Err(Failed(format!("cannot start a cryptography thread: {e}")))
            }
        }
    }
}

impl Drop for Cryptography {
    fn drop(&mut self) {
        self.shared.state().closed = true;
        self.shared.work.notify_all();
    }
}

/// A thread's loop: the next job, or a wait for one; ends once closed and out of jobs.
fn work(shared: &Shared) {
    loop {
        let job = {
            let mut state = shared.state();
            loop {
                if let Some(job) = state.jobs.pop_front() {
                    break job;
                }
                if state.closed {
                    state.started -= 1;
                    return;
                }
                state.idle += 1;
                state = shared
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                state.idle -= 1;
            }
        };
        job();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn jobs_run_on_at_most_the_threads_given() {
        let pool = Arc::new(Cryptography::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..8)
            .map(|i| {
                let (pool, running, most) =
                    (Arc::clone(&pool), Arc::clone(&running), Arc::clone(&most));
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                        i * 10
                    })
                    .await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for job in jobs {
            answers.push(job.await.unwrap().unwrap());
        }
        assert_eq!(answers, (0..8).map(|i| i * 10).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= 2, "{most:?}");
        assert_eq!(pool.shared.state().started, 2);
    }

    #[tokio::test]
    async fn a_panic_answers_a_failure_and_the_thread_goes_on() {
        let pool = Cryptography::new(1);
        let failed = pool.run(|| -> u32 { panic!("broken") }).await;
        assert!(failed.is_err());
        assert_eq!(pool.run(|| 7).await.unwrap(), 7);
    }
}
