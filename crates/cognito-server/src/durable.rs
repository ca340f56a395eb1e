//! The data directory (`--data-dir`): the service's state kept in an embedded database,
//! every acknowledged change on disk before its answer.
//!
//! The directory holds:
//!
//! - `format`: the version of the records' layout ([`FORMAT_VERSION`]), written at the
//!   first start; a server refuses a directory of another version with a message that
//!   says what to do;
//! - `data.key`: 32 random bytes made at the first start (mode 0600), the AES-256-GCM key
//!   every value is sealed with ([`seal`]), so that the database file alone reveals no
//!   secret;
//! - `state.redb`: the records of `cognito_core::durable`, in one redb table, written by
//!   [`journal::RedbJournal`] with group commit.
//!
//! [`DataDir::open`] checks the version, reads the key, opens the database (which redb
//! locks: a second server on the same directory is refused), and reads every record
//! back; [`transfer`] moves the state in and out as JSON.

pub mod journal;
pub mod seal;
pub mod transfer;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cognito_core::durable::{self, Loaded, FORMAT_VERSION};
use redb::{ReadableTable as _, TableDefinition};

/// The records: key → sealed value.
pub(crate) const RECORDS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("records");

/// A data directory, opened.
pub struct DataDir {
    path: PathBuf,
    database: Arc<redb::Database>,
    seal: Arc<seal::Seal>,
}

/// Why a data directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// A file of the directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The directory was written by a server of another format.
    #[error("{path}: {reason}")]
    Format {
        /// The directory.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },
    /// The database could not be opened, read or written.
    #[error("{path}: {reason}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// What redb said.
        reason: String,
    },
}

impl DataDir {
    /// Opens the data directory `path`, making it (and its key) at the first start.
    pub fn open(path: &Path) -> Result<Self, DataDirError> {
        let io = |file: &Path| {
            let file = file.to_path_buf();
            move |source| DataDirError::Io { path: file, source }
        };
        fs::create_dir_all(path).map_err(io(path))?;
        check_format(path)?;
        let seal = seal::Seal::load(&path.join("data.key")).map_err(io(&path.join("data.key")))?;
        let file = path.join("state.redb");
        let database = redb::Database::create(&file).map_err(|e| DataDirError::Database {
            path: file.clone(),
            reason: match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    "another server has this data directory open".to_owned()
                }
                other => other.to_string(),
            },
        })?;
        Ok(DataDir {
            path: path.to_path_buf(),
            database: Arc::new(database),
            seal: Arc::new(seal),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn database_error(&self, e: impl std::fmt::Display) -> DataDirError {
        DataDirError::Database {
            path: self.path.join("state.redb"),
            reason: e.to_string(),
        }
    }

    /// Every record, in key order: its key and its value unsealed.
    pub fn records(
        &self,
        mut each: impl FnMut(&[u8], &[u8]) -> Result<(), String>,
    ) -> Result<(), DataDirError> {
        let read = self
            .database
            .begin_read()
            .map_err(|e| self.database_error(e))?;
        let table = match read.open_table(RECORDS) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(self.database_error(e)),
        };
        for entry in table.iter().map_err(|e| self.database_error(e))? {
            let (key, value) = entry.map_err(|e| self.database_error(e))?;
            let key = key.value();
            let value = self
                .seal
                .open(key, value.value())
                .map_err(|e| self.database_error(e))?;
            each(key, &value).map_err(|e| self.database_error(e))?;
        }
        Ok(())
    }

    /// Reads every record back, to start from.
    pub fn load(&self) -> Result<Loaded, DataDirError> {
        let mut loaded = Loaded::default();
        self.records(|key, value| loaded.read(key, value))?;
        Ok(loaded)
    }

    /// Starts the journal that writes this directory's records.
    pub fn journal(&self) -> Result<Arc<journal::RedbJournal>, DataDirError> {
        journal::RedbJournal::start(self.database.clone(), self.seal.clone())
            .map(Arc::new)
            .map_err(|e| self.database_error(e))
    }
}

/// Checks the directory's format, writing it at the first start.
fn check_format(dir: &Path) -> Result<(), DataDirError> {
    let path = dir.join("format");
    let io = |source| DataDirError::Io {
        path: path.clone(),
        source,
    };
    match fs::read_to_string(&path) {
        Ok(text) => {
            let version: u32 = text.trim().parse().map_err(|_| DataDirError::Format {
                path: path.clone(),
                reason: format!("not a format version: {:?}", text.trim()),
            })?;
            durable::upgrade(version).map_err(|reason| DataDirError::Format {
                path: dir.to_path_buf(),
                reason,
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if dir.join("state.redb").exists() {
                return Err(DataDirError::Format {
                    path: path.clone(),
                    reason:
                        "missing beside state.redb: this is not a data directory this server made"
                            .to_owned(),
                });
            }
            let mut file = fs::File::create(&path).map_err(io)?;
            file.write_all(format!("{FORMAT_VERSION}\n").as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io)
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_of_another_format_is_refused_with_a_reason() {
        let dir = std::env::temp_dir().join(format!("cognito-format-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        DataDir::open(&dir).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("format")).unwrap(),
            format!("{FORMAT_VERSION}\n")
        );
        fs::write(dir.join("format"), format!("{}\n", FORMAT_VERSION + 1)).unwrap();
        let refused = DataDir::open(&dir).err().unwrap().to_string();
        assert!(refused.contains("newer server"), "{refused}");
        fs::write(dir.join("format"), "junk").unwrap();
        assert!(DataDir::open(&dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
