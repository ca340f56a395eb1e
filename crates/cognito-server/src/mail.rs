//! Email delivery over SMTP: the [`Mailer`] the outbox hands emails to when the server is
//! given a mail server (`--smtp-url`, `[smtp] url`).
//!
//! A request never waits on the mail server: [`SmtpMailer::deliver`] queues the email to
//! a thread of the mailer's own, which sends one email at a time and reports each
//! outcome to the outbox's copy (`sent`, or `failed` with the reason). A failure is
//! logged with the recipient and the reason, never the body, which holds the code. A full
//! queue fails the email at once rather than wait.
//!
//! The server is named by a URL ([`SmtpUrl`]): `smtp://host[:port]` (port 25), with
//! `?tls=none` (the default, for local mail catchers), `?tls=starttls` (upgrade when the
//! server offers it) or `?tls=required` (STARTTLS or nothing); `smtps://host[:port]`
//! (port 465) for TLS from the first byte; credentials as `smtp://user:pass@host`
//! (percent-encoded). Certificates are checked against the Mozilla roots.

use std::fmt;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::time::Duration;

use cognito_core::messages::{DeliveryReport, Email, Mailer};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};
use url::Url;

/// How many emails may wait for the mail server before new ones fail.
const QUEUE: usize = 1024;

/// How long one conversation with the mail server may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text throughout (`?tls=none`, the default of `smtp://`).
    None,
    /// STARTTLS when the server offers it (`?tls=starttls`).
    StartTlsIfOffered,
    /// STARTTLS, or no delivery (`?tls=required`).
    StartTlsRequired,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// The mail server of `--smtp-url`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS.
    pub tls: SmtpTls,
    /// User name and password for `AUTH`, when the URL has them.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|(user, _)| (user, "<redacted>")),
            )
            .finish()
    }
}

impl fmt::Display for SmtpUrl {
    /// The URL without its password, for messages and logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls == SmtpTls::Implicit {
            "smtps"
        } else {
            "smtp"
        };
        write!(f, "{scheme}://")?;
        if let Some((user, _)) = &self.credentials {
            write!(f, "{user}:***@")?;
        }
        write!(f, "{}:{}", self.host, self.port)?;
        match self.tls {
            SmtpTls::StartTlsIfOffered => f.write_str("?tls=starttls"),
            SmtpTls::StartTlsRequired => f.write_str("?tls=required"),
            SmtpTls::None | SmtpTls::Implicit => Ok(()),
        }
    }
}

/// Reads `smtp://[user:pass@]host[:port][?tls=none|starttls|required]` or
/// `smtps://[user:pass@]host[:port]`.
pub fn parse_smtp_url(s: &str) -> Result<SmtpUrl, String> {
    let url = Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    let (default_port, implicit) = match url.scheme() {
        "smtp" => (25, false),
        "smtps" => (465, true),
        _ => return Err(format!("{s:?} is not an smtp:// or smtps:// URL")),
    };
    let host = match url.host_str() {
        Some(h) if !h.is_empty() => h.trim_start_matches('[').trim_end_matches(']'),
        _ => return Err(format!("{s:?} names no host")),
    };
    if !matches!(url.path(), "" | "/") {
        return Err(format!("{s:?}: an SMTP URL has no path"));
    }
    let mut tls = if implicit {
        SmtpTls::Implicit
    } else {
        SmtpTls::None
    };
    for (name, value) in url.query_pairs() {
        match (name.as_ref(), value.as_ref(), implicit) {
            ("tls", "none", false) => tls = SmtpTls::None,
            ("tls", "starttls", false) => tls = SmtpTls::StartTlsIfOffered,
            ("tls", "required", false) => tls = SmtpTls::StartTlsRequired,
            ("tls", _, true) => {
                return Err(format!("{s:?}: smtps:// is TLS throughout; drop `tls`"))
            }
            ("tls", other, false) => {
                return Err(format!(
                    "{s:?}: tls={other} is not one of none, starttls, required"
                ))
            }
            (other, _, _) => return Err(format!("{s:?}: unknown parameter {other:?}")),
        }
    }
    let credentials = if url.username().is_empty() {
        None
    } else {
        Some((
            percent_decode(url.username())?,
            percent_decode(url.password().unwrap_or_default())?,
        ))
    };
    Ok(SmtpUrl {
        host: host.to_owned(),
        port: url.port().unwrap_or(default_port),
        tls,
        credentials,
    })
}

/// `%XX` sequences decoded, the result UTF-8.
fn percent_decode(s: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex: Option<u8> = (|| {
                let hi = char::from(bytes.next()?).to_digit(16)?;
                let lo = char::from(bytes.next()?).to_digit(16)?;
                u8::try_from(hi * 16 + lo).ok()
            })();
            out.push(hex.ok_or("malformed percent-encoding in the SMTP credentials")?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).map_err(|_| "the SMTP credentials are not UTF-8".to_owned())
}

/// The mailer: a queue, and the thread that empties it into the mail server.
pub struct SmtpMailer {
    queue: SyncSender<Job>,
}

struct Job {
    email: Email,
    report: DeliveryReport,
}

impl SmtpMailer {
    /// Starts the thread that delivers to `server`. The thread ends when the mailer is
    /// dropped and its queue is empty.
    pub fn start(server: &SmtpUrl) -> std::io::Result<SmtpMailer> {
        let transport = transport(server).map_err(std::io::Error::other)?;
        let (queue, jobs) = sync_channel(QUEUE);
        let name = server.to_string();
        std::thread::Builder::new()
            .name("smtp".to_owned())
            .spawn(move || deliver_all(&transport, &name, &jobs))?;
        Ok(SmtpMailer { queue })
    }
}

impl Mailer for SmtpMailer {
    fn deliver(&self, email: Email, report: DeliveryReport) {
        match self.queue.try_send(Job { email, report }) {
            Ok(()) => {}
            Err(TrySendError::Full(job)) => {
                tracing::warn!(to = %job.email.to, "email not delivered: the queue is full");
                job.report
                    .failed("the queue of emails waiting for the mail server is full");
            }
            Err(TrySendError::Disconnected(job)) => {
                job.report.failed("the mail thread has stopped");
            }
        }
    }
}

fn transport(server: &SmtpUrl) -> Result<SmtpTransport, String> {
    let parameters = || {
        TlsParameters::new(server.host.clone())
            .map_err(|e| format!("cannot set up TLS for {}: {e}", server.host))
    };
    let tls = match server.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::StartTlsIfOffered => Tls::Opportunistic(parameters()?),
        SmtpTls::StartTlsRequired => Tls::Required(parameters()?),
        SmtpTls::Implicit => Tls::Wrapper(parameters()?),
    };
    let mut builder = SmtpTransport::builder_dangerous(server.host.clone())
        .port(server.port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if let Some((user, password)) = &server.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

fn deliver_all(transport: &SmtpTransport, server: &str, jobs: &Receiver<Job>) {
    for Job { email, report } in jobs {
        match compose(&email).and_then(|m| transport.send(&m).map_err(|e| e.to_string())) {
            Ok(_) => {
                tracing::debug!(to = %email.to, "email delivered");
                report.sent();
            }
            Err(reason) => {
                tracing::warn!(to = %email.to, server, reason = %reason, "email not delivered");
                report.failed(reason);
            }
        }
    }
}

/// The email as the mail server receives it: `From`, `Reply-To`, `To`, `Subject`, and
/// the body as HTML when it holds a tag (Cognito's templates may), else as plain text.
fn compose(email: &Email) -> Result<lettre::Message, String> {
    let mailbox = |what: &str, address: &str| {
        address
            .parse::<Mailbox>()
            .map_err(|e| format!("the {what} address {address:?} is invalid: {e}"))
    };
    let mut builder = lettre::Message::builder()
        .from(mailbox("From", &email.from)?)
        .to(mailbox("To", &email.to)?)
        .subject(email.subject.clone());
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox("Reply-To", reply_to)?);
    }
    let body = email.body.expose();
    let content_type = if holds_tag(body) {
        ContentType::TEXT_HTML
    } else {
        ContentType::TEXT_PLAIN
    };
    builder
        .header(content_type)
        .body(body.clone())
        .map_err(|e| format!("cannot compose the email: {e}"))
}

/// Whether `text` holds something like an HTML tag: `<` then a letter or `/`.
fn holds_tag(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| matches!(w, [b'<', c] if c.is_ascii_alphabetic() || *c == b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_crypto::Secret;

    #[test]
    fn urls_read_as_documented() {
        let url = |s| parse_smtp_url(s);
        let ok = |host: &str, port, tls, credentials: Option<(&str, &str)>| {
            Ok(SmtpUrl {
                host: host.into(),
                port,
                tls,
                credentials: credentials.map(|(u, p)| (u.into(), p.into())),
            })
        };
        assert_eq!(
            url("smtp://localhost"),
            ok("localhost", 25, SmtpTls::None, None)
        );
        assert_eq!(
            url("smtp://127.0.0.1:1025"),
            ok("127.0.0.1", 1025, SmtpTls::None, None)
        );
        assert_eq!(
            url("smtp://mail.example:587?tls=required"),
            ok("mail.example", 587, SmtpTls::StartTlsRequired, None)
        );
        assert_eq!(
            url("smtp://mail.example?tls=starttls"),
            ok("mail.example", 25, SmtpTls::StartTlsIfOffered, None)
        );
        assert_eq!(
            url("smtps://me%40example.com:p%3Ass@mail.example"),
            ok(
                "mail.example",
                465,
                SmtpTls::Implicit,
                Some(("me@example.com", "p:ss"))
            )
        );
        assert_eq!(
            url("smtp://[::1]:2525"),
            ok("::1", 2525, SmtpTls::None, None)
        );
        for bad in [
            "http://localhost",
            "smtp://",
            "smtp://localhost/inbox",
            "smtp://localhost?tls=maybe",
            "smtps://localhost?tls=none",
            "smtp://localhost?tsl=none",
            "localhost:25",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_stay_out_of_debug_and_display() {
        let url = parse_smtp_url("smtp://me:hunter2@mail.example:587?tls=required").unwrap();
        assert_eq!(
            url.to_string(),
            "smtp://me:***@mail.example:587?tls=required"
        );
        assert!(!format!("{url:?}").contains("hunter2"));
    }

    fn email(body: &str) -> Email {
        Email {
            from: "Example <no-reply@example.com>".into(),
            reply_to: Some("help@example.com".into()),
            to: "alice@example.com".into(),
            subject: "Your verification code".into(),
            body: Secret::new(body.into()),
        }
    }

    #[test]
    fn emails_carry_the_headers_and_a_body_of_the_right_type() {
        let text = String::from_utf8(
            compose(&email("Your verification code is 123456"))
                .unwrap()
                .formatted(),
        )
        .unwrap();
        for line in [
            "From: Example <no-reply@example.com>",
            "Reply-To: help@example.com",
            "To: alice@example.com",
            "Subject: Your verification code",
            "Content-Type: text/plain; charset=utf-8",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        assert!(text.contains("Your verification code is 123456"));
        let html = String::from_utf8(
            compose(&email("<p>Your code is <b>123456</b></p>"))
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(
            html.contains("Content-Type: text/html; charset=utf-8"),
            "{html}"
        );
        assert!(!holds_tag("1 < 2 and 3 > 2"));
        assert!(compose(&Email {
            to: "not an address".into(),
            ..email("x")
        })
        .is_err());
    }
}
