//! Values at rest: every record's value is sealed with AES-256-GCM (`ring`) under the
//! data directory's key, with a random 96-bit nonce and the record's key as associated
//! data (a value moved to another key does not open). A sealed value is
//! `nonce ‖ ciphertext ‖ tag`.
//!
//! The key is 32 random bytes in `data.key`, made at the first start readable by its
//! owner only, written beside and linked into place whole, so that two servers starting
//! together agree on one. Whoever has the database file without the key file learns no
//! value: not the TOTP secrets, client secrets or signing keys, nor the rest.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom as _, SystemRandom};

/// The data directory's key.
pub struct Seal {
    key: LessSafeKey,
    random: SystemRandom,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(<redacted>)")
    }
}

const KEY_LEN: usize = 32;

impl Seal {
    /// The key in `path`, made there first when there is none.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let random = SystemRandom::new();
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => make_key(path, &random)?,
            Err(e) => return Err(e),
        };
        warn_if_readable(path);
        Self::from_bytes(&bytes, random)
    }

    fn from_bytes(bytes: &[u8], random: SystemRandom) -> std::io::Result<Self> {
        let invalid =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
        if bytes.len() != KEY_LEN {
            return Err(invalid("the key file does not hold a 32-byte key"));
        }
        let key =
            UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| invalid("the key is unusable"))?;
        Ok(Seal {
            key: LessSafeKey::new(key),
            random,
        })
    }

    /// Seals `value`, bound to record `key`.
    pub fn seal(&self, key: &[u8], value: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| "no randomness for a nonce".to_owned())?;
        let mut out = Vec::with_capacity(NONCE_LEN + value.len() + AES_256_GCM.tag_len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(value);
        let (head, body) = out.split_at_mut(NONCE_LEN);
        let tag = self
            .key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(key), body)
            .map_err(|_| "a value could not be sealed".to_owned())?;
        let _ = head;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Opens what [`Seal::seal`] sealed for record `key`.
    pub fn open(&self, key: &[u8], sealed: &[u8]) -> Result<Vec<u8>, String> {
        let refused = || {
            format!(
                "record {:?} does not open with this data directory's key",
                String::from_utf8_lossy(key).replace('\0', "/")
            )
        };
        let (nonce, body) = sealed.split_at_checked(NONCE_LEN).ok_or_else(refused)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| refused())?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(key), &mut body)
            .map_err(|_| refused())?;
        let len = plain.len();
        body.truncate(len);
        Ok(body)
    }
}

/// Makes a key and links it into `path` whole; answers the key at `path`, which another
/// start may have made first.
fn make_key(path: &Path, random: &SystemRandom) -> std::io::Result<Vec<u8>> {
    let mut key = [0u8; KEY_LEN];
    random
        .fill(&mut key)
        .map_err(|_| std::io::Error::other("no randomness for the data key"))?;
    let unique: u64 = rand::random();
    let temporary = path.with_extension(format!("{}.{unique:016x}.tmp", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&temporary)
        .and_then(|mut file| file.write_all(&key).and_then(|()| file.sync_all()));
    let linked = written.and_then(|()| fs::hard_link(&temporary, path));
    let _ = fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            if let Some(dir) = path.parent() {
                // The link itself is durable once the directory is.
                fs::File::open(dir)?.sync_all()?;
            }
            Ok(key.to_vec())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => fs::read(path),
        Err(e) => Err(e),
    }
}

/// Warns when the key file is readable by others than its owner.
fn warn_if_readable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(path) {
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %path.display(),
                    mode = format_args!("{:o}", mode & 0o777),
                    "the data directory's key is readable by other users; chmod 600 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal() -> Seal {
        Seal::from_bytes(&[7u8; 32], SystemRandom::new()).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_under_its_key_only() {
        let seal = seal();
        let sealed = seal.seal(b"pool\0user\0ann", b"secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(seal.open(b"pool\0user\0ann", &sealed).unwrap(), b"secret");
        assert!(seal.open(b"pool\0user\0bob", &sealed).is_err());
        let other = Seal::from_bytes(&[8u8; 32], SystemRandom::new()).unwrap();
        assert!(other.open(b"pool\0user\0ann", &sealed).is_err());
        assert!(seal.open(b"k", &sealed[..10]).is_err());
    }

    #[test]
    fn the_key_file_is_made_once_and_private() {
        let dir = std::env::temp_dir().join(format!("cognito-seal-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.key");
        let _ = fs::remove_file(&path);
        let sealed = Seal::load(&path).unwrap().seal(b"k", b"v").unwrap();
        assert_eq!(
            Seal::load(&path).unwrap().open(b"k", &sealed).unwrap(),
            b"v"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
