//! The outbox: every email and SMS message Cognito would send, kept so tests can read
//! them (confirmation codes, invitations, password reset codes).
//!
//! Delivery is a side effect, so it sits behind [`MessageSink`]; [`Outbox`] is the
//! in-memory sink the server uses.

use std::collections::{HashMap, VecDeque};

use cognito_crypto::Secret;
use cognito_model::Timestamp;
use parking_lot::RwLock;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
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
    pub body: Secret<String>,
    /// Why it was sent.
    pub kind: MessageKind,
    /// The code or temporary password it carries.
    pub code: Option<Secret<String>>,
    /// When it was sent.
    pub sent_at: Timestamp,
}

/// Where messages go.
pub trait MessageSink: Send + Sync {
    /// Delivers `message`.
    fn send(&self, message: Message);
}

/// How many messages the outbox keeps per pool unless told otherwise.
pub const DEFAULT_OUTBOX_LIMIT: usize = 10_000;

/// Messages kept in memory, oldest first, at most a limit per pool: when a pool's
/// messages reach it, its oldest is dropped for each new one.
pub struct Outbox {
    limit: usize,
    inner: RwLock<OutboxInner>,
}

#[derive(Default)]
struct OutboxInner {
    /// The number the next message gets: listing across pools keeps sending order.
    next: u64,
    by_pool: HashMap<String, VecDeque<(u64, Message)>>,
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
            inner: RwLock::default(),
        }
    }

    /// How many messages it keeps per pool.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The messages that `keep` accepts, oldest first.
    pub fn messages(&self, keep: impl Fn(&Message) -> bool) -> Vec<Message> {
        let inner = self.inner.read();
        let mut found: Vec<&(u64, Message)> = inner
            .by_pool
            .values()
            .flatten()
            .filter(|(_, m)| keep(m))
            .collect();
        found.sort_by_key(|(n, _)| *n);
        found.into_iter().map(|(_, m)| m.clone()).collect()
    }

    /// The messages of pool `pool_id` that `keep` accepts, oldest first.
    pub fn messages_of(&self, pool_id: &str, keep: impl Fn(&Message) -> bool) -> Vec<Message> {
        self.inner
            .read()
            .by_pool
            .get(pool_id)
            .into_iter()
            .flatten()
            .filter(|(_, m)| keep(m))
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Forgets the messages of a deleted pool.
    pub fn forget_pool(&self, pool_id: &str) {
        self.inner.write().by_pool.remove(pool_id);
    }

    /// Forgets every message.
    pub fn clear(&self) {
        *self.inner.write() = OutboxInner::default();
    }
}

impl MessageSink for Outbox {
    fn send(&self, message: Message) {
        let mut inner = self.inner.write();
        let n = inner.next;
        inner.next += 1;
        let queue = inner.by_pool.entry(message.pool_id.clone()).or_default();
        if queue.len() >= self.limit {
            queue.pop_front();
        }
        queue.push_back((n, message));
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

    fn message(pool: &str, n: i64) -> Message {
        Message {
            pool_id: pool.into(),
            username: format!("user{n}"),
            channel: Channel::Email,
            destination: "a@example.com".into(),
            subject: None,
            body: Secret::new(String::new()),
            kind: MessageKind::SignUpCode,
            code: None,
            sent_at: Timestamp::from_secs(n),
        }
    }

    #[test]
    fn each_pool_keeps_its_newest_messages_and_listing_keeps_sending_order() {
        let outbox = Outbox::with_limit(3);
        for n in 0..5 {
            outbox.send(message("a", n));
            outbox.send(message("b", n));
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
}
