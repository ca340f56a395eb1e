//! What a sign-in has established so far, carried from one challenge to the next and,
//! once it ends in tokens, kept with its refresh grant.

/// The methods a user proved in one sign-in: the tokens' `amr` claim (RFC 8176 values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Methods(u8);

impl Methods {
    /// A password, sent in the clear or proven by SRP.
    pub const PASSWORD: Methods = Methods(1);
    /// A code sent by SMS.
    pub const SMS: Methods = Methods(1 << 1);
    /// A one-time password: an authenticator app's code, or a code sent by email.
    pub const OTP: Methods = Methods(1 << 2);
    /// A passkey: proof of possession of a key its authenticator keeps.
    pub const PASSKEY: Methods = Methods(1 << 3);
    /// The passkey's authenticator verified the user (a PIN, a fingerprint).
    pub const USER_VERIFIED: Methods = Methods(1 << 4);

    /// Both sets of methods.
    #[must_use]
    pub fn with(self, other: Methods) -> Methods {
        Methods(self.0 | other.0)
    }

    fn has(self, other: Methods) -> bool {
        self.0 & other.0 == other.0
    }

    /// The `amr` claim's values: `pwd`, `sms`, `otp`, `hwk` (a passkey) and `user` (its
    /// user verification), and `mfa` when there are several.
    pub fn amr(self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.has(Methods::PASSWORD) {
            out.push("pwd");
        }
        if self.has(Methods::SMS) {
            out.push("sms");
        }
        if self.has(Methods::OTP) {
            out.push("otp");
        }
        if self.has(Methods::PASSKEY) {
            out.push("hwk");
        }
        if self.has(Methods::USER_VERIFIED) {
            out.push("user");
        }
        if out.len() > 1 {
            out.push("mfa");
        }
        out
    }
}

/// One sign-in in progress, past its first factor.
#[derive(Debug, Clone)]
pub(crate) struct SignIn {
    /// The user signing in.
    pub(crate) user_key: String,
    /// The app client it signs in through.
    pub(crate) client_id: String,
    /// The device the client named (`DEVICE_KEY`), when it is one of the user's.
    pub(crate) device_key: Option<String>,
    /// What the user proved so far.
    pub(crate) methods: Methods,
    /// The sign-in's auth event, which records each challenge's result.
    pub(crate) event_id: Option<String>,
    /// Whether the device proved itself (device SRP).
    pub(crate) device_proven: bool,
    /// Whether the user chose a new password (`NEW_PASSWORD_REQUIRED`).
    pub(crate) new_password: bool,
    /// The answers so far of a custom sign-in (`CUSTOM_AUTH`) that proves a password
    /// by SRP on its way.
    pub(crate) custom: Option<Vec<ChallengeResult>>,
    /// Whether the managed login pages run the sign-in: it ends in a signed-in browser
    /// (and an authorization code), not in tokens.
    pub(crate) hosted: bool,
}

/// One answer of a custom sign-in, as its functions see it in `session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChallengeResult {
    /// `SRP_A`, `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub(crate) name: &'static str,
    /// Whether the answer was right.
    pub(crate) result: bool,
    /// The `challengeMetadata` the challenge was made with.
    pub(crate) metadata: Option<String>,
}

/// A custom sign-in (`CUSTOM_AUTH`) so far.
#[derive(Debug, Clone)]
pub(crate) struct CustomFlow {
    /// The sign-in; for a user that does not exist, of the key the username would have.
    pub(crate) sign_in: SignIn,
    /// The username the client sent.
    pub(crate) username: String,
    /// The user does not exist (the client prevents user existence errors).
    pub(crate) user_not_found: bool,
    /// The answers so far, oldest first.
    pub(crate) history: Vec<ChallengeResult>,
}

/// A custom challenge waiting for its answer.
#[derive(Debug, Clone)]
pub(crate) struct CustomChallenge {
    pub(crate) flow: CustomFlow,
    /// The `privateChallengeParameters` the challenge was made with.
    pub(crate) private: serde_json::Map<String, serde_json::Value>,
    /// Its `challengeMetadata`.
    pub(crate) metadata: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_names_each_method_and_a_second_factor() {
        assert_eq!(Methods::PASSWORD.amr(), ["pwd"]);
        assert_eq!(
            Methods::PASSWORD.with(Methods::OTP).amr(),
            ["pwd", "otp", "mfa"]
        );
        assert_eq!(
            Methods::PASSWORD.with(Methods::SMS).amr(),
            ["pwd", "sms", "mfa"]
        );
        assert_eq!(Methods::OTP.amr(), ["otp"]);
        assert!(Methods::default().amr().is_empty());
    }
}
