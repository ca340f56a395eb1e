//! The outbox: every email and SMS message Cognito would send, kept so tests can read
//! them (confirmation codes, invitations, password reset codes), and the hand-over of
//! emails to a real mail server.
//!
//! The [`Outbox`] keeps every message; when the embedder names a [`Mailer`]
//! ([`Outbox::set_mailer`]), each email is also handed to it after its copy is kept, with
//! the sender the pool's `EmailConfiguration` names ([`PoolMail`], which the sender of a
//! message takes from the pool along with it). The mailer reports the outcome through a [`DeliveryReport`], which
//! records it on the kept copy ([`Delivery`]); SMS messages stay in the outbox. Emails
//! of a pool whose `CustomEmailSender` trigger delivers them (and SMS of one with a
//! `CustomSMSSender`) are the function's to deliver, and the mailer never sees them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};

use cognito_crypto::Secret;
use cognito_model::shapes::{EmailConfigurationType, UserPoolType};
use cognito_model::Timestamp;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// Email.
    Email,
    /// SMS text message.
    Sms,
}

impl Channel {
    /// `EMAIL` or `SMS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "EMAIL",
            Channel::Sms => "SMS",
        }
    }
}

/// Why a message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageKind {
    /// An invitation with a temporary password (`AdminCreateUser`).
    Invitation,
    /// A sign-up confirmation code.
    SignUpCode,
    /// A password reset code.
    ForgotPasswordCode,
    /// An attribute verification code.
    VerificationCode,
    /// A sign-in MFA code.
    MfaCode,
    /// A one-time code that is the first sign-in factor (`EMAIL_OTP`, `SMS_OTP` of
    /// `USER_AUTH`).
    SignInCode,
}

impl MessageKind {
    /// A stable name for the test API.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invitation => "invitation",
            MessageKind::SignUpCode => "sign_up_code",
            MessageKind::ForgotPasswordCode => "forgot_password_code",
            MessageKind::VerificationCode => "verification_code",
            MessageKind::MfaCode => "mfa_code",
            MessageKind::SignInCode => "sign_in_code",
        }
    }
}

/// One sent message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    /// The pool it was sent for.
    pub pool_id: String,
    /// The recipient's username.
    pub username: String,
    /// Email or SMS.
    pub channel: Channel,
    /// The address or phone number.
    pub destination: String,
    /// The subject (email only).
    pub subject: Option<String>,
    /// The text, with codes and temporary passwords filled in.
    #[serde(with = "secret_text")]
    pub body: Secret<String>,
    /// Why it was sent.
    pub kind: MessageKind,
    /// The code or temporary password it carries.
    #[serde(with = "option_secret_text")]
    pub code: Option<Secret<String>>,
    /// When it was sent.
    pub sent_at: Timestamp,
}

/// A `Secret<String>` written as its text, for a durable store's records (which it
/// seals) and their export.
pub(crate) mod secret_text {
    use cognito_crypto::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the secret's text.
    pub fn serialize<S: Serializer>(v: &Secret<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose())
    }

    /// Reads the secret's text.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret<String>, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// An `Option<Secret<String>>` written as its text, if any.
mod option_secret_text {
    use cognito_crypto::Secret;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the secret's text, if any.
    pub fn serialize<S: Serializer>(v: &Option<Secret<String>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|v| v.expose()).serialize(s)
    }

    /// Reads the secret's text, if any.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Secret<String>>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Secret::new))
    }
}

/// What keeps the outbox's copies beyond the process: a durable store's journal. The
/// outbox calls [`KeptLog::kept`] and [`KeptLog::delivered`] under its lock, so they
/// must only queue; it waits with [`KeptLog::wait`] after releasing it.
pub trait KeptLog: Send + Sync {
    /// `sent` was kept as number `n`, and number `dropped` of the same pool let go to
    /// make room; answers the mark to wait for.
    fn kept(&self, n: u64, sent: &Sent, dropped: Option<u64>) -> u64;

    /// The delivery of number `n` changed to what `sent` says.
    fn delivered(&self, n: u64, sent: &Sent);

    /// Blocks until what `mark` stands for is durable (or can never be).
    fn wait(&self, mark: u64);
}

/// The address Cognito's own email sends from when the pool names none.
pub const DEFAULT_FROM: &str = "no-reply@verificationemail.com";

/// An email as a mail server receives it.
#[derive(Debug, Clone)]
pub struct Email {
    /// `From`: an address, or a name with an address (`Example <no-reply@example.com>`).
    pub from: String,
    /// `Reply-To`, when the pool names one.
    pub reply_to: Option<String>,
    /// The recipient's address.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The text, which may hold HTML (Cognito's templates allow it).
    pub body: Secret<String>,
}

/// What delivers emails to a real mail server.
pub trait Mailer: Send + Sync {
    /// Takes `email` for delivery and reports the outcome through `report`, later or at
    /// once. Must not block: the outbox calls it while the request that sent the email
    /// waits, possibly with a pool's lock held. A mailer queues the email to a thread of
    /// its own.
    fn deliver(&self, email: Email, report: DeliveryReport);
}

/// What became of a message, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Kept in the outbox only: no mailer is configured, or it is an SMS.
    Outbox,
    /// The pool's custom sender trigger delivers it; its function received the code.
    CustomSender,
    /// Handed to the mailer, which has not reported yet.
    Pending,
    /// The mail server accepted it.
    Sent,
    /// The mailer could not deliver it, for the reason given (never the body or code).
    Failed(String),
}

impl Delivery {
    /// A stable name for the test API: `outbox`, `custom_sender`, `pending`, `sent` or
    /// `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Delivery::Outbox => "outbox",
            Delivery::CustomSender => "custom_sender",
            Delivery::Pending => "pending",
            Delivery::Sent => "sent",
            Delivery::Failed(_) => "failed",
        }
    }

    /// Why delivery failed, when it did.
    pub fn error(&self) -> Option<&str> {
        match self {
            Delivery::Failed(reason) => Some(reason),
            _ => None,
        }
    }
}

/// A kept message with what became of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sent {
    /// The message.
    pub message: Message,
    /// Its delivery.
    pub delivery: Delivery,
}

/// How a pool's messages leave, from its configuration: the sender of its emails and
/// whether custom sender triggers deliver its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolMail {
    /// `From`: `EmailConfiguration.From`, else the email address of the SES identity
    /// `EmailConfiguration.SourceArn` names, else [`DEFAULT_FROM`].
    pub from: String,
    /// `Reply-To`: `EmailConfiguration.ReplyToEmailAddress`.
    pub reply_to: Option<String>,
    /// Whether a `CustomEmailSender` trigger delivers the pool's emails.
    pub custom_email_sender: bool,
    /// Whether a `CustomSMSSender` trigger delivers the pool's SMS messages.
    pub custom_sms_sender: bool,
}

impl Default for PoolMail {
    fn default() -> Self {
        PoolMail {
            from: DEFAULT_FROM.to_owned(),
            reply_to: None,
            custom_email_sender: false,
            custom_sms_sender: false,
        }
    }
}

impl PoolMail {
    /// How the pool `config` describes sends its messages.
    pub fn of(config: &UserPoolType) -> Self {
        let email = config.email_configuration.as_ref();
        let lambda = config.lambda_config.as_ref();
        let named = |arn: Option<&str>| arn.is_some_and(|a| !a.is_empty());
        PoolMail {
            from: email
                .and_then(from_address)
                .unwrap_or_else(|| DEFAULT_FROM.to_owned()),
            reply_to: email
                .and_then(|e| e.reply_to_email_address.clone())
                .filter(|r| !r.is_empty()),
            custom_email_sender: named(
                lambda
                    .and_then(|l| l.custom_email_sender.as_ref())
                    .map(|c| c.lambda_arn.as_str()),
            ),
            custom_sms_sender: named(
                lambda
                    .and_then(|l| l.custom_sms_sender.as_ref())
                    .map(|c| c.lambda_arn.as_str()),
            ),
        }
    }

    /// What becomes of a message of `channel` before any mailer sees it: the custom
    /// sender's, or the outbox's only; `None` for an email a mailer may deliver.
    fn settled(&self, channel: Channel) -> Option<Delivery> {
        match channel {
            Channel::Email if self.custom_email_sender => Some(Delivery::CustomSender),
            Channel::Sms if self.custom_sms_sender => Some(Delivery::CustomSender),
            Channel::Sms => Some(Delivery::Outbox),
            Channel::Email => None,
        }
    }
}

/// The sender an `EmailConfiguration` names: `From`, else the address of the SES
/// identity of `SourceArn` (`arn:aws:ses:<region>:<account>:identity/<address>`), when
/// that identity is an address rather than a domain.
fn from_address(config: &EmailConfigurationType) -> Option<String> {
    if let Some(from) = config.from.as_deref().filter(|f| !f.is_empty()) {
        return Some(from.to_owned());
    }
    let identity = config.source_arn.as_deref()?.rsplit_once(":identity/")?.1;
    identity.contains('@').then(|| identity.to_owned())
}

/// How many messages the outbox keeps per pool unless told otherwise.
pub const DEFAULT_OUTBOX_LIMIT: usize = 10_000;

/// Messages kept in memory, oldest first, at most a limit per pool: when a pool's
/// messages reach it, its oldest is dropped for each new one.
pub struct Outbox {
    limit: usize,
    inner: Arc<RwLock<OutboxInner>>,
    mailer: RwLock<Option<Arc<dyn Mailer>>>,
}

#[derive(Default)]
struct OutboxInner {
    /// The number the next message gets: listing across pools keeps sending order, and
    /// a report finds its message by it. Never reset, so that a late report cannot
    /// reach a newer message.
    next: u64,
    by_pool: HashMap<String, VecDeque<Kept>>,
    /// Where copies are written, when they are kept beyond the process.
    log: Option<Arc<dyn KeptLog>>,
}

struct Kept {
    n: u64,
    message: Message,
    delivery: Delivery,
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox::with_limit(DEFAULT_OUTBOX_LIMIT)
    }
}

impl Outbox {
    /// An empty outbox keeping at most `limit` messages per pool (at least one).
    pub fn with_limit(limit: usize) -> Self {
        Outbox {
            limit: limit.max(1),
            inner: Arc::default(),
            mailer: RwLock::new(None),
        }
    }

    /// How many messages it keeps per pool.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Writes every copy kept from now on, and every change of a copy's delivery, to
    /// `log`.
    pub fn keep_in(&self, log: Arc<dyn KeptLog>) {
        self.inner.write().log = Some(log);
    }

    /// Keeps `sent` as number `n`, read back from a log: copies come in their order,
    /// and the oldest go past the limit.
    pub fn restore(&self, n: u64, sent: Sent) {
        let mut inner = self.inner.write();
        inner.next = inner.next.max(n.saturating_add(1));
        let queue = inner
            .by_pool
            .entry(sent.message.pool_id.clone())
            .or_default();
        if queue.len() >= self.limit {
            queue.pop_front();
        }
        queue.push_back(Kept {
            n,
            message: sent.message,
            delivery: sent.delivery,
        });
    }

    /// Hands every email sent from now on to `mailer` too.
    pub fn set_mailer(&self, mailer: Arc<dyn Mailer>) {
        *self.mailer.write() = Some(mailer);
    }

    /// The messages that `keep` accepts, oldest first.
    pub fn messages(&self, keep: impl Fn(&Message) -> bool) -> Vec<Message> {
        self.sent(keep).into_iter().map(|s| s.message).collect()
    }

    /// The messages that `keep` accepts with their delivery, oldest first.
    pub fn sent(&self, keep: impl Fn(&Message) -> bool) -> Vec<Sent> {
        let inner = self.inner.read();
        let mut found: Vec<&Kept> = inner
            .by_pool
            .values()
            .flatten()
            .filter(|k| keep(&k.message))
            .collect();
        found.sort_by_key(|k| k.n);
        found.into_iter().map(Kept::to_sent).collect()
    }

    /// Up to `limit` of the messages that `keep` accepts, oldest first, starting after
    /// the one numbered `after`: one page of [`Outbox::sent`], holding only its own
    /// messages.
    pub fn sent_page(
        &self,
        keep: impl Fn(&Message) -> bool,
        after: Option<u64>,
        limit: usize,
    ) -> Page<Sent> {
        let inner = self.inner.read();
        let (found, next) = page(
            inner.by_pool.values(),
            |k| k.n,
            after,
            limit,
            |k| keep(&k.message),
        );
        Page {
            items: found.into_iter().map(Kept::to_sent).collect(),
            next,
        }
    }

    /// The messages of pool `pool_id` that `keep` accepts, oldest first.
    pub fn messages_of(&self, pool_id: &str, keep: impl Fn(&Message) -> bool) -> Vec<Message> {
        self.inner
            .read()
            .by_pool
            .get(pool_id)
            .into_iter()
            .flatten()
            .filter(|k| keep(&k.message))
            .map(|k| k.message.clone())
            .collect()
    }

    /// Forgets the messages of a deleted pool.
    pub fn forget_pool(&self, pool_id: &str) {
        self.inner.write().by_pool.remove(pool_id);
    }

    /// Forgets every message.
    pub fn clear(&self) {
        self.inner.write().by_pool.clear();
    }
}

/// One page of a listing in sending (or recording) order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The page's items, oldest first.
    pub items: Vec<T>,
    /// Where the next page starts (after this number), when there is one.
    pub next: Option<u64>,
}

/// Up to `limit` items numbered after `after` that `keep` accepts, in number order, from
/// `queues` each in number order; and the number of the last, when more follow. Only
/// the queues' heads past `after` are visited, one at a time, in a merge.
pub(crate) fn page<'a, T: 'a>(
    queues: impl Iterator<Item = &'a VecDeque<T>>,
    number: impl Fn(&T) -> u64,
    after: Option<u64>,
    limit: usize,
    keep: impl Fn(&T) -> bool,
) -> (Vec<&'a T>, Option<u64>) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let queues: Vec<&VecDeque<T>> = queues.collect();
    let mut heads = BinaryHeap::new();
    for (q, queue) in queues.iter().enumerate() {
        let start = after.map_or(0, |a| queue.partition_point(|t| number(t) <= a));
        if let Some(t) = queue.get(start) {
            heads.push(Reverse((number(t), q, start)));
        }
    }
    let mut found: Vec<&'a T> = Vec::new();
    while let Some(Reverse((_, q, i))) = heads.pop() {
        let Some(&queue) = queues.get(q) else {
            continue;
        };
        if let Some(next) = queue.get(i + 1) {
            heads.push(Reverse((number(next), q, i + 1)));
        }
        let Some(t) = queue.get(i) else {
            continue;
        };
        if !keep(t) {
            continue;
        }
        if found.len() == limit {
            // One more matches: the page ends at its last item.
            let last = found.last().map(|t| number(*t));
            return (found, last);
        }
        found.push(t);
    }
    (found, None)
}

impl Kept {
    fn to_sent(&self) -> Sent {
        Sent {
            message: self.message.clone(),
            delivery: self.delivery.clone(),
        }
    }
}

impl Outbox {
    /// Keeps `message`, sent as its pool's `mail` says, then hands it to the mailer when
    /// it is an email for one.
    pub fn send(&self, message: Message, mail: &PoolMail) {
        let mailer = self.mailer.read().clone();
        let (n, email, mark) = {
            let mut inner = self.inner.write();
            let (delivery, email) = match (mail.settled(message.channel), &mailer) {
                (Some(settled), _) => (settled, None),
                (None, None) => (Delivery::Outbox, None),
                (None, Some(_)) => (Delivery::Pending, Some(email_of(&message, mail))),
            };
            let n = inner.next;
            inner.next += 1;
            let limit = self.limit;
            let log = inner.log.clone();
            let queue = inner.by_pool.entry(message.pool_id.clone()).or_default();
            let dropped = if queue.len() >= limit {
                queue.pop_front().map(|k| k.n)
            } else {
                None
            };
            let pool_id = message.pool_id.clone();
            let kept = Kept {
                n,
                message,
                delivery,
            };
            let mark = log.map(|log| {
                let mark = log.kept(n, &kept.to_sent(), dropped);
                (log, mark)
            });
            queue.push_back(kept);
            ((pool_id, n), email, mark)
        };
        if let Some((log, mark)) = mark {
            log.wait(mark);
        }
        // The copy is kept and the lock released: the mailer may report at once.
        if let (Some(mailer), Some(email)) = (mailer, email) {
            let (pool_id, n) = n;
            mailer.deliver(
                email,
                DeliveryReport {
                    outbox: Arc::downgrade(&self.inner),
                    pool_id,
                    n,
                },
            );
        }
    }
}

fn email_of(message: &Message, mail: &PoolMail) -> Email {
    Email {
        from: mail.from.clone(),
        reply_to: mail.reply_to.clone(),
        to: message.destination.clone(),
        subject: message.subject.clone().unwrap_or_default(),
        body: message.body.clone(),
    }
}

/// Where a mailer reports what became of one email: the outbox's copy records it. A
/// copy dropped meanwhile (the pool deleted, the outbox cleared or past its limit)
/// records nothing.
#[derive(Debug)]
pub struct DeliveryReport {
    outbox: Weak<RwLock<OutboxInner>>,
    pool_id: String,
    n: u64,
}

impl DeliveryReport {
    /// The mail server accepted the email.
    pub fn sent(self) {
        self.record(Delivery::Sent);
    }

    /// The email could not be delivered, for `reason` (which must hold neither the body
    /// nor the code).
    pub fn failed(self, reason: impl Into<String>) {
        self.record(Delivery::Failed(reason.into()));
    }

    fn record(self, delivery: Delivery) {
        let Some(outbox) = self.outbox.upgrade() else {
            return;
        };
        let mut inner = outbox.write();
        let inner = &mut *inner;
        let Some(queue) = inner.by_pool.get_mut(&self.pool_id) else {
            return;
        };
        // Numbers grow along a pool's queue.
        if let Ok(i) = queue.binary_search_by_key(&self.n, |k| k.n) {
            if let Some(kept) = queue.get_mut(i) {
                kept.delivery = delivery;
                if let Some(log) = &inner.log {
                    log.delivered(self.n, &kept.to_sent());
                }
            }
        }
    }
}

/// Fills `{username}` and `{####}` in a template.
pub(crate) fn render(template: &str, username: &str, code: &str) -> String {
    template
        .replace("{username}", username)
        .replace("{####}", code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_model::shapes::{
        CustomEmailLambdaVersionConfigType, CustomEmailSenderLambdaVersionType, LambdaConfigType,
    };
    use parking_lot::Mutex;

    fn message(pool: &str, n: i64) -> Message {
        Message {
            pool_id: pool.into(),
            username: format!("user{n}"),
            channel: Channel::Email,
            destination: "a@example.com".into(),
            subject: Some("Your verification code".into()),
            body: Secret::new(format!("Your verification code is {n}")),
            kind: MessageKind::SignUpCode,
            code: None,
            sent_at: Timestamp::from_secs(n),
        }
    }

    #[test]
    fn each_pool_keeps_its_newest_messages_and_listing_keeps_sending_order() {
        let outbox = Outbox::with_limit(3);
        for n in 0..5 {
            outbox.send(message("a", n), &PoolMail::default());
            outbox.send(message("b", n), &PoolMail::default());
        }
        let names = |ms: Vec<Message>| -> Vec<String> {
            ms.into_iter()
                .map(|m| format!("{}:{}", m.pool_id, m.username))
                .collect()
        };
        assert_eq!(
            names(outbox.messages_of("a", |_| true)),
            ["a:user2", "a:user3", "a:user4"]
        );
        assert_eq!(
            names(outbox.messages(|_| true)),
            ["a:user2", "b:user2", "a:user3", "b:user3", "a:user4", "b:user4"]
        );
        outbox.forget_pool("a");
        assert_eq!(outbox.messages(|_| true).len(), 3);
    }

    #[test]
    fn pages_follow_sending_order_across_pools_and_filters() {
        let outbox = Outbox::with_limit(10);
        for n in 0..5 {
            outbox.send(message("a", n), &PoolMail::default());
            outbox.send(message("b", n), &PoolMail::default());
        }
        let names = |p: &Page<Sent>| -> Vec<String> {
            p.items
                .iter()
                .map(|s| format!("{}:{}", s.message.pool_id, s.message.username))
                .collect()
        };
        let first = outbox.sent_page(|_| true, None, 3);
        assert_eq!(names(&first), ["a:user0", "b:user0", "a:user1"]);
        let second = outbox.sent_page(|_| true, first.next, 3);
        assert_eq!(names(&second), ["b:user1", "a:user2", "b:user2"]);
        let rest = outbox.sent_page(|_| true, second.next, 10);
        assert_eq!(rest.items.len(), 4);
        assert_eq!(rest.next, None);
        // A page that ends on the last match has no next one.
        let only_b = |m: &Message| m.pool_id == "b";
        let page = outbox.sent_page(only_b, None, 4);
        assert_eq!(names(&page), ["b:user0", "b:user1", "b:user2", "b:user3"]);
        let last = outbox.sent_page(only_b, page.next, 1);
        assert_eq!(names(&last), ["b:user4"]);
        assert_eq!(last.next, None);
        assert_eq!(outbox.sent_page(only_b, None, 5).next, None);
        assert!(outbox
            .sent_page(|_| true, Some(u64::MAX), 5)
            .items
            .is_empty());
    }

    /// A mailer that keeps what it is handed, to report on when the test says.
    #[derive(Default)]
    struct Held(Mutex<Vec<(Email, DeliveryReport)>>);

    impl Mailer for Held {
        fn deliver(&self, email: Email, report: DeliveryReport) {
            self.0.lock().push((email, report));
        }
    }

    impl Held {
        fn take(&self) -> Vec<(Email, DeliveryReport)> {
            std::mem::take(&mut *self.0.lock())
        }
    }

    fn deliveries(outbox: &Outbox) -> Vec<Delivery> {
        outbox
            .sent(|_| true)
            .into_iter()
            .map(|s| s.delivery)
            .collect()
    }

    #[test]
    fn without_a_mailer_messages_stay_in_the_outbox() {
        let outbox = Outbox::default();
        outbox.send(message("a", 1), &PoolMail::default());
        assert_eq!(deliveries(&outbox), [Delivery::Outbox]);
    }

    #[test]
    fn emails_go_to_the_mailer_after_their_copy_is_kept_and_reports_land_on_it() {
        let outbox = Outbox::default();
        let mailer = Arc::new(Held::default());
        outbox.set_mailer(mailer.clone());
        outbox.send(message("a", 1), &PoolMail::default());
        outbox.send(message("a", 2), &PoolMail::default());
        outbox.send(
            Message {
                channel: Channel::Sms,
                destination: "+14155550100".into(),
                subject: None,
                ..message("a", 3)
            },
            &PoolMail::default(),
        );
        assert_eq!(
            deliveries(&outbox),
            [Delivery::Pending, Delivery::Pending, Delivery::Outbox]
        );
        let mut handed = mailer.take();
        assert_eq!(handed.len(), 2, "SMS messages are not mailed");
        let (second, second_report) = handed.remove(1);
        let (first, first_report) = handed.remove(0);
        assert_eq!(first.from, DEFAULT_FROM);
        assert_eq!(first.to, "a@example.com");
        assert_eq!(first.subject, "Your verification code");
        assert_eq!(first.body.expose(), "Your verification code is 1");
        assert_eq!(second.body.expose(), "Your verification code is 2");
        second_report.failed("connection refused");
        first_report.sent();
        assert_eq!(
            deliveries(&outbox),
            [
                Delivery::Sent,
                Delivery::Failed("connection refused".into()),
                Delivery::Outbox
            ]
        );
    }

    #[test]
    fn a_report_on_a_dropped_copy_changes_nothing() {
        let outbox = Outbox::with_limit(1);
        let mailer = Arc::new(Held::default());
        outbox.set_mailer(mailer.clone());
        outbox.send(message("a", 1), &PoolMail::default());
        let (_, report) = mailer.take().remove(0);
        outbox.clear();
        outbox.send(message("a", 2), &PoolMail::default());
        report.sent();
        assert_eq!(deliveries(&outbox), [Delivery::Pending]);
    }

    #[test]
    fn the_pool_names_the_sender_and_custom_senders_keep_messages_from_the_mailer() {
        let pool = |email: EmailConfigurationType, custom: bool| UserPoolType {
            id: Some("a".into()),
            email_configuration: Some(email),
            lambda_config: custom.then(|| LambdaConfigType {
                custom_email_sender: Some(CustomEmailLambdaVersionConfigType {
                    lambda_arn: "arn:aws:lambda:us-east-1:123456789012:function:send".into(),
                    lambda_version: CustomEmailSenderLambdaVersionType::V10,
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let cases = [
            (EmailConfigurationType::default(), DEFAULT_FROM),
            (
                EmailConfigurationType {
                    from: Some("Example <hello@example.com>".into()),
                    source_arn: Some(
                        "arn:aws:ses:us-east-1:123456789012:identity/other@example.com".into(),
                    ),
                    ..Default::default()
                },
                "Example <hello@example.com>",
            ),
            (
                EmailConfigurationType {
                    source_arn: Some(
                        "arn:aws:ses:us-east-1:123456789012:identity/other@example.com".into(),
                    ),
                    ..Default::default()
                },
                "other@example.com",
            ),
            (
                EmailConfigurationType {
                    source_arn: Some(
                        "arn:aws:ses:us-east-1:123456789012:identity/example.com".into(),
                    ),
                    ..Default::default()
                },
                DEFAULT_FROM,
            ),
        ];
        for (email, from) in cases {
            assert_eq!(PoolMail::of(&pool(email, false)).from, from);
        }

        let outbox = Outbox::default();
        let mailer = Arc::new(Held::default());
        outbox.set_mailer(mailer.clone());
        let replying = PoolMail::of(&pool(
            EmailConfigurationType {
                reply_to_email_address: Some("help@example.com".into()),
                ..Default::default()
            },
            false,
        ));
        outbox.send(message("a", 1), &replying);
        let handed = mailer.take();
        assert_eq!(handed[0].0.reply_to.as_deref(), Some("help@example.com"));

        let custom = PoolMail::of(&pool(EmailConfigurationType::default(), true));
        outbox.send(message("a", 2), &custom);
        assert!(mailer.take().is_empty());
        assert_eq!(
            deliveries(&outbox),
            [Delivery::Pending, Delivery::CustomSender]
        );
    }
}
