//! `cognito-server export` and `import`: a data directory's state as JSON, to move it
//! between machines and between versions of the server.
//!
//! The document is `{"format": N, "records": [{"pool", "family", "item", "value"}, ...]}`:
//! one entry per record of `cognito_core::durable`, its value read through its own type
//! (field names, bytes as base64). Secrets are in it in the clear (TOTP secrets, client
//! secrets, signing keys): keep it as you keep the data directory's key.

use std::io::{Read, Write};

use cognito_core::durable::{self, Change, Journal as _, RecordKey, FORMAT_VERSION};
use serde::{Deserialize, Serialize};

use super::{DataDir, DataDirError};

/// One record in an export.
#[derive(Serialize, Deserialize)]
struct Entry {
    pool: String,
    family: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<String>,
    value: serde_json::Value,
}

/// An export.
#[derive(Deserialize)]
struct Document {
    format: u32,
    records: Vec<Entry>,
}

fn failed(dir: &DataDir, reason: impl std::fmt::Display) -> DataDirError {
    DataDirError::Format {
        path: dir.path().to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Writes every record of `dir` to `out` as JSON; answers how many.
pub fn export(dir: &DataDir, out: &mut impl Write) -> Result<usize, DataDirError> {
    let io = |e: std::io::Error| failed(dir, format!("cannot write the export: {e}"));
    write!(out, "{{\"format\":{FORMAT_VERSION},\"records\":[").map_err(io)?;
    let mut count = 0usize;
    let mut write_error = None;
    dir.records(|key, value| {
        let key = RecordKey::decode(key)?;
        let entry = Entry {
            value: durable::to_json(&key, value)?,
            pool: key.pool,
            family: key.family,
            item: key.item,
        };
        let written = out
            .write_all(if count == 0 { b"\n" } else { b",\n" })
            .and_then(|()| serde_json::to_writer(&mut *out, &entry).map_err(std::io::Error::from));
        if let Err(e) = written {
            write_error = Some(e.to_string());
            return Err("cannot write the export".into());
        }
        count += 1;
        Ok(())
    })
    .map_err(|e| match write_error.take() {
        Some(reason) => failed(dir, reason),
        None => e,
    })?;
    out.write_all(b"\n]}\n")
        .and_then(|()| out.flush())
        .map_err(io)?;
    Ok(count)
}

/// Writes the records of the export read from `input` into `dir`, which must hold
/// none; answers how many.
pub fn import(dir: &DataDir, input: &mut impl Read) -> Result<usize, DataDirError> {
    let mut present = 0usize;
    dir.records(|_, _| {
        present += 1;
        Ok(())
    })?;
    if present > 0 {
        return Err(failed(
            dir,
            format!("holds {present} records already: import into a new data directory"),
        ));
    }
    let document: Document = serde_json::from_reader(input)
        .map_err(|e| failed(dir, format!("the export cannot be read: {e}")))?;
    if document.format > FORMAT_VERSION {
        return Err(failed(
            dir,
            format!(
                "the export has format {}, newer than this server's {FORMAT_VERSION}: import it with a newer server",
                document.format
            ),
        ));
    }
    let mut changes = Vec::with_capacity(document.records.len());
    for entry in document.records {
        let key = RecordKey {
            pool: entry.pool,
            family: entry.family,
            item: entry.item,
        };
        let value = durable::from_json(&key, &entry.value)
            .map_err(|e| failed(dir, format!("record {}/{}: {e}", key.pool, key.family)))?;
        changes.push(Change::Put {
            key: key.encode(),
            value,
        });
    }
    let count = changes.len();
    // Every record is read back as a server would, before any is written.
    let mut check = durable::Loaded::default();
    for change in &changes {
        if let Change::Put { key, value } = change {
            check.read(key, value).map_err(|e| failed(dir, e))?;
        }
    }
    let journal = dir.journal()?;
    let ticket = journal.append(changes);
    journal.wait(ticket).map_err(|e| failed(dir, e))?;
    Ok(count)
}
