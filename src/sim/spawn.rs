//! Creating threads: register a [`Worker`] (so it shows in the very next
//! snapshot) and start its named OS thread.

use std::sync::Arc;
use std::sync::Mutex;

use crossbeam_channel::{Receiver, Sender};

use super::consumer;
use super::producer;
use super::queue::Msg;
use super::recent::RecentRing;
use super::shared::{Shared, Worker};
use super::state::Role;
use super::stats::ThreadStats;
use super::sync::{lock, lock_write};

/// Worker stacks: small, since 1,000 threads may run.
const STACK: usize = 256 * 1024;

/// Everything needed to start threads on the queue.
#[derive(Clone)]
pub struct Spawner {
    /// Shared state.
    pub sh: Arc<Shared>,
    /// Sending end of the queue.
    pub tx: Sender<Msg>,
    /// Receiving end of the queue.
    pub rx: Receiver<Msg>,
}

impl Spawner {
    /// Register a worker of `role` (named from its role and index).
    pub fn register(&self, role: Role) -> Arc<Worker> {
        let mut threads = lock_write(&self.sh.threads);
        let index = threads.iter().filter(|w| w.role == role).count();
        let name: Arc<str> = match role {
            Role::Producer => format!("Producer-{}", index + 1).into(),
            Role::Consumer => format!("Consumer-{}", index + 1).into(),
            Role::Coordinator => "main".into(),
        };
        let (wake_tx, wake_rx) = crossbeam_channel::bounded(1);
        let w = Arc::new(Worker {
            id: threads.len(),
            name,
            role,
            index,
            stats: ThreadStats::new(self.sh.now_ns()),
            recent: RecentRing::default(),
            retire: Default::default(),
            wake_tx,
            wake_rx,
            hists: Mutex::new(None),
            lane: Mutex::new(Default::default()),
            handle: Mutex::new(None),
        });
        threads.push(w.clone());
        w
    }

    /// Register and start a producer or consumer.
    pub fn spawn(&self, role: Role) -> std::io::Result<Arc<Worker>> {
        let w = self.register(role);
        let (sh, w2) = (self.sh.clone(), w.clone());
        let builder = std::thread::Builder::new()
            .name(w.name.to_string())
            .stack_size(STACK);
        let handle = match role {
            Role::Producer => {
                let tx = self.tx.clone();
                builder.spawn(move || producer::run(sh, w2, tx))
            }
            _ => {
                let rx = self.rx.clone();
                builder.spawn(move || consumer::run(sh, w2, rx))
            }
        };
        match handle {
            Ok(h) => {
                *lock(&w.handle) = Some(h);
                Ok(w)
            }
            Err(e) => {
                // Never started: show it as exited so nothing waits for it.
                w.stats
                    .set_exit(super::state::ExitReason::Aborted, self.sh.now_ns());
                Err(e)
            }
        }
    }
}
