//! HTTPS (`--tls`): the certificate the server presents and the TLS configuration made
//! from it, either a certificate and key the user gives (`--tls-cert`, `--tls-key`, PEM)
//! or one made at each start for the server's names and signed by a local certificate
//! authority.
//!
//! The local CA is made once and kept in a folder (`--tls-dir`): `ca.pem`, its
//! certificate, for clients to trust (`NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE`,
//! `SSL_CERT_FILE`), and `ca-key.pem`, its private key (with a copy of the certificate),
//! readable by its owner only. Later starts reuse them, so a client trusts the CA once.
//! Two servers starting together on the same folder agree on one CA: the key file is
//! created whole under its name or not at all, and the loser reads the winner's.
//!
//! Boundary: files and certificates only; serving is `cognito_http::serve_tls`.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cognito_http::rustls::pki_types::pem::PemObject;
use cognito_http::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use cognito_http::rustls::{self, ServerConfig};
use cognito_model::Timestamp;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// The CA's certificate, for clients to trust.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The CA's private key and a copy of its certificate, readable by the owner only.
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// How long a new CA is valid: ten years.
const CA_VALIDITY_SECS: i64 = 10 * 365 * 24 * 3600;
/// How long a certificate made at start is valid: 397 days, the most browsers accept.
const LEAF_VALIDITY_SECS: i64 = 397 * 24 * 3600;
/// How far back certificates are dated, for clocks a little behind the server's.
const BACKDATE_SECS: i64 = 3600;

/// Where the server's certificate comes from (the `[tls]` table, the `--tls*` flags).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// The folder of the local CA (`--tls-dir`); by default [`default_dir`].
    pub dir: Option<PathBuf>,
    /// Names the certificate made at start covers besides `localhost`, `127.0.0.1`,
    /// `::1`, `--host` and the test API's hosts (`--tls-hosts`).
    pub hosts: Vec<String>,
    /// A certificate chain the user gives, PEM (`--tls-cert`); with `key`.
    pub cert: Option<PathBuf>,
    /// The private key of `cert`, PEM (`--tls-key`).
    pub key: Option<PathBuf>,
}

/// The TLS side of a started server.
#[derive(Debug, Clone)]
pub struct Tls {
    /// What `cognito_http::serve_tls` serves HTTPS with.
    pub config: Arc<ServerConfig>,
    /// The local CA's certificate file to trust, when the server made its certificate.
    pub ca_file: Option<PathBuf>,
    /// The names the certificate made at start covers (empty for a given certificate).
    pub names: Vec<String>,
}

/// Why HTTPS cannot be served; the message names the file or name at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

impl From<TlsError> for std::io::Error {
    fn from(e: TlsError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
    }
}

/// The folder of the local CA when no `--tls-dir` names one: `cognito-server/tls` in the
/// user's data folder (`$XDG_DATA_HOME`, else `~/.local/share`; `~/Library/Application
/// Support` on macOS; `%LOCALAPPDATA%` on Windows), or `.cognito-server/tls` in the
/// current folder when there is no home.
pub fn default_dir() -> PathBuf {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let data = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|home| home.join("Library").join("Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|home| home.join(".local").join("share")))
    };
    match data {
        Some(data) => data.join("cognito-server").join("tls"),
        None => PathBuf::from(".cognito-server").join("tls"),
    }
}

/// The names a certificate made at start covers: loopback names, `host` unless it is
/// an unspecified address, then `extra` (the test API's hosts, `--tls-hosts`), each once.
pub fn names(host: &str, extra: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let unspecified = host
        .trim_matches(['[', ']'])
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_unspecified());
    let host = (!unspecified && !host.is_empty()).then_some(host);
    for name in ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .chain(host)
        .chain(extra.iter().map(String::as_str))
    {
        let name = name.trim_matches(['[', ']']).to_ascii_lowercase();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

impl Tls {
    /// The TLS configuration of `settings`: the certificate and key they name, or a
    /// certificate for `names` signed by the local CA (made first if its folder has
    /// none), valid from `now`.
    pub fn prepare(
        settings: &TlsSettings,
        names: &[String],
        now: Timestamp,
    ) -> Result<Tls, TlsError> {
        match (&settings.cert, &settings.key) {
            (Some(cert), Some(key)) => Ok(Tls {
                config: given(cert, key)?,
                ca_file: None,
                names: Vec::new(),
            }),
            (Some(_), None) => Err(TlsError(
                "a TLS certificate (--tls-cert, [tls] cert) needs its private key \
                 (--tls-key, [tls] key)"
                    .into(),
            )),
            (None, Some(_)) => Err(TlsError(
                "a TLS private key (--tls-key, [tls] key) needs its certificate \
                 (--tls-cert, [tls] cert)"
                    .into(),
            )),
            (None, None) => {
                let dir = settings.dir.clone().unwrap_or_else(default_dir);
                let ca = LocalCa::open_or_create(&dir, now)?;
                let (chain, key) = ca.issue(names, now)?;
                Ok(Tls {
                    config: server_config(chain, key).map_err(|e| {
                        TlsError(format!(
                            "cannot use the certificate made for {names:?}: {e}"
                        ))
                    })?,
                    ca_file: Some(ca.cert_file),
                    names: names.to_vec(),
                })
            }
        }
    }
}

/// The configuration serving the chain in `cert` with the key in `key`, both PEM.
fn given(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            TlsError(format!(
                "cannot read the certificate {}: {}",
                cert.display(),
                pem_error(&e)
            ))
        })?;
    if chain.is_empty() {
        return Err(TlsError(format!(
            "the certificate file {} holds no PEM certificate",
            cert.display()
        )));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        TlsError(format!(
            "cannot read the private key {}: {}",
            key.display(),
            pem_error(&e)
        ))
    })?;
    server_config(chain, private).map_err(|e| {
        let why = match e {
            rustls::Error::InconsistentKeys(_) => {
                "the key is not the certificate's private key".to_owned()
            }
            other => other.to_string(),
        };
        TlsError(format!(
            "cannot serve the certificate {} with the key {}: {why}",
            cert.display(),
            key.display()
        ))
    })
}

fn pem_error(e: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::Io(io) => io.to_string(),
        Error::NoItemsFound => "no PEM block of that kind in the file".to_owned(),
        other => format!("not valid PEM ({other:?})"),
    }
}

/// TLS 1.2 and 1.3 with ring's cipher suites, no client certificates.
// rustls marks ring's provider deprecated because it has no post-quantum key exchange
// (that needs aws-lc-rs); the workspace builds ring only, as SMTP and the runners do,
// and a local emulator's traffic needs no protection for decades.
#[allow(deprecated)]
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// The local certificate authority of a folder.
struct LocalCa {
    cert_file: PathBuf,
    cert: CertificateDer<'static>,
    key: KeyPair,
}

impl LocalCa {
    /// The CA kept in `dir`, made there first if there is none.
    fn open_or_create(dir: &Path, now: Timestamp) -> Result<LocalCa, TlsError> {
        let key_file = dir.join(CA_KEY_FILE);
        if !key_file.exists() {
            fs::create_dir_all(dir).map_err(|e| {
                TlsError(format!(
                    "cannot create the TLS folder {}: {e}",
                    dir.display()
                ))
            })?;
            create_ca(&key_file, now)?;
        }
        let pem = fs::read(&key_file).map_err(|e| {
            TlsError(format!(
                "cannot read the CA key {}: {e}",
                key_file.display()
            ))
        })?;
        let unusable = |why: &str| {
            TlsError(format!(
                "the CA key file {} {why}; delete the folder {} to make a new CA (and trust it again)",
                key_file.display(),
                dir.display()
            ))
        };
        warn_if_others_can_read(&key_file);
        let private =
            PrivateKeyDer::from_pem_slice(&pem).map_err(|_| unusable("holds no private key"))?;
        let key =
            KeyPair::try_from(&private).map_err(|_| unusable("holds no usable private key"))?;
        let cert = CertificateDer::pem_slice_iter(&pem)
            .next()
            .and_then(Result::ok)
            .ok_or_else(|| unusable("holds no CA certificate"))?;
        Issuer::from_ca_cert_der(&cert, &key)
            .map_err(|_| unusable("holds a certificate that cannot be read"))?;
        // The key must be the certificate's: otherwise no certificate it signs verifies.
        server_config(vec![cert.clone()], private)
            .map_err(|_| unusable("holds a key that is not its certificate's"))?;
        let cert_file = dir.join(CA_CERT_FILE);
        let cert_pem = pem_block("CERTIFICATE", &cert);
        if fs::read_to_string(&cert_file).ok().as_deref() != Some(cert_pem.as_str()) {
            write_replacing(&cert_file, cert_pem.as_bytes())?;
        }
        Ok(LocalCa {
            cert_file,
            cert,
            key,
        })
    }

    /// A certificate for `names` signed by the CA, and its new private key.
    fn issue(
        &self,
        names: &[String],
        now: Timestamp,
    ) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
        let failed = |e: rcgen::Error| TlsError(format!("cannot make a certificate: {e}"));
        let mut params = CertificateParams::default();
        params.subject_alt_names = names
            .iter()
            .map(|name| san(name))
            .collect::<Result<_, _>>()?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().map_or("localhost", String::as_str),
        );
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(random_serial());
        (params.not_before, params.not_after) = validity(now, LEAF_VALIDITY_SECS)?;
        let key = KeyPair::generate().map_err(failed)?;
        let issuer = Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(failed)?;
        let cert = params.signed_by(&key, &issuer).map_err(failed)?;
        let private = PrivateKeyDer::try_from(key.serialize_der())
            .map_err(|e| TlsError(format!("cannot make a certificate: {e}")))?;
        Ok((vec![cert.der().clone(), self.cert.clone()], private))
    }
}

/// A name of the certificate: an IP address or a DNS name.
fn san(name: &str) -> Result<SanType, TlsError> {
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return Ok(SanType::IpAddress(ip));
    }
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.split('.').enumerate().all(|(i, label)| {
            (i == 0 && label == "*")
                || (!label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        });
    if !valid {
        return Err(TlsError(format!(
            "{name:?} is not a host name or IP address a certificate can name"
        )));
    }
    name.to_owned()
        .try_into()
        .map(SanType::DnsName)
        .map_err(|e| TlsError(format!("{name:?} cannot be named in a certificate: {e}")))
}

/// Makes a CA in `key_file`, unless another server made one there meanwhile.
fn create_ca(key_file: &Path, now: Timestamp) -> Result<(), TlsError> {
    let failed = |e: rcgen::Error| TlsError(format!("cannot make the local CA: {e}"));
    let serial = random_serial();
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "cognito-server");
    // Distinct per CA, so that trust stores holding several never confuse them.
    params.distinguished_name.push(
        DnType::CommonName,
        format!(
            "cognito-server local CA {}",
            hex(serial.to_bytes().get(..4).unwrap_or_default())
        ),
    );
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(serial);
    (params.not_before, params.not_after) = validity(now, CA_VALIDITY_SECS)?;
    let key = KeyPair::generate().map_err(failed)?;
    let cert = params.self_signed(&key).map_err(failed)?;
    let contents = format!("{}{}", key.serialize_pem(), cert.pem());

    // Written whole under a name of its own, then linked to the key file's name, which
    // fails if that name exists: the first server to link wins, and no reader ever sees
    // a key file half written.
    let temporary = temporary_beside(key_file);
    let written = write_private(&temporary, contents.as_bytes()).map_err(|e| {
        TlsError(format!(
            "cannot write the CA key {}: {e}",
            temporary.display()
        ))
    });
    let linked = written.and_then(|()| match fs::hard_link(&temporary, key_file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(TlsError(format!(
            "cannot write the CA key {}: {e}",
            key_file.display()
        ))),
    });
    let _ = fs::remove_file(&temporary);
    linked
}

/// Warns when the CA's key file is open to other users than its owner.
fn warn_if_others_can_read(key_file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = fs::metadata(key_file) {
            let mode = metadata.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %key_file.display(),
                    mode = format_args!("{:o}", mode & 0o777),
                    "the local CA's private key is readable by other users; chmod 600 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = key_file;
}

/// Writes a new file readable and writable by its owner only.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Replaces `path` with `contents` whole: written beside it, then renamed over it.
fn write_replacing(path: &Path, contents: &[u8]) -> Result<(), TlsError> {
    let temporary = temporary_beside(path);
    let result = fs::write(&temporary, contents).and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(|e| TlsError(format!("cannot write {}: {e}", path.display())))
}

/// A name beside `path` for a file to be written whole, then linked or renamed to `path`:
/// no other start, in this process or another, picks the same.
fn temporary_beside(path: &Path) -> PathBuf {
    let unique: u64 = rand::random();
    path.with_extension(format!("pem.{}.{unique:016x}.tmp", std::process::id()))
}

/// From a little before `now` to `secs` after it.
fn validity(
    now: Timestamp,
    secs: i64,
) -> Result<(time::OffsetDateTime, time::OffsetDateTime), TlsError> {
    let at = |secs: i64| {
        time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|e| TlsError(format!("the clock reads an impossible time: {e}")))
    };
    Ok((
        at(now.secs().saturating_sub(BACKDATE_SECS))?,
        at(now.secs().saturating_add(secs))?,
    ))
}

/// A positive 16-byte serial number.
fn random_serial() -> rcgen::SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    rcgen::SerialNumber::from_slice(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `der` as a PEM block labelled `label`.
fn pem_block(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_the_host_and_the_extra_names_once() {
        let extra = vec!["cognito".to_owned(), "LOCALHOST".to_owned()];
        assert_eq!(
            names("0.0.0.0", &extra),
            ["localhost", "127.0.0.1", "::1", "cognito"]
        );
        assert_eq!(names("[::]", &[]), ["localhost", "127.0.0.1", "::1"]);
        assert_eq!(
            names("auth.test", &["*.auth.test".to_owned()]),
            ["localhost", "127.0.0.1", "::1", "auth.test", "*.auth.test"]
        );
    }

    #[test]
    fn refuses_names_a_certificate_cannot_hold() {
        for bad in ["", "a b", "a..b", "x/y", "a.*.b"] {
            assert!(san(bad).is_err(), "{bad:?}");
        }
        for good in ["cognito", "*.auth.test", "::1", "10.0.0.1", "my_host.local"] {
            assert!(san(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn servers_starting_together_on_one_folder_make_one_ca() {
        let dir = std::env::temp_dir().join(format!("cognito-tls-race-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let now = Timestamp::from_secs(1_780_000_000);
        let barrier = std::sync::Barrier::new(8);
        let certs: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        let ca = LocalCa::open_or_create(&dir, now).unwrap();
                        ca.issue(&names("127.0.0.1", &[]), now).unwrap();
                        ca.cert.to_vec()
                    })
                })
                .collect();
            starts.into_iter().map(|s| s.join().unwrap()).collect()
        });
        let on_disk = CertificateDer::from_pem_file(dir.join(CA_CERT_FILE)).unwrap();
        assert!(certs.iter().all(|cert| cert == on_disk.as_ref()));
        let mut left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [CA_KEY_FILE, CA_CERT_FILE],
            "no temporary file is left"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pem_blocks_wrap_at_64_columns() {
        let pem = pem_block("CERTIFICATE", &[0u8; 60]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.first(), Some(&"-----BEGIN CERTIFICATE-----"));
        assert_eq!(lines.get(1).map(|l| l.len()), Some(64));
        assert_eq!(lines.get(2).map(|l| l.len()), Some(16));
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
        let parsed = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(parsed.as_ref(), &[0u8; 60]);
    }
}
