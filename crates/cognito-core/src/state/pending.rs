//! Sign-ins waiting for the client's next answer, by their opaque `Session` string.
//!
//! A session answers once: taken, it is remembered as used until it would have expired,
//! so that a second answer hears "can only be used once" rather than "expired". Every
//! session is indexed by user (to end a deleted user's sign-ins) and, for SRP, by its
//! secret block (clients may answer with the block and no session). Expired sessions
//! are pruned a few at a time by the requests that open new ones, in expiry order:
//! never by a scan.

use std::collections::{BTreeSet, HashMap};

use cognito_crypto::srp::ServerSession;
use cognito_crypto::Secret;
use cognito_model::shapes::ChallengeNameType;
use cognito_model::{CognitoError, Timestamp};

use crate::errors::not_authorized;
use crate::state::sign_in::{CustomChallenge, SignIn};

/// How many expired sessions one new session prunes at most.
const PRUNE_BATCH: usize = 16;

/// The sign-ins of one pool waiting for an answer.
#[derive(Debug, Clone, Default)]
pub struct PendingSignIns {
    open: HashMap<String, (Challenge, Timestamp)>,
    /// Sessions answered, until they would have expired.
    used: HashMap<String, Timestamp>,
    /// `SECRET_BLOCK` of an SRP challenge → its session.
    by_block: HashMap<String, String>,
    /// User key → its open sessions.
    by_user: HashMap<String, BTreeSet<String>>,
    /// Every session, open or used, by expiry.
    expiry: BTreeSet<(Timestamp, String)>,
}

impl PendingSignIns {
    /// How many sessions are kept, open or used.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.open.len() + self.used.len()
    }

    /// Opens `session`, waiting on `challenge` until `expires`.
    pub(crate) fn insert(
        &mut self,
        session: String,
        challenge: Challenge,
        expires: Timestamp,
        now: Timestamp,
    ) {
        self.prune(now);
        if let Some(block) = challenge.secret_block() {
            self.by_block.insert(block.to_string(), session.clone());
        }
        if let Some(user) = challenge.user_key() {
            self.by_user
                .entry(user.to_string())
                .or_default()
                .insert(session.clone());
        }
        self.expiry.insert((expires, session.clone()));
        self.open.insert(session, (challenge, expires));
    }

    /// The session an SRP challenge's secret block belongs to.
    pub(crate) fn session_of_block(&self, block: &str) -> Option<&String> {
        self.by_block.get(block)
    }

    /// The open `DEVICE_SRP_AUTH` session of `user_key`'s device `device_key`: clients
    /// may answer it with no session.
    pub(crate) fn session_of_device(&self, user_key: &str, device_key: &str) -> Option<&String> {
        self.by_user.get(user_key)?.iter().find(|session| {
            matches!(
                self.open.get(*session),
                Some((Challenge::DeviceSrp { sign_in }, _))
                    if sign_in.device_key.as_deref() == Some(device_key)
            )
        })
    }

    /// The challenge `session` waits on at `now`, left open.
    pub(crate) fn peek(&self, session: &str, now: Timestamp) -> Option<&Challenge> {
        self.open
            .get(session)
            .filter(|(_, expires)| *expires > now)
            .map(|(challenge, _)| challenge)
    }

    /// The challenge `session` waits on, which only one answer gets.
    pub(crate) fn take(
        &mut self,
        session: &str,
        now: Timestamp,
    ) -> Result<(Challenge, Timestamp), CognitoError> {
        match self.close(session) {
            Some((challenge, expires)) if expires > now => {
                self.used.insert(session.to_string(), expires);
                Ok((challenge, expires))
            }
            Some(_) => Err(expired()),
            None if self.used.get(session).is_some_and(|e| *e > now) => Err(not_authorized(
                "Invalid session for the user, session can only be used once.",
            )),
            None => Err(expired()),
        }
    }

    /// Opens `session` again, waiting on `challenge` until `expires` as before: a wrong
    /// MFA code may be answered again in the same session.
    pub(crate) fn restore(&mut self, session: String, challenge: Challenge, expires: Timestamp) {
        self.used.remove(&session);
        if let Some(user) = challenge.user_key() {
            self.by_user
                .entry(user.to_string())
                .or_default()
                .insert(session.clone());
        }
        self.open.insert(session, (challenge, expires));
    }

    /// Ends every sign-in of a deleted user: its sessions answer as expired ones do.
    pub(crate) fn forget_user(&mut self, user_key: &str) {
        for session in self.by_user.remove(user_key).unwrap_or_default() {
            self.close(&session);
        }
    }

    /// Removes the open `session` and its index entries (not its expiry entry, which
    /// pruning meets later).
    fn close(&mut self, session: &str) -> Option<(Challenge, Timestamp)> {
        let (challenge, expires) = self.open.remove(session)?;
        if let Some(block) = challenge.secret_block() {
            self.by_block.remove(block);
        }
        if let Some(user) = challenge.user_key() {
            if let Some(sessions) = self.by_user.get_mut(user) {
                sessions.remove(session);
                if sessions.is_empty() {
                    self.by_user.remove(user);
                }
            }
        }
        Some((challenge, expires))
    }

    /// Forgets up to [`PRUNE_BATCH`] sessions that expired before `now`.
    fn prune(&mut self, now: Timestamp) {
        for _ in 0..PRUNE_BATCH {
            match self.expiry.first() {
                Some((at, _)) if *at <= now => {}
                _ => return,
            }
            let Some((_, session)) = self.expiry.pop_first() else {
                return;
            };
            self.close(&session);
            self.used.remove(&session);
        }
    }
}

fn expired() -> CognitoError {
    not_authorized("Invalid session for the user, session is expired.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_secs(secs)
    }

    fn waiting(user: &str) -> Challenge {
        Challenge::NewPasswordRequired {
            sign_in: SignIn {
                user_key: user.into(),
                client_id: "client".into(),
                device_key: None,
                methods: Default::default(),
                event_id: None,
                device_proven: false,
                new_password: false,
                custom: None,
                hosted: false,
            },
        }
    }

    #[test]
    fn a_session_answers_once_then_expires() {
        let mut pending = PendingSignIns::default();
        pending.insert("s1".into(), waiting("ann"), t(180), t(0));
        assert!(pending.take("s1", t(10)).is_ok());
        let again = pending.take("s1", t(20)).unwrap_err();
        assert_eq!(
            again.message,
            "Invalid session for the user, session can only be used once."
        );
        let later = pending.take("s1", t(180)).unwrap_err();
        assert_eq!(
            later.message,
            "Invalid session for the user, session is expired."
        );
        pending.insert("s2".into(), waiting("ann"), t(180), t(0));
        assert_eq!(
            pending.take("s2", t(180)).unwrap_err().message,
            "Invalid session for the user, session is expired."
        );
    }

    #[test]
    fn expired_and_used_sessions_are_pruned_as_new_ones_open() {
        let mut pending = PendingSignIns::default();
        for i in 0..40 {
            pending.insert(format!("s{i}"), waiting("ann"), t(180), t(0));
        }
        for i in 0..20 {
            pending.take(&format!("s{i}"), t(1)).unwrap();
        }
        assert_eq!(pending.len(), 40);
        // Each new session prunes a batch of the expired ones.
        pending.insert("late1".into(), waiting("bob"), t(400), t(200));
        assert_eq!(pending.len(), 40 - PRUNE_BATCH + 1);
        pending.insert("late2".into(), waiting("bob"), t(400), t(200));
        pending.insert("late3".into(), waiting("bob"), t(400), t(200));
        assert_eq!(pending.len(), 3);
        assert!(!pending.by_user.contains_key("ann"));
    }

    #[test]
    fn a_deleted_users_sessions_end() {
        let mut pending = PendingSignIns::default();
        pending.insert("s1".into(), waiting("ann"), t(180), t(0));
        pending.insert("s2".into(), waiting("bob"), t(180), t(0));
        pending.forget_user("ann");
        assert_eq!(
            pending.take("s1", t(1)).unwrap_err().message,
            "Invalid session for the user, session is expired."
        );
        assert!(pending.take("s2", t(1)).is_ok());
    }
}

/// A sign-in waiting for the client's next answer: the states of the machine.
#[derive(Debug, Clone)]
pub(crate) enum Challenge {
    /// `CUSTOM_CHALLENGE`: a challenge the pool's functions made (`CUSTOM_AUTH`).
    Custom(Box<CustomChallenge>),
    /// `PASSWORD_VERIFIER`: the server's half of SRP.
    PasswordVerifier {
        sign_in: SignIn,
        server: ServerSession,
        secret_block: String,
        user_id_for_srp: String,
    },
    /// `NEW_PASSWORD_REQUIRED`: the user signed in with a temporary password.
    NewPasswordRequired { sign_in: SignIn },
    /// A simulated `PASSWORD_VERIFIER` for a username that does not exist, through a
    /// client that prevents user existence errors: any answer is wrong.
    UnknownUser {
        key: String,
        client_id: String,
        secret_block: String,
    },
    /// `SMS_MFA` or `EMAIL_OTP` as a second factor, or `SMS_OTP` or `EMAIL_OTP` as the
    /// first (`passwordless`): a code was sent; `wrong` answers so far.
    Code {
        sign_in: SignIn,
        factor: MfaFactor,
        passwordless: bool,
        code: Secret<String>,
        wrong: u8,
    },
    /// `SOFTWARE_TOKEN_MFA`: a code of the user's authenticator; `wrong` answers so far.
    SoftwareToken { sign_in: SignIn, wrong: u8 },
    /// `SELECT_MFA_TYPE`: the user picks one of the factors it has.
    SelectMfaType {
        sign_in: SignIn,
        choices: Vec<MfaFactor>,
    },
    /// `MFA_SETUP`: the pool requires MFA and the user has no factor; `ready` once a
    /// software token was verified with this session.
    MfaSetup { sign_in: SignIn, ready: bool },
    /// `SELECT_CHALLENGE` of `USER_AUTH`: the user picks its first factor among
    /// `available`; `sign_in` is `None` for a username that does not exist, through a
    /// client that hides it.
    SelectFirstFactor {
        client_id: String,
        sign_in: Option<SignIn>,
        available: Vec<ChallengeNameType>,
    },
    /// `WEB_AUTHN`: a passkey's assertion of `challenge`, for the relying party `rp_id`.
    WebAuthn {
        sign_in: SignIn,
        challenge: Vec<u8>,
        rp_id: String,
        require_user_verification: bool,
    },
    /// Not a challenge: a sign-up (`confirmed: false`) or its confirmation (`true`),
    /// whose session signs the user in with `USER_AUTH` at once. No
    /// `RespondToAuthChallenge` answers it.
    SignedUp { sign_in: SignIn, confirmed: bool },
    /// `DEVICE_SRP_AUTH`: the sign-in named a remembered device, which proves itself.
    DeviceSrp { sign_in: SignIn },
    /// `DEVICE_PASSWORD_VERIFIER`: the server's half of the device's SRP.
    DevicePasswordVerifier {
        sign_in: SignIn,
        server: ServerSession,
        secret_block: String,
    },
}

/// A second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaFactor {
    /// A code by SMS (`SMS_MFA`).
    Sms,
    /// A code of an authenticator app (`SOFTWARE_TOKEN_MFA`).
    SoftwareToken,
    /// A code by email (`EMAIL_OTP`).
    Email,
}

impl MfaFactor {
    /// The factor's challenge.
    pub(crate) fn challenge(self) -> ChallengeNameType {
        match self {
            MfaFactor::Sms => ChallengeNameType::SmsMfa,
            MfaFactor::SoftwareToken => ChallengeNameType::SoftwareTokenMfa,
            MfaFactor::Email => ChallengeNameType::EmailOtp,
        }
    }

    /// The factor's challenge as a first factor of `USER_AUTH`, for SMS and email codes.
    pub(crate) fn first_factor_challenge(self) -> ChallengeNameType {
        match self {
            MfaFactor::Sms => ChallengeNameType::SmsOtp,
            MfaFactor::Email => ChallengeNameType::EmailOtp,
            MfaFactor::SoftwareToken => ChallengeNameType::SoftwareTokenMfa,
        }
    }

    /// The factor a `SELECT_MFA_TYPE` answer or an MFA setting names.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "SMS_MFA" => Some(MfaFactor::Sms),
            "SOFTWARE_TOKEN_MFA" => Some(MfaFactor::SoftwareToken),
            "EMAIL_OTP" => Some(MfaFactor::Email),
            _ => None,
        }
    }
}

impl Challenge {
    pub(crate) fn name(&self) -> ChallengeNameType {
        match self {
            Challenge::PasswordVerifier { .. } | Challenge::UnknownUser { .. } => {
                ChallengeNameType::PasswordVerifier
            }
            Challenge::NewPasswordRequired { .. } => ChallengeNameType::NewPasswordRequired,
            Challenge::Custom(_) => ChallengeNameType::CustomChallenge,
            Challenge::Code {
                factor,
                passwordless: true,
                ..
            } => factor.first_factor_challenge(),
            Challenge::Code { factor, .. } => factor.challenge(),
            Challenge::SelectFirstFactor { .. } => ChallengeNameType::SelectChallenge,
            Challenge::WebAuthn { .. } => ChallengeNameType::WebAuthn,
            // Answered by `InitiateAuth`, never by `RespondToAuthChallenge`: a name no
            // answer that reaches this state can give.
            Challenge::SignedUp { .. } => ChallengeNameType::AdminNoSrpAuth,
            Challenge::SoftwareToken { .. } => ChallengeNameType::SoftwareTokenMfa,
            Challenge::SelectMfaType { .. } => ChallengeNameType::SelectMfaType,
            Challenge::MfaSetup { .. } => ChallengeNameType::MfaSetup,
            Challenge::DeviceSrp { .. } => ChallengeNameType::DeviceSrpAuth,
            Challenge::DevicePasswordVerifier { .. } => ChallengeNameType::DevicePasswordVerifier,
        }
    }

    /// The sign-in of a user that exists.
    pub(crate) fn sign_in(&self) -> Option<&SignIn> {
        match self {
            Challenge::Custom(c) => Some(&c.flow.sign_in),
            Challenge::PasswordVerifier { sign_in, .. }
            | Challenge::NewPasswordRequired { sign_in }
            | Challenge::Code { sign_in, .. }
            | Challenge::SoftwareToken { sign_in, .. }
            | Challenge::SelectMfaType { sign_in, .. }
            | Challenge::MfaSetup { sign_in, .. }
            | Challenge::DeviceSrp { sign_in }
            | Challenge::DevicePasswordVerifier { sign_in, .. }
            | Challenge::WebAuthn { sign_in, .. }
            | Challenge::SignedUp { sign_in, .. } => Some(sign_in),
            Challenge::SelectFirstFactor { sign_in, .. } => sign_in.as_ref(),
            Challenge::UnknownUser { .. } => None,
        }
    }

    pub(crate) fn client_id(&self) -> &str {
        match self {
            Challenge::UnknownUser { client_id, .. }
            | Challenge::SelectFirstFactor { client_id, .. } => client_id,
            other => other.sign_in().map_or("", |s| &s.client_id),
        }
    }

    /// The user signing in, if it exists.
    pub(crate) fn user_key(&self) -> Option<&str> {
        self.sign_in().map(|s| s.user_key.as_str())
    }

    /// The secret block an SRP answer names the session by.
    pub(crate) fn secret_block(&self) -> Option<&str> {
        match self {
            Challenge::PasswordVerifier { secret_block, .. }
            | Challenge::UnknownUser { secret_block, .. }
            | Challenge::DevicePasswordVerifier { secret_block, .. } => Some(secret_block),
            _ => None,
        }
    }
}
