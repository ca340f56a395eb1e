//! The users of one pool, with the indexes that answer lookups and `ListUsers` filters
//! without scanning.
//!
//! Users are kept in a `BTreeMap` by *key*: the username, lower-cased when the pool's
//! usernames are case-insensitive. Key order is the listing order, so a pagination token
//! that names the last key returned stays valid while users come and go.
//!
//! Every filterable attribute but the username (see [`Indexed`]) has an ordered index
//! `value → keys`, which answers `=` with one lookup and `^=` with one range scan; the
//! username filter uses the key order itself.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use cognito_crypto::password::PasswordHash;
use cognito_crypto::Secret;
use cognito_model::shapes::{AuthEventType, MFAOptionType, UserStatusType};
use cognito_model::Timestamp;

/// One user.
#[derive(Debug, Clone)]
pub struct User {
    /// The username as created (case preserved).
    pub username: String,
    /// The immutable `sub` (a UUID).
    pub sub: String,
    /// Attributes other than `sub`, by name.
    pub attributes: Attributes,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// The account status.
    pub status: UserStatusType,
    /// When the user was created.
    pub created: Timestamp,
    /// When the user last changed.
    pub modified: Timestamp,
    /// The password, if any.
    pub password: Option<PasswordHash>,
    /// When a temporary password stops working.
    pub temporary_password_expires: Option<Timestamp>,
    /// Legacy MFA options (`AdminSetUserSettings`).
    pub mfa_options: Vec<MFAOptionType>,
    /// MFA preferences (`AdminSetUserMFAPreference`).
    pub mfa: MfaPreferences,
    /// Names of the groups the user belongs to.
    pub groups: BTreeSet<String>,
    /// Codes sent to the user and not yet used.
    pub codes: Vec<PendingCode>,
    /// Sign-in and account events, oldest first.
    pub auth_events: Vec<AuthEventType>,
    /// Sign-in bookkeeping: failed attempts, cached SRP verifier, sign-out time.
    pub sign_in: SignInState,
}

/// A user's attributes, sorted by name. Users have a handful, so a sorted vector is as
/// quick as a tree and a fraction of its size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes(Vec<(String, String)>);

impl Attributes {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.position(name)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|(_, v)| v)
    }

    /// Whether `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name`, answering its previous value.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.position(&name) {
            Ok(i) => self.0.get_mut(i).map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// Removes `name`, answering its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.position(name).ok()?;
        Some(self.0.remove(i).1)
    }

    /// Every attribute, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(n, v)| (n, v))
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Extend<(String, String)> for Attributes {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (name, value) in iter {
            self.insert(name, value);
        }
    }
}

impl FromIterator<(String, String)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut attributes = Attributes::default();
        attributes.extend(iter);
        attributes
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(n, v)| (n, v))
    }
}

/// What sign-in keeps about a user.
#[derive(Debug, Clone, Default)]
pub struct SignInState {
    /// The SRP verifier for the current password, computed on first SRP sign-in.
    pub srp_verifier: Option<Vec<u8>>,
    /// Consecutive failed password attempts.
    pub failed_attempts: u32,
    /// No password is checked before this instant.
    pub locked_until: Option<Timestamp>,
    /// Tokens issued before this instant are revoked (global sign-out).
    pub tokens_valid_after: Option<Timestamp>,
    /// New `email` or `phone_number` values waiting for verification before they apply.
    pub pending_attributes: BTreeMap<String, String>,
}

impl User {
    /// A new enabled user with no password, groups, codes or events.
    pub fn new(
        username: String,
        sub: String,
        attributes: Attributes,
        status: UserStatusType,
        now: Timestamp,
    ) -> Self {
        User {
            username,
            sub,
            attributes,
            enabled: true,
            status,
            created: now,
            modified: now,
            password: None,
            temporary_password_expires: None,
            mfa_options: Vec::new(),
            mfa: MfaPreferences::default(),
            groups: BTreeSet::new(),
            codes: Vec::new(),
            auth_events: Vec::new(),
            sign_in: SignInState::default(),
        }
    }

    /// Sets a new password, forgetting the cached verifier.
    pub fn set_password(&mut self, hash: PasswordHash) {
        self.password = Some(hash);
        self.sign_in.srp_verifier = None;
    }

    /// The value of attribute `name`, including `sub`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        if name == "sub" {
            Some(&self.sub)
        } else {
            self.attributes.get(name).map(String::as_str)
        }
    }

    /// Whether attribute `name` (`email` or `phone_number`) is verified.
    pub fn is_verified(&self, name: &str) -> bool {
        self.attributes
            .get(&format!("{name}_verified"))
            .map(String::as_str)
            == Some("true")
    }
}

/// A user's MFA preferences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaPreferences {
    /// SMS MFA enabled.
    pub sms: bool,
    /// TOTP MFA enabled.
    pub software_token: bool,
    /// Email MFA enabled.
    pub email: bool,
    /// The preferred method, as `AdminGetUser` names it (`SMS_MFA`, ...).
    pub preferred: Option<&'static str>,
    /// Whether a software token has been verified for the user.
    pub software_token_registered: bool,
}

impl MfaPreferences {
    /// `UserMFASettingList`, as `AdminGetUser` answers it.
    pub fn setting_list(&self) -> Vec<String> {
        let mut list = Vec::new();
        if self.sms {
            list.push("SMS_MFA".to_string());
        }
        if self.software_token {
            list.push("SOFTWARE_TOKEN_MFA".to_string());
        }
        if self.email {
            list.push("EMAIL_OTP".to_string());
        }
        list
    }
}

/// What a code was sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    /// Confirming a sign-up.
    SignUp,
    /// Resetting a forgotten password.
    ForgotPassword,
    /// Verifying an attribute (`email` or `phone_number`).
    VerifyEmail,
    /// Verifying a phone number.
    VerifyPhone,
}

/// A code sent to a user.
#[derive(Debug, Clone)]
pub struct PendingCode {
    /// What it confirms.
    pub purpose: CodePurpose,
    /// The code.
    pub code: Secret<String>,
    /// When it stops working.
    pub expires: Timestamp,
}

/// The attributes `ListUsers` can filter on, each with an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indexed {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
    /// `name`.
    Name,
    /// `given_name`.
    GivenName,
    /// `family_name`.
    FamilyName,
    /// `preferred_username`.
    PreferredUsername,
    /// `cognito:user_status`.
    UserStatus,
    /// `status` (`Enabled` or `Disabled`).
    Status,
    /// `sub`.
    Sub,
    /// `email` lower-cased, kept only where that changes it: with [`Indexed::Email`] it
    /// finds an email in any case, as pools with case-insensitive usernames sign in.
    /// No filter names it.
    FoldedEmail,
}

impl Indexed {
    /// Every indexed attribute.
    pub const ALL: [Indexed; 10] = [
        Indexed::Email,
        Indexed::PhoneNumber,
        Indexed::Name,
        Indexed::GivenName,
        Indexed::FamilyName,
        Indexed::PreferredUsername,
        Indexed::UserStatus,
        Indexed::Status,
        Indexed::Sub,
        Indexed::FoldedEmail,
    ];

    /// The attribute a filter names.
    pub fn from_filter_name(name: &str) -> Option<Self> {
        Some(match name {
            "email" => Indexed::Email,
            "phone_number" => Indexed::PhoneNumber,
            "name" => Indexed::Name,
            "given_name" => Indexed::GivenName,
            "family_name" => Indexed::FamilyName,
            "preferred_username" => Indexed::PreferredUsername,
            "cognito:user_status" => Indexed::UserStatus,
            "status" => Indexed::Status,
            "sub" => Indexed::Sub,
            _ => return None,
        })
    }

    /// The user's value for this attribute.
    fn value(self, user: &User) -> Option<Cow<'_, str>> {
        let value = match self {
            Indexed::Email => user.attribute("email"),
            Indexed::PhoneNumber => user.attribute("phone_number"),
            Indexed::Name => user.attribute("name"),
            Indexed::GivenName => user.attribute("given_name"),
            Indexed::FamilyName => user.attribute("family_name"),
            Indexed::PreferredUsername => user.attribute("preferred_username"),
            Indexed::UserStatus => Some(user.status.as_str()),
            Indexed::Status => Some(if user.enabled { "Enabled" } else { "Disabled" }),
            Indexed::Sub => Some(user.sub.as_str()),
            Indexed::FoldedEmail => {
                return user
                    .attribute("email")
                    .filter(|e| e.chars().any(char::is_uppercase))
                    .map(|e| Cow::Owned(e.to_lowercase()));
            }
        };
        value.map(Cow::Borrowed)
    }
}

/// The users of a pool.
#[derive(Debug, Clone, Default)]
pub struct Users {
    by_key: BTreeMap<String, User>,
    /// Per filterable attribute, the `(value, key)` pairs of every user that has one:
    /// `=` and `^=` are range scans.
    indexes: HashMap<Indexed, BTreeSet<(String, String)>>,
    /// (provider name, user id at the provider) → key of the linked native user.
    links: HashMap<(String, String), String>,
}

impl Users {
    /// How many users there are.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The user with `key`.
    pub fn get(&self, key: &str) -> Option<&User> {
        self.by_key.get(key)
    }

    /// The stored key and user for `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&String, &User)> {
        self.by_key.get_key_value(key)
    }

    /// Users in key order from `from`.
    pub fn range(
        &self,
        from: std::ops::Bound<String>,
    ) -> impl Iterator<Item = (&String, &User)> + '_ {
        self.by_key.range((from, std::ops::Bound::Unbounded))
    }

    /// Whether a user has `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Adds a user under `key`, replacing none (callers check first).
    pub fn insert(&mut self, key: String, user: User) {
        self.index(&key, &user);
        self.by_key.insert(key, user);
    }

    /// Removes the user with `key`, and its links.
    pub fn remove(&mut self, key: &str) -> Option<User> {
        let user = self.by_key.remove(key)?;
        self.unindex(key, &user);
        self.links.retain(|_, k| k != key);
        Some(user)
    }

    /// The key of the user an external identity is linked to.
    pub fn linked_user(&self, identity: &(String, String)) -> Option<&String> {
        self.links.get(identity)
    }

    /// Links an external identity to the user with `key`.
    pub fn link(&mut self, identity: (String, String), key: String) {
        self.links.insert(identity, key);
    }

    /// Removes a link, answering the key it pointed to.
    pub fn unlink(&mut self, identity: &(String, String)) -> Option<String> {
        self.links.remove(identity)
    }

    /// Changes the user with `key` through `f`, keeping the indexes right.
    pub fn update<T>(&mut self, key: &str, f: impl FnOnce(&mut User) -> T) -> Option<T> {
        let user = self.by_key.get_mut(key)?;
        let before: Vec<(Indexed, Option<String>)> = Indexed::ALL
            .iter()
            .map(|&i| (i, i.value(user).map(Cow::into_owned)))
            .collect();
        let out = f(user);
        for (attr, old) in before {
            let new = attr.value(user);
            if old.as_deref() == new.as_deref() {
                continue;
            }
            let new = new.map(Cow::into_owned);
            let index = self.indexes.entry(attr).or_default();
            if let Some(old) = old {
                index.remove(&(old, key.to_string()));
            }
            if let Some(new) = new {
                index.insert((new, key.to_string()));
            }
        }
        Some(out)
    }

    /// Keys of users whose `attr` equals `value`, in key order.
    pub fn keys_with<'a>(
        &'a self,
        attr: Indexed,
        value: &'a str,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.keys_equal_after(attr, value, None)
    }

    /// Keys after `after` of users whose `attr` equals `value`, in key order.
    pub fn keys_equal_after<'a>(
        &'a self,
        attr: Indexed,
        value: &'a str,
        after: Option<&str>,
    ) -> impl Iterator<Item = &'a String> + 'a {
        use std::ops::Bound;
        let start = match after {
            Some(a) => Bound::Excluded((value.to_string(), a.to_string())),
            None => Bound::Included((value.to_string(), String::new())),
        };
        self.indexes
            .get(&attr)
            .into_iter()
            .flat_map(move |index| index.range((start.clone(), Bound::Unbounded)))
            .take_while(move |(v, _)| v == value)
            .map(|(_, k)| k)
    }

    /// Keys of users whose email is `email` in any case.
    pub fn keys_with_email_folded(&self, email: &str) -> Vec<String> {
        let folded = email.to_lowercase();
        let mut keys: Vec<String> = self
            .keys_with(Indexed::Email, &folded)
            .chain(self.keys_with(Indexed::FoldedEmail, &folded))
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    /// Keys of users whose `attr` starts with `prefix`, in key order.
    pub fn keys_with_prefix(&self, attr: Indexed, prefix: &str) -> BTreeSet<&String> {
        use std::ops::Bound;
        let Some(index) = self.indexes.get(&attr) else {
            return BTreeSet::new();
        };
        index
            .range((
                Bound::Included((prefix.to_string(), String::new())),
                Bound::Unbounded,
            ))
            .take_while(|(v, _)| v.starts_with(prefix))
            .map(|(_, k)| k)
            .collect()
    }

    /// Users in key order, starting after `after`.
    pub fn after<'a>(
        &'a self,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a String, &'a User)> + 'a {
        let start = match after {
            Some(a) => std::ops::Bound::Excluded(a),
            None => std::ops::Bound::Unbounded,
        };
        self.by_key
            .range::<str, _>((start, std::ops::Bound::Unbounded))
    }

    fn index(&mut self, key: &str, user: &User) {
        for attr in Indexed::ALL {
            if let Some(v) = attr.value(user) {
                self.indexes
                    .entry(attr)
                    .or_default()
                    .insert((v.to_string(), key.to_string()));
            }
        }
    }

    fn unindex(&mut self, key: &str, user: &User) {
        for attr in Indexed::ALL {
            if let (Some(v), Some(index)) = (attr.value(user), self.indexes.get_mut(&attr)) {
                index.remove(&(v.to_string(), key.to_string()));
            }
        }
    }
}

/// Consecutive wrong passwords after which each attempt waits, doubling from a second.
pub(crate) const FREE_ATTEMPTS: u32 = 5;

/// The longest lockout after repeated wrong passwords.
pub(crate) const MAX_LOCKOUT_SECS: i64 = 900;

/// Counts a failed password: from the [`FREE_ATTEMPTS`]th on, each failure locks out for
/// a second, doubling up to [`MAX_LOCKOUT_SECS`]. Answers whether it locked out.
pub(crate) fn count_failure(
    attempts: &mut u32,
    locked_until: &mut Option<Timestamp>,
    now: Timestamp,
) -> bool {
    *attempts = attempts.saturating_add(1);
    let over = attempts.saturating_sub(FREE_ATTEMPTS - 1);
    if over == 0 {
        return false;
    }
    let secs = 2i64
        .checked_pow(over - 1)
        .map_or(MAX_LOCKOUT_SECS, |s| s.min(MAX_LOCKOUT_SECS));
    *locked_until = Some(now.plus_millis(secs * 1000));
    true
}
