//! The outbox: every email and SMS message Cognito would send, kept so tests can read
//! them (confirmation codes, invitations, password reset codes).
//!
//! Delivery is a side effect, so it sits behind [`MessageSink`]; [`Outbox`] is the
//! in-memory sink the server uses.

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

/// Messages kept in memory, oldest first.
#[derive(Default)]
pub struct Outbox {
    messages: RwLock<Vec<Message>>,
}

impl Outbox {
    /// The messages that `keep` accepts, oldest first.
    pub fn messages(&self, keep: impl Fn(&Message) -> bool) -> Vec<Message> {
        self.messages
            .read()
            .iter()
            .filter(|m| keep(m))
            .cloned()
            .collect()
    }

    /// Forgets every message.
    pub fn clear(&self) {
        self.messages.write().clear();
    }
}

impl MessageSink for Outbox {
    fn send(&self, message: Message) {
        self.messages.write().push(message);
    }
}

/// Fills `{username}` and `{####}` in a template.
pub(crate) fn render(template: &str, username: &str, code: &str) -> String {
    template
        .replace("{username}", username)
        .replace("{####}", code)
}
