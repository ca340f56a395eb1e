//! The journal that writes the store's changes to redb, with group commit.
//!
//! [`RedbJournal::append`] queues a group of changes and answers its ticket;
//! one writer thread takes every group queued, seals the values, applies them all in one
//! write transaction committed with `Durability::Immediate` (one fsync for the batch),
//! then wakes the requests waiting for those tickets. While it writes, more groups
//! queue, and the next batch takes them all: concurrent writers share fsyncs, and the
//! more of them there are, the more each batch holds.
//!
//! A batch that fails to commit fails its tickets and every later one: after a failed
//! fsync what the file holds is unknown, and the only safe way on is a restart, which
//! reads back what the disk has (see `cognito_core::store`).

use std::sync::Arc;

use cognito_core::durable::{Change, Journal, Ticket};
use parking_lot::{Condvar, Mutex};

use super::seal::Seal;
use super::RECORDS;

/// Groups of changes waiting for the writer, and how far it has written.
#[derive(Default)]
struct Queue {
    /// Groups not taken yet, oldest first.
    pending: Vec<Vec<Change>>,
    /// The ticket of the next group appended.
    next: u64,
    /// Every ticket below this is durable.
    durable: u64,
    /// Why writing stopped, once it has.
    failed: Option<String>,
    /// Set when the journal is dropped: the writer finishes and stops.
    closing: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Wakes the writer when a group is appended.
    work: Condvar,
    /// Wakes waiters when a batch is durable (or failed).
    done: Condvar,
}

/// A [`Journal`] on a redb database.
pub struct RedbJournal {
    shared: Arc<Shared>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl RedbJournal {
    /// Starts the writer thread on `database`, sealing values with `seal`.
    pub fn start(database: Arc<redb::Database>, seal: Arc<Seal>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            work: Condvar::new(),
            done: Condvar::new(),
        });
        let writer = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("cognito-journal".into())
                .spawn(move || write_batches(&shared, &database, &seal))?
        };
        Ok(RedbJournal {
            shared,
            writer: Some(writer),
        })
    }
}

impl Journal for RedbJournal {
    fn append(&self, changes: Vec<Change>) -> Ticket {
        let mut queue = self.shared.queue.lock();
        let ticket = queue.next;
        queue.next += 1;
        queue.pending.push(changes);
        drop(queue);
        self.shared.work.notify_one();
        Ticket(ticket)
    }

    fn wait(&self, ticket: Ticket) -> Result<(), String> {
        let mut queue = self.shared.queue.lock();
        loop {
            if let Some(reason) = &queue.failed {
                return Err(reason.clone());
            }
            if queue.durable > ticket.0 {
                return Ok(());
            }
            self.shared.done.wait(&mut queue);
        }
    }
}

impl Drop for RedbJournal {
    /// Writes what is queued, then stops the writer.
    fn drop(&mut self) {
        self.shared.queue.lock().closing = true;
        self.shared.work.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer thread: takes every group queued and commits them as one batch, until
/// the journal closes (after writing what is queued) or a batch fails.
fn write_batches(shared: &Shared, database: &redb::Database, seal: &Seal) {
    loop {
        let (batch, upto) = {
            let mut queue = shared.queue.lock();
            while queue.pending.is_empty() && !queue.closing {
                shared.work.wait(&mut queue);
            }
            if queue.pending.is_empty() {
                return;
            }
            (std::mem::take(&mut queue.pending), queue.next)
        };
        let written = commit(database, seal, &batch);
        let mut queue = shared.queue.lock();
        match written {
            Ok(()) => queue.durable = upto,
            Err(reason) => {
                tracing::error!(%reason, "the data directory could not be written; the server answers errors until it is restarted");
                queue.failed = Some(reason);
            }
        }
        let failed = queue.failed.is_some();
        drop(queue);
        shared.done.notify_all();
        if failed {
            return;
        }
    }
}

/// Applies `batch` in one write transaction, durable when it returns.
fn commit(database: &redb::Database, seal: &Seal, batch: &[Vec<Change>]) -> Result<(), String> {
    let transaction = database.begin_write().map_err(|e| e.to_string())?;
    {
        let mut table = transaction.open_table(RECORDS).map_err(|e| e.to_string())?;
        for change in batch.iter().flatten() {
            match change {
                Change::Put { key, value } => {
                    let sealed = seal.seal(key, value)?;
                    table
                        .insert(key.as_slice(), sealed.as_slice())
                        .map_err(|e| e.to_string())?;
                }
                Change::Delete { key } => {
                    table.remove(key.as_slice()).map_err(|e| e.to_string())?;
                }
                Change::DeletePrefix { prefix } => {
                    delete_prefix(&mut table, prefix).map_err(|e| e.to_string())?;
                }
            }
        }
    }
    transaction.commit().map_err(|e| e.to_string())
}

/// Removes every record whose key starts with `prefix`.
fn delete_prefix(
    table: &mut redb::Table<'_, &'static [u8], &'static [u8]>,
    prefix: &[u8],
) -> Result<(), redb::StorageError> {
    match end_of_prefix(prefix) {
        Some(end) => table.retain_in(prefix..end.as_slice(), |_, _| false),
        None => table.retain_in(prefix.., |_, _| false),
    }
}

/// The first key after every key starting with `prefix`, if there is one.
fn end_of_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_end_where_their_keys_do() {
        assert_eq!(end_of_prefix(b"p\0"), Some(b"p\x01".to_vec()));
        assert_eq!(end_of_prefix(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(end_of_prefix(b""), None);
        assert_eq!(end_of_prefix(b"\xff"), None);
    }
}
