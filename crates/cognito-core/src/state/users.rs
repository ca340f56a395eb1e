//! The users of one pool, with the indexes that answer lookups and `ListUsers` filters
//! without scanning.
//!
//! Users are kept by *key*: the username, lower-cased when the pool's usernames are
//! case-insensitive. A hash map finds a user by key, and an ordered set of the keys gives
//! the listing order, so a pagination token that names the last key returned stays valid
//! while users come and go.
//!
//! Every filterable attribute but the username (see [`Indexed`]) has an ordered index
//! that answers `=` with one lookup and `^=` with one range scan, both in key order; the
//! username filter uses the key order itself.
//!
//! Memory is the constraint here (a pool may hold hundreds of thousands of users), so:
//! each key is allocated once and shared by the map and every index naming the user;
//! attributes with a handful of values (`status`, `cognito:user_status`) are indexed as
//! one set of keys per value, not as `(value, key)` pairs, and the value most users have
//! is not stored at all (see [`Classes`]); `sub`s are indexed as the
//! 128 bits of their UUID, not as a second copy of their text; a user is boxed, so the
//! map's nodes stay small; and what most users never have (MFA options, groups, codes,
//! events, pending attribute changes) is [`Rare`]: no allocation until first written.

use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::iter::Peekable;
use std::ops::{Bound, Deref, DerefMut};
use std::sync::Arc;

use cognito_crypto::password::PasswordHash;
use cognito_crypto::Secret;
use cognito_model::shapes::{AuthEventType, MFAOptionType, UserStatusType};
use cognito_model::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::changes::Changed;
use super::codec;

/// One user.
///
/// The fields are laid out in the order written (`repr(C)`), those that reading a user
/// (`AdminGetUser`, `ListUsers`) looks at first: with a hundred thousand users, a user
/// read is a handful of cache misses, and its answer's fields then share two cache lines
/// rather than spreading over all five.
#[derive(Debug, Serialize, Deserialize)]
#[repr(C)]
pub struct User {
    /// The username as created (case preserved).
    pub username: String,
    /// The immutable `sub` (a UUID).
    pub sub: String,
    /// Attributes other than `sub`, by name.
    pub attributes: Attributes,
    /// When the user was created.
    pub created: Timestamp,
    /// When the user last changed.
    pub modified: Timestamp,
    /// Legacy MFA options (`AdminSetUserSettings`).
    #[serde(default)]
    pub mfa_options: Rare<Vec<MFAOptionType>>,
    /// MFA preferences (`AdminSetUserMFAPreference`).
    #[serde(default)]
    pub mfa: MfaPreferences,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// The account status.
    pub status: UserStatusType,
    /// The password, if any.
    #[serde(with = "codec::password")]
    pub password: Option<PasswordHash>,
    /// When a temporary password stops working.
    pub temporary_password_expires: Option<Timestamp>,
    /// Sign-in bookkeeping: failed attempts, cached SRP verifier, sign-out time.
    #[serde(default)]
    pub sign_in: SignInState,
    /// Names of the groups the user belongs to.
    #[serde(default)]
    pub groups: Rare<BTreeSet<String>>,
    /// Codes sent to the user and not yet used.
    #[serde(default)]
    pub codes: Rare<Vec<PendingCode>>,
    /// Sign-in and account events, oldest first.
    #[serde(default)]
    pub auth_events: Rare<Vec<AuthEventType>>,
    /// The software token (TOTP authenticator) the user verified, and one it is
    /// associating (`AssociateSoftwareToken`) but has not verified yet.
    #[serde(default)]
    pub software_token: SoftwareTokens,
    /// The devices the user signed in from, by device key.
    #[serde(default)]
    pub devices: Rare<crate::state::devices::Devices>,
    /// The user's passkeys, oldest first.
    #[serde(default)]
    pub passkeys: Rare<Vec<crate::state::passkeys::Passkey>>,
    /// The passkey registration the user started and has not completed.
    #[serde(default)]
    pub pending_passkey: Option<Box<crate::state::passkeys::PendingRegistration>>,
}

/// A user's software tokens: at most one verified, at most one being associated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SoftwareTokens {
    /// The token that answers `SOFTWARE_TOKEN_MFA`.
    pub verified: Option<Box<SoftwareToken>>,
    /// The key `AssociateSoftwareToken` handed out, until `VerifySoftwareToken`.
    #[serde(with = "codec::option_totp_key")]
    pub associating: Option<Box<cognito_crypto::totp::TotpKey>>,
}

/// A verified software token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SoftwareToken {
    /// The shared key.
    #[serde(with = "codec::totp_key")]
    pub key: cognito_crypto::totp::TotpKey,
    /// The name the user gave it (`FriendlyDeviceName`).
    pub friendly_name: Option<String>,
    /// The last time step a code was accepted for: no code is accepted twice.
    pub last_step: Option<u64>,
}

impl Clone for User {
    fn clone(&self) -> Self {
        User {
            username: self.username.clone(),
            sub: self.sub.clone(),
            attributes: self.attributes.clone(),
            enabled: self.enabled,
            status: self.status,
            created: self.created,
            modified: self.modified,
            password: self.password.clone(),
            temporary_password_expires: self.temporary_password_expires,
            mfa_options: Rare::duplicate(&self.mfa_options),
            mfa: self.mfa.clone(),
            groups: Rare::duplicate(&self.groups),
            codes: Rare::duplicate(&self.codes),
            auth_events: Rare::duplicate(&self.auth_events),
            sign_in: self.sign_in.clone(),
            software_token: self.software_token.clone(),
            devices: Rare::duplicate(&self.devices),
            passkeys: Rare::duplicate(&self.passkeys),
            pending_passkey: self.pending_passkey.clone(),
        }
    }
}

/// A collection most users leave empty: absent (one null pointer) until first written
/// through [`DerefMut`], and read as empty while absent.
///
/// It is not `Clone`, so that `.clone()` reaches the collection itself, as it did when
/// the field was the collection; [`Rare::duplicate`] copies the wrapper.
pub struct Rare<T: Empty>(Option<Box<T>>);

/// A collection with a static empty value, which an absent [`Rare`] reads as.
pub trait Empty: Default + 'static {
    /// The empty value.
    const EMPTY: &'static Self;

    /// Whether this value is empty, so that a [`Rare`] holding it can let it go.
    fn holds_nothing(&self) -> bool;
}

impl<T: 'static> Empty for Vec<T> {
    const EMPTY: &'static Self = &Vec::new();

    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Ord + 'static> Empty for BTreeSet<T> {
    const EMPTY: &'static Self = &BTreeSet::new();

    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<K: Ord + 'static, V: 'static> Empty for BTreeMap<K, V> {
    const EMPTY: &'static Self = &BTreeMap::new();

    fn holds_nothing(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Empty> Rare<T> {
    /// A copy of `this` (an associated function, so as not to hide the collection's
    /// methods).
    pub fn duplicate(this: &Self) -> Self
    where
        T: Clone,
    {
        Rare(this.0.clone())
    }

    /// Frees the allocation of an emptied collection.
    pub fn tidy(this: &mut Self) {
        if this.0.as_deref().is_some_and(T::holds_nothing) {
            this.0 = None;
        }
    }
}

impl<T: Empty> Default for Rare<T> {
    fn default() -> Self {
        Rare(None)
    }
}

impl<T: Empty> From<T> for Rare<T> {
    fn from(value: T) -> Self {
        let mut rare = Rare(Some(Box::new(value)));
        Rare::tidy(&mut rare);
        rare
    }
}

impl<T: Empty + Serialize> Serialize for Rare<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de, T: Empty + Deserialize<'de>> Deserialize<'de> for Rare<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Rare::from)
    }
}

impl<T: Empty> Deref for Rare<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0.as_deref().unwrap_or(T::EMPTY)
    }
}

impl<T: Empty> DerefMut for Rare<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: Empty + std::fmt::Debug> std::fmt::Debug for Rare<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<'a, T: Empty> IntoIterator for &'a Rare<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (**self).into_iter()
    }
}

/// A user's attributes, sorted by name, in one allocation: for each, the lengths of its
/// name and its value (four bytes each, little-endian), then the name and the value.
///
/// Users have a handful, read far more often than changed: a read of a user (an
/// `AdminGetUser` among a hundred thousand users) then finds them all in one block, where
/// a slice of string pairs was a cache miss for the slice and two for each attribute. A
/// change rebuilds the block.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes(Box<[u8]>);

/// The length of an attribute's header: its name's length and its value's length.
const ATTRIBUTE_HEAD: usize = 8;

impl Attributes {
    /// The attributes `sorted` (by name, each name once), in one block.
    fn encode<N: AsRef<str>, V: AsRef<str>>(sorted: &[(N, V)]) -> Self {
        let size = sorted
            .iter()
            .map(|(n, v)| ATTRIBUTE_HEAD + n.as_ref().len() + v.as_ref().len())
            .sum();
        let mut block = Vec::with_capacity(size);
        for (name, value) in sorted {
            let (name, value) = (name.as_ref(), value.as_ref());
            // Attributes come from requests far smaller than 4 GiB.
            let (Ok(name_len), Ok(value_len)) =
                (u32::try_from(name.len()), u32::try_from(value.len()))
            else {
                continue;
            };
            block.extend_from_slice(&name_len.to_le_bytes());
            block.extend_from_slice(&value_len.to_le_bytes());
            block.extend_from_slice(name.as_bytes());
            block.extend_from_slice(value.as_bytes());
        }
        Attributes(block.into_boxed_slice())
    }

    /// Changes the attributes as a vector sorted by name.
    fn edit<T>(&mut self, f: impl FnOnce(&mut Vec<(String, String)>) -> T) -> T {
        let mut attributes: Vec<(String, String)> = self
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        let out = f(&mut attributes);
        *self = Attributes::encode(&attributes);
        out
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        let mut entries = self.iter();
        let wanted = name.as_bytes();
        std::iter::from_fn(|| entries.next_bytes())
            .take_while(|(n, _)| *n <= wanted)
            .find(|(n, _)| *n == wanted)
            .map(|(_, v)| std::str::from_utf8(v).unwrap_or_default())
    }

    /// Whether `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name`, answering its previous value.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        self.edit(
            |attributes| match attributes.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
                Ok(i) => attributes
                    .get_mut(i)
                    .map(|(_, v)| std::mem::replace(v, value)),
                Err(i) => {
                    attributes.insert(i, (name, value));
                    None
                }
            },
        )
    }

    /// Removes `name`, answering its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        if !self.contains_key(name) {
            return None;
        }
        self.edit(|attributes| {
            let i = attributes
                .binary_search_by(|(n, _)| n.as_str().cmp(name))
                .ok()?;
            Some(attributes.remove(i).1)
        })
    }

    /// Every attribute, in name order.
    pub fn iter(&self) -> AttributeIter<'_> {
        AttributeIter { rest: &self.0 }
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.iter().rest_len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The attributes of an [`Attributes`], in name order.
#[derive(Debug, Clone)]
pub struct AttributeIter<'a> {
    rest: &'a [u8],
}

impl<'a> AttributeIter<'a> {
    /// The next attribute's name and value, as bytes.
    fn next_bytes(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        let (head, rest) = self.rest.split_first_chunk::<ATTRIBUTE_HEAD>()?;
        let [n0, n1, n2, n3, v0, v1, v2, v3] = *head;
        let name_len = usize::try_from(u32::from_le_bytes([n0, n1, n2, n3])).ok()?;
        let value_len = usize::try_from(u32::from_le_bytes([v0, v1, v2, v3])).ok()?;
        let (name, rest) = rest.split_at_checked(name_len)?;
        let (value, rest) = rest.split_at_checked(value_len)?;
        self.rest = rest;
        Some((name, value))
    }

    /// How many attributes are left, counted without reading them as text.
    fn rest_len(mut self) -> usize {
        std::iter::from_fn(|| self.next_bytes()).count()
    }
}

impl<'a> Iterator for AttributeIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let (name, value) = self.next_bytes()?;
        // The block holds only what `encode` wrote from strings.
        Some((
            std::str::from_utf8(name).unwrap_or_default(),
            std::str::from_utf8(value).unwrap_or_default(),
        ))
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a str, &'a str);
    type IntoIter = AttributeIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attributes {
    /// As a list of `(name, value)` pairs, in name order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    /// Reads attributes in any order, as [`FromIterator`] sorts them.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<(String, String)>::deserialize(d)?
            .into_iter()
            .collect())
    }
}

impl Extend<(String, String)> for Attributes {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        self.edit(|attributes| {
            for (name, value) in iter {
                match attributes.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
                    Ok(i) => {
                        if let Some((_, v)) = attributes.get_mut(i) {
                            *v = value;
                        }
                    }
                    Err(i) => attributes.insert(i, (name, value)),
                }
            }
        });
    }
}

impl FromIterator<(String, String)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut attributes = Attributes::default();
        attributes.extend(iter);
        attributes
    }
}

/// What sign-in keeps about a user.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInState {
    /// The SRP verifier for the current password, computed on first SRP sign-in.
    #[serde(with = "codec::option_bytes")]
    pub srp_verifier: Option<Vec<u8>>,
    /// Consecutive failed password attempts.
    pub failed_attempts: u32,
    /// No password is checked before this instant.
    pub locked_until: Option<Timestamp>,
    /// Tokens issued before this instant are revoked (global sign-out).
    pub tokens_valid_after: Option<Timestamp>,
    /// New `email` or `phone_number` values waiting for verification before they apply.
    pub pending_attributes: Rare<BTreeMap<String, String>>,
}

impl Clone for SignInState {
    fn clone(&self) -> Self {
        SignInState {
            srp_verifier: self.srp_verifier.clone(),
            failed_attempts: self.failed_attempts,
            locked_until: self.locked_until,
            tokens_valid_after: self.tokens_valid_after,
            pending_attributes: Rare::duplicate(&self.pending_attributes),
        }
    }
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
            mfa_options: Rare::default(),
            mfa: MfaPreferences::default(),
            groups: Rare::default(),
            codes: Rare::default(),
            auth_events: Rare::default(),
            sign_in: SignInState::default(),
            software_token: SoftwareTokens::default(),
            devices: Rare::default(),
            passkeys: Rare::default(),
            pending_passkey: None,
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
            self.attributes.get(name)
        }
    }

    /// Whether attribute `name` (`email` or `phone_number`) is verified.
    pub fn is_verified(&self, name: &str) -> bool {
        self.attributes.get(&format!("{name}_verified")) == Some("true")
    }

    /// Frees what a change emptied.
    fn tidy(&mut self) {
        Rare::tidy(&mut self.mfa_options);
        Rare::tidy(&mut self.groups);
        Rare::tidy(&mut self.codes);
        Rare::tidy(&mut self.auth_events);
        Rare::tidy(&mut self.sign_in.pending_attributes);
    }
}

/// A user's MFA preferences.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MfaPreferences {
    /// SMS MFA enabled.
    pub sms: bool,
    /// TOTP MFA enabled.
    pub software_token: bool,
    /// Email MFA enabled.
    pub email: bool,
    /// The preferred method, as `AdminGetUser` names it (`SMS_MFA`, ...).
    pub preferred: Option<&'static str>,
}

/// [`MfaPreferences`] as read back, before its preferred method is checked.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StoredMfaPreferences {
    sms: bool,
    software_token: bool,
    email: bool,
    preferred: Option<String>,
}

impl<'de> Deserialize<'de> for MfaPreferences {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stored = StoredMfaPreferences::deserialize(d)?;
        let preferred = match stored.preferred {
            None => None,
            Some(name) => Some(
                ["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"]
                    .into_iter()
                    .find(|m| *m == name)
                    .ok_or_else(|| {
                        serde::de::Error::custom(format!("unknown MFA method {name}"))
                    })?,
            ),
        };
        Ok(MfaPreferences {
            sms: stored.sms,
            software_token: stored.software_token,
            email: stored.email,
            preferred,
        })
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingCode {
    /// What it confirms.
    pub purpose: CodePurpose,
    /// The code.
    #[serde(with = "codec::secret_string")]
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

    /// Whether the attribute has a handful of values, each shared by many users.
    fn is_class(self) -> bool {
        matches!(self, Indexed::UserStatus | Indexed::Status)
    }

    /// The user's value for an attribute with a handful of values ([`Self::is_class`]).
    fn class(self, user: &User) -> Option<&'static str> {
        match self {
            Indexed::UserStatus => Some(user.status.as_str()),
            Indexed::Status => Some(if user.enabled { "Enabled" } else { "Disabled" }),
            _ => None,
        }
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
            Indexed::UserStatus | Indexed::Status => self.class(user),
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

    /// The user's value, kept across a change to the user: a class value is static and
    /// costs no allocation.
    fn value_before_change(self, user: &User) -> Option<Cow<'static, str>> {
        match self.class(user) {
            Some(class) => Some(Cow::Borrowed(class)),
            None => self.value(user).map(|v| Cow::Owned(v.into_owned())),
        }
    }
}

/// A user's key: allocated once, shared by the map and every index that names the user.
type Key = Arc<str>;

/// One user's value in an index, ordered by value, then key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Entry<V> {
    value: V,
    key: Key,
}

/// A `(value, key)` pair, stored ([`Entry`]) or borrowed (`(&W, &str)`), so that an index
/// is searched without building an [`Entry`].
trait Pair<W: ?Sized> {
    fn parts(&self) -> (&W, &str);
}

impl<V: Borrow<W>, W: ?Sized> Pair<W> for Entry<V> {
    fn parts(&self) -> (&W, &str) {
        (self.value.borrow(), &self.key)
    }
}

impl<W: ?Sized> Pair<W> for (&W, &str) {
    fn parts(&self) -> (&W, &str) {
        (self.0, self.1)
    }
}

impl<'a, V: Borrow<W> + 'a, W: ?Sized + 'a> Borrow<dyn Pair<W> + 'a> for Entry<V> {
    fn borrow(&self) -> &(dyn Pair<W> + 'a) {
        self
    }
}

impl<W: ?Sized + Ord> PartialEq for dyn Pair<W> + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl<W: ?Sized + Ord> Eq for dyn Pair<W> + '_ {}

impl<W: ?Sized + Ord> PartialOrd for dyn Pair<W> + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<W: ?Sized + Ord> Ord for dyn Pair<W> + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// The pairs of `entries` from `(value, after)` on: exclusive after a key, inclusive of
/// every key without one.
fn entries_from<'a, V: Borrow<W> + Ord, W: ?Sized + Ord>(
    entries: &'a BTreeSet<Entry<V>>,
    value: &W,
    after: Option<&str>,
) -> std::collections::btree_set::Range<'a, Entry<V>> {
    let from = (value, after.unwrap_or_default());
    let from: &dyn Pair<W> = &from;
    let start = match after {
        Some(_) => Bound::Excluded(from),
        None => Bound::Included(from),
    };
    entries.range::<dyn Pair<W>, _>((start, Bound::Unbounded))
}

/// The keys after `after` of the entries whose value is `value`, in key order.
fn text_equal<'a>(
    entries: &'a BTreeSet<Entry<Box<str>>>,
    value: &'a str,
    after: Option<&str>,
) -> impl Iterator<Item = &'a str> + 'a {
    entries_from(entries, value, after)
        .take_while(move |e| *e.value == *value)
        .map(|e| &*e.key)
}

/// Where the text of a UUID has dashes.
const UUID_DASHES: [usize; 4] = [8, 13, 18, 23];

/// The 128 bits of `text` when it is a UUID written as Cognito writes `sub`
/// (lower-case hex, 8-4-4-4-12); the order of such texts is the order of their bits.
fn uuid_bits(text: &str) -> Option<u128> {
    if text.len() != 36 {
        return None;
    }
    let mut bits = 0u128;
    for (i, c) in text.bytes().enumerate() {
        if UUID_DASHES.contains(&i) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        bits = bits << 4 | u128::from(digit);
    }
    Some(bits)
}

/// The bits of the first and last UUIDs whose text starts with `prefix`, if any does.
fn uuid_range(prefix: &str) -> Option<(u128, u128)> {
    const FIRST: &str = "00000000-0000-0000-0000-000000000000";
    const LAST: &str = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    let first = uuid_bits(&format!("{prefix}{}", FIRST.get(prefix.len()..)?))?;
    let last = uuid_bits(&format!("{prefix}{}", LAST.get(prefix.len()..)?))?;
    Some((first, last))
}

/// The index of one attribute.
#[derive(Debug, Clone)]
enum Index {
    /// Every `(value, key)` pair, for attributes whose values are mostly distinct.
    Values(BTreeSet<Entry<Box<str>>>),
    /// Per value, the keys that have it, for attributes with a handful of values.
    Classes(Classes),
    /// `sub`: UUIDs as their bits, which is less than half the size of their text, and
    /// any other value as text.
    Subs {
        uuids: BTreeSet<Entry<u128>>,
        others: BTreeSet<Entry<Box<str>>>,
    },
}

impl Index {
    fn new(attr: Indexed) -> Self {
        if attr.is_class() {
            Index::Classes(Classes::default())
        } else if attr == Indexed::Sub {
            Index::Subs {
                uuids: BTreeSet::new(),
                others: BTreeSet::new(),
            }
        } else {
            Index::Values(BTreeSet::new())
        }
    }

    fn add(&mut self, attr: Indexed, user: &User, key: &Key) {
        match self {
            Index::Values(entries) => {
                if let Some(value) = attr.value(user) {
                    entries.insert(Entry {
                        value: value.into(),
                        key: Key::clone(key),
                    });
                }
            }
            Index::Classes(classes) => {
                if let Some(class) = attr.class(user) {
                    classes.add(class, key);
                }
            }
            Index::Subs { uuids, others } => {
                if let Some(value) = attr.value(user) {
                    let key = Key::clone(key);
                    match uuid_bits(&value) {
                        Some(bits) => uuids.insert(Entry { value: bits, key }),
                        None => others.insert(Entry {
                            value: value.into(),
                            key,
                        }),
                    };
                }
            }
        }
    }

    fn remove(&mut self, value: &str, key: &str) {
        match self {
            Index::Values(entries) => {
                entries.remove(&(value, key) as &dyn Pair<str>);
            }
            Index::Classes(classes) => classes.remove(value, key),
            Index::Subs { uuids, others } => {
                match uuid_bits(value) {
                    Some(bits) => uuids.remove(&(&bits, key) as &dyn Pair<u128>),
                    None => others.remove(&(value, key) as &dyn Pair<str>),
                };
            }
        }
    }

    /// Keys after `after` whose value is `value`, in key order; `order` is every key.
    fn equal<'a>(
        &'a self,
        value: &'a str,
        after: Option<&'a str>,
        order: &'a BTreeSet<Key>,
    ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        match self {
            Index::Values(entries) => Box::new(text_equal(entries, value, after)),
            Index::Classes(classes) => classes.keys(value, after, order),
            Index::Subs { uuids, others } => match uuid_bits(value) {
                Some(bits) => Box::new(
                    entries_from(uuids, &bits, after)
                        .take_while(move |e| e.value == bits)
                        .map(|e| &*e.key),
                ),
                None => Box::new(text_equal(others, value, after)),
            },
        }
    }

    /// Keys after `after` whose value starts with `prefix`, in key order; `order` is
    /// every key.
    fn prefixed<'a>(
        &'a self,
        prefix: &'a str,
        after: Option<&'a str>,
        order: &'a BTreeSet<Key>,
    ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        let texts = |entries: &'a BTreeSet<Entry<Box<str>>>| {
            entries_from(entries, prefix, None)
                .take_while(move |e| e.value.starts_with(prefix))
                .map(|e| &*e.key)
        };
        let mut keys: Vec<&str> = match self {
            Index::Values(entries) => texts(entries).collect(),
            Index::Classes(classes) => return classes.prefixed(prefix, after, order),
            Index::Subs { uuids, others } => {
                let mut keys: Vec<&str> = texts(others).collect();
                if let Some((first, last)) = uuid_range(prefix) {
                    keys.extend(
                        entries_from(uuids, &first, None)
                            .take_while(|e| e.value <= last)
                            .map(|e| &*e.key),
                    );
                }
                keys
            }
        };
        keys.retain(|k| after.is_none_or(|a| *k > a));
        keys.sort_unstable();
        Box::new(keys.into_iter())
    }
}

/// The keys of `keys` after `after`.
fn keys_after<'a>(keys: &'a BTreeSet<Key>, after: Option<&'a str>) -> KeysAfter<'a> {
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    keys.range::<str, _>((start, Bound::Unbounded))
        .map(|k| &**k)
}

type KeysAfter<'a> =
    std::iter::Map<std::collections::btree_set::Range<'a, Key>, fn(&'a Key) -> &'a str>;

/// How far the largest stored class of a [`Classes`] index may outgrow the implicit one
/// (twice its size, and this many keys more) before they change places.
const CLASS_SLACK: usize = 64;

/// The index of an attribute with a handful of values, each shared by many users, and
/// one value for every user (`status`, `cognito:user_status`): per value, the keys that
/// have it.
///
/// The keys of the value most users have are not stored: that value is *implicit*, and
/// its keys are those of the listing order that no stored value holds. Adding a user of
/// the implicit value costs nothing, and a pool whose users all have the same status
/// holds no set at all. When a stored value grows past twice the implicit one
/// ([`Classes::balance`]), they change places: the implicit value's keys are collected
/// (one walk of the order) and the larger set is let go. A walk of the implicit value's
/// keys skips at most the stored values' keys, which are at most a few times fewer.
#[derive(Debug, Clone, Default)]
struct Classes {
    /// The value whose keys are not stored; `None` until the first user is added.
    implicit: Option<&'static str>,
    /// The keys of every other value some user has.
    stored: BTreeMap<&'static str, BTreeSet<Key>>,
}

impl Classes {
    fn add(&mut self, class: &'static str, key: &Key) {
        match self.implicit {
            Some(implicit) if implicit == class => {}
            // No user yet, so no key to account for: the first value is the implicit one.
            None if self.stored.is_empty() => self.implicit = Some(class),
            _ => {
                self.stored
                    .entry(class)
                    .or_default()
                    .insert(Key::clone(key));
            }
        }
    }

    fn remove(&mut self, class: &str, key: &str) {
        if let Some(keys) = self.stored.get_mut(class) {
            keys.remove(key);
            if keys.is_empty() {
                self.stored.remove(class);
            }
        }
    }

    /// Makes the largest stored value the implicit one when it has outgrown it;
    /// `order` is every key, the users' changes applied.
    fn balance(&mut self, order: &BTreeSet<Key>) {
        let stored: usize = self.stored.values().map(BTreeSet::len).sum();
        let implicit = order.len().saturating_sub(stored);
        let Some((&largest, keys)) = self.stored.iter().max_by_key(|(_, keys)| keys.len()) else {
            return;
        };
        if keys.len() <= implicit.saturating_mul(2).saturating_add(CLASS_SLACK) {
            return;
        }
        let members: BTreeSet<Key> = Unclaimed::new(order, &self.stored, None)
            .map(Key::clone)
            .collect();
        self.stored.remove(largest);
        if let Some(previous) = self.implicit.replace(largest) {
            if !members.is_empty() {
                self.stored.insert(previous, members);
            }
        }
    }

    /// The keys after `after` of the users whose value is `class`.
    fn keys<'a>(
        &'a self,
        class: &str,
        after: Option<&'a str>,
        order: &'a BTreeSet<Key>,
    ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        if self.implicit.is_some_and(|implicit| implicit == class) {
            return Box::new(Unclaimed::new(order, &self.stored, after).map(|k| &**k));
        }
        Box::new(
            self.stored
                .get(class)
                .into_iter()
                .flat_map(move |keys| keys_after(keys, after)),
        )
    }

    /// The keys after `after` of the users whose value starts with `prefix`, in key order.
    fn prefixed<'a>(
        &'a self,
        prefix: &'a str,
        after: Option<&'a str>,
        order: &'a BTreeSet<Key>,
    ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        let mut sequences: Vec<Peekable<Box<dyn Iterator<Item = &'a str> + 'a>>> = self
            .stored
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(class, _)| class.starts_with(prefix))
            .map(|(_, keys)| {
                let keys: Box<dyn Iterator<Item = &'a str> + 'a> =
                    Box::new(keys_after(keys, after));
                keys.peekable()
            })
            .collect();
        if let Some(implicit) = self.implicit.filter(|c| c.starts_with(prefix)) {
            sequences.push(self.keys(implicit, after, order).peekable());
        }
        Box::new(Merge(sequences))
    }

    /// Whether no key is stored.
    #[cfg(test)]
    fn stores_nothing(&self) -> bool {
        self.stored.is_empty()
    }
}

/// The keys of the listing order after a cursor that no stored value of a [`Classes`]
/// holds, in key order: the implicit value's.
struct Unclaimed<'a> {
    keys: std::collections::btree_set::Range<'a, Key>,
    claimed: Vec<Peekable<std::collections::btree_set::Range<'a, Key>>>,
}

impl<'a> Unclaimed<'a> {
    fn new(
        order: &'a BTreeSet<Key>,
        stored: &'a BTreeMap<&'static str, BTreeSet<Key>>,
        after: Option<&'a str>,
    ) -> Self {
        let start = || after.map_or(Bound::Unbounded, Bound::Excluded);
        Unclaimed {
            keys: order.range::<str, _>((start(), Bound::Unbounded)),
            claimed: stored
                .values()
                .map(|keys| keys.range::<str, _>((start(), Bound::Unbounded)).peekable())
                .collect(),
        }
    }
}

impl<'a> Iterator for Unclaimed<'a> {
    type Item = &'a Key;

    fn next(&mut self) -> Option<&'a Key> {
        'keys: loop {
            let key = self.keys.next()?;
            for claimed in &mut self.claimed {
                while claimed.next_if(|k| *k < key).is_some() {}
                if claimed.peek() == Some(&key) {
                    continue 'keys;
                }
            }
            return Some(key);
        }
    }
}

/// The union of sorted, disjoint key sequences, in key order.
struct Merge<'a>(Vec<Peekable<Box<dyn Iterator<Item = &'a str> + 'a>>>);

impl<'a> Iterator for Merge<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0
            .iter_mut()
            .filter_map(|keys| keys.peek().copied().map(|k| (k, keys)))
            .min_by_key(|(k, _)| *k)
            .and_then(|(_, keys)| keys.next())
    }
}

/// The users of a pool.
#[derive(Debug, Clone)]
pub struct Users {
    /// Every user, by key. A lookup hashes the key and reads a bucket or two, where a
    /// search of an ordered map compares a dozen keys scattered over the heap: with a
    /// hundred thousand users, those comparisons missed the cache and cost more than the
    /// rest of an `AdminGetUser`.
    by_key: HashMap<Key, Box<User>>,
    /// Every key, in key order: the listing order.
    order: BTreeSet<Key>,
    /// One per [`Indexed`] attribute, in the order of [`Indexed::ALL`].
    indexes: [Index; 10],
    /// (provider name, user id at the provider) → key of the linked native user.
    links: HashMap<(String, String), String>,
    /// Keys of the users added, changed or removed.
    changed: Changed<Key>,
    /// Identities linked or unlinked.
    relinked: Changed<(String, String)>,
}

impl Default for Users {
    fn default() -> Self {
        Users {
            by_key: HashMap::new(),
            order: BTreeSet::new(),
            indexes: Indexed::ALL.map(Index::new),
            links: HashMap::new(),
            changed: Changed::default(),
            relinked: Changed::default(),
        }
    }
}

impl Users {
    /// How many users there are.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Starts recording which users and links change (see [`Changed`]).
    pub fn track(&mut self) {
        self.changed.track();
        self.relinked.track();
    }

    /// The keys of the users added, changed or removed, and the identities linked or
    /// unlinked, since the last call (perhaps repeated).
    pub fn take_changes(&mut self) -> (Vec<Arc<str>>, Vec<(String, String)>) {
        (self.changed.take(), self.relinked.take())
    }

    /// Every link: (provider name, user id at the provider) → key of the user.
    pub fn links(&self) -> impl Iterator<Item = (&(String, String), &String)> {
        self.links.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The user with `key`.
    pub fn get(&self, key: &str) -> Option<&User> {
        self.by_key.get(key).map(|u| &**u)
    }

    /// The stored key and user for `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&str, &User)> {
        self.by_key.get_key_value(key).map(|(k, u)| (&**k, &**u))
    }

    /// Users in key order from `from`.
    pub fn range<'a>(
        &'a self,
        from: Bound<&str>,
    ) -> impl Iterator<Item = (&'a str, &'a User)> + 'a {
        self.order
            .range::<str, _>((from, Bound::Unbounded))
            .filter_map(|k| self.by_key.get(k).map(|u| (&**k, &**u)))
    }

    /// Whether a user has `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Adds a user under `key`, replacing none (callers check first).
    pub fn insert(&mut self, key: String, user: User) {
        let key = Key::from(key);
        self.order.insert(Key::clone(&key));
        for (attr, index) in Indexed::ALL.into_iter().zip(&mut self.indexes) {
            index.add(attr, &user, &key);
        }
        self.balance();
        self.changed.note(|| Key::clone(&key));
        self.by_key.insert(key, Box::new(user));
    }

    /// Lets the class indexes' implicit values follow the most common ones.
    fn balance(&mut self) {
        for index in &mut self.indexes {
            if let Index::Classes(classes) = index {
                classes.balance(&self.order);
            }
        }
    }

    /// Removes the user with `key`, and its links.
    pub fn remove(&mut self, key: &str) -> Option<User> {
        let (stored, user) = self.by_key.remove_entry(key)?;
        self.changed.note(|| stored);
        self.order.remove(key);
        for (attr, index) in Indexed::ALL.into_iter().zip(&mut self.indexes) {
            if let Some(value) = attr.value(&user) {
                index.remove(&value, key);
            }
        }
        self.balance();
        let relinked = &mut self.relinked;
        self.links.retain(|identity, k| {
            let keep = k != key;
            if !keep {
                relinked.note(|| identity.clone());
            }
            keep
        });
        Some(*user)
    }

    /// The key of the user an external identity is linked to.
    pub fn linked_user(&self, identity: &(String, String)) -> Option<&String> {
        self.links.get(identity)
    }

    /// Links an external identity to the user with `key`.
    pub fn link(&mut self, identity: (String, String), key: String) {
        self.relinked.note(|| identity.clone());
        self.links.insert(identity, key);
    }

    /// Removes a link, answering the key it pointed to.
    pub fn unlink(&mut self, identity: &(String, String)) -> Option<String> {
        self.relinked.note(|| identity.clone());
        self.links.remove(identity)
    }

    /// Changes the user with `key` through `f`, keeping the indexes right.
    pub fn update<T>(&mut self, key: &str, f: impl FnOnce(&mut User) -> T) -> Option<T> {
        let (key, user) = self.by_key.get_key_value(key)?;
        let key = Key::clone(key);
        self.changed.note(|| Key::clone(&key));
        let before = Indexed::ALL.map(|attr| attr.value_before_change(user));
        let user = self.by_key.get_mut(&*key)?;
        let out = f(user);
        user.tidy();
        let user: &User = user;
        for ((attr, index), old) in Indexed::ALL.into_iter().zip(&mut self.indexes).zip(before) {
            if old.as_deref() == attr.value(user).as_deref() {
                continue;
            }
            if let Some(old) = old {
                index.remove(&old, &key);
            }
            index.add(attr, user, &key);
        }
        self.balance();
        Some(out)
    }

    fn index(&self, attr: Indexed) -> Option<&Index> {
        self.indexes.get(attr as usize)
    }

    /// Keys of users whose `attr` equals `value`, in key order.
    pub fn keys_with<'a>(
        &'a self,
        attr: Indexed,
        value: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.keys_equal_after(attr, value, None)
    }

    /// Keys after `after` of users whose `attr` equals `value`, in key order.
    pub fn keys_equal_after<'a>(
        &'a self,
        attr: Indexed,
        value: &'a str,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.index(attr)
            .into_iter()
            .flat_map(move |index| index.equal(value, after, &self.order))
    }

    /// Keys after `after` of users whose `attr` starts with `prefix`, in key order.
    pub fn keys_with_prefix_after<'a>(
        &'a self,
        attr: Indexed,
        prefix: &'a str,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.index(attr)
            .into_iter()
            .flat_map(move |index| index.prefixed(prefix, after, &self.order))
    }

    /// Keys of users whose email is `email` in any case.
    pub fn keys_with_email_folded(&self, email: &str) -> Vec<String> {
        let folded = email.to_lowercase();
        let mut keys: Vec<String> = self
            .keys_with(Indexed::Email, &folded)
            .chain(self.keys_with(Indexed::FoldedEmail, &folded))
            .map(str::to_string)
            .collect();
        keys.sort();
        keys
    }

    /// Users in key order, starting after `after`.
    pub fn after<'a>(
        &'a self,
        after: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a str, &'a User)> + 'a {
        self.range(after.map_or(Bound::Unbounded, Bound::Excluded))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, sub: &str, attributes: &[(&str, &str)]) -> User {
        User::new(
            name.into(),
            sub.into(),
            attributes
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            UserStatusType::Confirmed,
            Timestamp::from_secs(0),
        )
    }

    fn sub(n: u8) -> String {
        format!("{n:08x}-abcd-4000-8000-000000000000")
    }

    fn equal(users: &Users, attr: Indexed, value: &str, after: Option<&str>) -> Vec<String> {
        users
            .keys_equal_after(attr, value, after)
            .map(str::to_string)
            .collect()
    }

    fn prefixed(users: &Users, attr: Indexed, prefix: &str, after: Option<&str>) -> Vec<String> {
        users
            .keys_with_prefix_after(attr, prefix, after)
            .map(str::to_string)
            .collect()
    }

    fn indexed_entries(users: &Users) -> usize {
        users
            .indexes
            .iter()
            .map(|index| match index {
                Index::Values(entries) => entries.len(),
                Index::Classes(classes) => {
                    let stored: usize = classes.stored.values().map(BTreeSet::len).sum();
                    // The implicit value's keys count as they would if stored.
                    let implicit = classes.implicit.map_or(0, |_| users.order.len() - stored);
                    stored + implicit
                }
                Index::Subs { uuids, others } => uuids.len() + others.len(),
            })
            .sum()
    }

    /// Five users: `a`..`e`, with emails of two kinds, `d` with a `sub` that is no UUID.
    fn five() -> Users {
        let mut users = Users::default();
        for (key, email) in [
            ("e", "x@one.com"),
            ("b", "y@two.com"),
            ("d", "x@one.com"),
            ("a", "x@one.com"),
            ("c", "X@Two.com"),
        ] {
            let id = if key == "d" {
                "not-a-uuid".to_string()
            } else {
                sub(key.as_bytes().first().copied().unwrap_or_default())
            };
            users.insert(key.into(), user(key, &id, &[("email", email)]));
        }
        users
    }

    /// Attributes keep their names sorted and unique through every change, read back
    /// what was written (empty and non-ASCII values included), and are written down as
    /// the list of pairs they always were.
    #[test]
    fn attributes_in_one_block_behave_as_a_sorted_map() {
        let mut attributes: Attributes = [
            ("name".to_owned(), "Zoë".to_owned()),
            ("email".to_owned(), "a@example.com".to_owned()),
            ("name".to_owned(), "Zoé".to_owned()),
        ]
        .into_iter()
        .collect();
        assert_eq!(attributes.len(), 2);
        assert_eq!(attributes.get("name"), Some("Zoé"));
        assert_eq!(attributes.get("nam"), None);
        assert_eq!(attributes.get("zz"), None);
        assert_eq!(attributes.insert("custom:x".into(), String::new()), None);
        assert_eq!(
            attributes.insert("email".into(), "b@example.com".into()),
            Some("a@example.com".to_owned())
        );
        assert_eq!(attributes.get("custom:x"), Some(""));
        assert!(attributes.contains_key("custom:x"));
        let listed: Vec<(&str, &str)> = attributes.iter().collect();
        assert_eq!(
            listed,
            [
                ("custom:x", ""),
                ("email", "b@example.com"),
                ("name", "Zoé")
            ]
        );
        let json = serde_json::to_string(&attributes).unwrap();
        assert_eq!(
            json,
            r#"[["custom:x",""],["email","b@example.com"],["name","Zoé"]]"#
        );
        assert_eq!(
            serde_json::from_str::<Attributes>(&json).unwrap(),
            attributes
        );
        assert_eq!(attributes.remove("email"), Some("b@example.com".to_owned()));
        assert_eq!(attributes.remove("email"), None);
        assert_eq!(attributes.remove("custom:x"), Some(String::new()));
        assert_eq!(attributes.remove("name"), Some("Zoé".to_owned()));
        assert!(attributes.is_empty());
        assert_eq!(attributes, Attributes::default());
    }

    /// What a user's answer reads lies in the first two cache lines of the user.
    #[test]
    fn the_fields_a_read_looks_at_come_first() {
        use std::mem::offset_of;
        let hot = [
            offset_of!(User, username) + std::mem::size_of::<String>(),
            offset_of!(User, sub) + std::mem::size_of::<String>(),
            offset_of!(User, attributes) + std::mem::size_of::<Attributes>(),
            offset_of!(User, created) + std::mem::size_of::<Timestamp>(),
            offset_of!(User, modified) + std::mem::size_of::<Timestamp>(),
            offset_of!(User, mfa_options) + std::mem::size_of::<Rare<Vec<MFAOptionType>>>(),
            offset_of!(User, mfa) + std::mem::size_of::<MfaPreferences>(),
            offset_of!(User, enabled) + 1,
            offset_of!(User, status) + std::mem::size_of::<UserStatusType>(),
        ];
        assert!(hot.iter().all(|&end| end <= 128), "{hot:?}");
    }

    #[test]
    fn equal_and_prefix_answer_in_key_order_after_the_cursor() {
        let users = five();
        assert_eq!(
            equal(&users, Indexed::Email, "x@one.com", None),
            ["a", "d", "e"]
        );
        assert_eq!(
            equal(&users, Indexed::Email, "x@one.com", Some("a")),
            ["d", "e"]
        );
        assert_eq!(equal(&users, Indexed::Email, "x@one.co", None), [""; 0]);
        assert_eq!(
            prefixed(&users, Indexed::Email, "x@", None),
            ["a", "d", "e"]
        );
        assert_eq!(prefixed(&users, Indexed::Email, "", Some("c")), ["d", "e"]);
        assert_eq!(users.keys_with_email_folded("x@two.COM"), ["c"]);
        assert_eq!(users.keys_with_email_folded("X@ONE.com"), ["a", "d", "e"]);
        assert_eq!(
            equal(&users, Indexed::UserStatus, "CONFIRMED", Some("b")),
            ["c", "d", "e"]
        );
        assert_eq!(equal(&users, Indexed::Status, "Enabled", None).len(), 5);
        assert_eq!(equal(&users, Indexed::Status, "Disabled", None), [""; 0]);
        assert_eq!(equal(&users, Indexed::Status, "Enable", None), [""; 0]);
    }

    #[test]
    fn subs_are_found_as_uuids_and_as_other_text() {
        let users = five();
        let a = sub(b'a');
        assert_eq!(uuid_bits(&a).map(|b| b >> 96), Some(0x61));
        assert_eq!(equal(&users, Indexed::Sub, &a, None), ["a"]);
        assert_eq!(equal(&users, Indexed::Sub, &a, Some("a")), [""; 0]);
        assert_eq!(
            equal(&users, Indexed::Sub, &a.to_uppercase(), None),
            [""; 0]
        );
        assert_eq!(equal(&users, Indexed::Sub, "not-a-uuid", None), ["d"]);
        assert_eq!(
            prefixed(&users, Indexed::Sub, "", None),
            ["a", "b", "c", "d", "e"]
        );
        assert_eq!(
            prefixed(&users, Indexed::Sub, "000000", None),
            ["a", "b", "c", "e"]
        );
        assert_eq!(prefixed(&users, Indexed::Sub, "00000062-", None), ["b"]);
        assert_eq!(prefixed(&users, Indexed::Sub, "00000062-a", None), ["b"]);
        assert_eq!(prefixed(&users, Indexed::Sub, &a, None), ["a"]);
        assert_eq!(prefixed(&users, Indexed::Sub, "00000062_", None), [""; 0]);
        assert_eq!(
            prefixed(&users, Indexed::Sub, &format!("{a}0"), None),
            [""; 0]
        );
        assert_eq!(prefixed(&users, Indexed::Sub, "not", None), ["d"]);
        assert_eq!(
            prefixed(&users, Indexed::Sub, "0000006", Some("b")),
            ["c", "e"]
        );
    }

    #[test]
    fn the_order_of_uuid_bits_is_the_order_of_their_text() {
        let texts = [
            "00000000-0000-0000-0000-000000000000",
            "0000000f-ffff-ffff-ffff-ffffffffffff",
            "00000010-0000-0000-0000-000000000000",
            "9fffffff-ffff-ffff-ffff-ffffffffffff",
            "a0000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ];
        let bits: Vec<u128> = texts.iter().filter_map(|t| uuid_bits(t)).collect();
        assert_eq!(bits.len(), texts.len());
        assert!(bits.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(uuid_bits("00000000-0000-0000-0000-00000000000G"), None);
        assert_eq!(uuid_bits("00000000_0000-0000-0000-000000000000"), None);
        assert_eq!(
            uuid_range("a"),
            Some((bits[4], (0xa << 124) | (u128::MAX >> 4)))
        );
        assert_eq!(uuid_range("0000000"), Some((bits[0], bits[1])));
        assert_eq!(uuid_range("é"), None);
    }

    #[test]
    fn classes_merge_in_key_order() {
        let mut users = five();
        users.update("b", |u| u.status = UserStatusType::ForceChangePassword);
        users.update("d", |u| u.status = UserStatusType::Compromised);
        users.update("e", |u| u.enabled = false);
        assert_eq!(
            prefixed(&users, Indexed::UserStatus, "CO", None),
            ["a", "c", "d", "e"]
        );
        assert_eq!(
            prefixed(&users, Indexed::UserStatus, "", Some("a")),
            ["b", "c", "d", "e"]
        );
        assert_eq!(
            prefixed(&users, Indexed::UserStatus, "COMPROMISED!", None),
            [""; 0]
        );
        assert_eq!(equal(&users, Indexed::Status, "Disabled", None), ["e"]);
        assert_eq!(
            prefixed(&users, Indexed::Status, "E", Some("b")),
            ["c", "d"]
        );
    }

    #[test]
    fn changes_and_removals_keep_the_indexes_exact() {
        let mut users = five();
        assert_eq!(indexed_entries(&users), 5 * 4 + 1);
        users.update("c", |u| {
            u.attributes.insert("email".into(), "x@one.com".into());
            u.attributes
                .insert("phone_number".into(), "+15550100".into());
        });
        assert_eq!(
            equal(&users, Indexed::Email, "x@one.com", None),
            ["a", "c", "d", "e"]
        );
        assert_eq!(users.keys_with_email_folded("X@Two.com"), [""; 0]);
        assert_eq!(
            equal(&users, Indexed::PhoneNumber, "+15550100", None),
            ["c"]
        );
        users.update("a", |u| u.sub = "other".into());
        assert_eq!(equal(&users, Indexed::Sub, "other", None), ["a"]);
        assert_eq!(equal(&users, Indexed::Sub, &sub(b'a'), None), [""; 0]);
        for key in ["a", "b", "c", "d", "e"] {
            assert!(users.remove(key).is_some());
        }
        assert!(users.is_empty());
        assert_eq!(indexed_entries(&users), 0);
        assert!(users.indexes.iter().all(|index| match index {
            Index::Classes(classes) => classes.stores_nothing(),
            _ => true,
        }));
    }

    /// The status indexes' implicit values, in the order of [`Indexed::ALL`].
    fn implicit_classes(users: &Users) -> Vec<&'static str> {
        users
            .indexes
            .iter()
            .filter_map(|index| match index {
                Index::Classes(classes) => classes.implicit,
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_implicit_class_follows_the_most_common_status() {
        let mut users = Users::default();
        let keys: Vec<String> = (0..400).map(|i| format!("u{i:03}")).collect();
        for key in &keys {
            users.insert(key.clone(), user(key, &sub(0), &[]));
        }
        assert_eq!(implicit_classes(&users), ["CONFIRMED", "Enabled"]);
        assert_eq!(indexed_entries(&users), 400 * 3);
        // Three users in four change; past the slack, FORCE_CHANGE_PASSWORD is the most
        // common status and takes the implicit place.
        let changed = |i: usize| i % 4 != 0;
        for (i, key) in keys.iter().enumerate().filter(|(i, _)| changed(*i)) {
            users.update(key, |u| {
                u.status = UserStatusType::ForceChangePassword;
                u.enabled = i % 2 == 0;
            });
        }
        assert_eq!(
            implicit_classes(&users),
            ["FORCE_CHANGE_PASSWORD", "Enabled"]
        );
        assert_eq!(indexed_entries(&users), 400 * 3);
        let with = |f: &dyn Fn(usize) -> bool| -> Vec<String> {
            (0..400)
                .filter(|i| f(*i))
                .map(|i| format!("u{i:03}"))
                .collect()
        };
        let confirmed = with(&|i| !changed(i));
        let forced = with(&|i| changed(i));
        assert_eq!(
            equal(&users, Indexed::UserStatus, "CONFIRMED", None),
            confirmed
        );
        assert_eq!(
            equal(&users, Indexed::UserStatus, "FORCE_CHANGE_PASSWORD", None),
            forced
        );
        assert_eq!(
            equal(
                &users,
                Indexed::UserStatus,
                "FORCE_CHANGE_PASSWORD",
                Some("u100")
            ),
            with(&|i| changed(i) && i > 100)
        );
        assert_eq!(
            prefixed(&users, Indexed::UserStatus, "", Some("u200")),
            with(&|i| i > 200)
        );
        assert_eq!(
            prefixed(&users, Indexed::UserStatus, "F", Some("u200")),
            with(&|i| changed(i) && i > 200)
        );
        assert_eq!(
            equal(&users, Indexed::Status, "Disabled", None),
            with(&|i| changed(i) && i % 2 == 1)
        );
        assert_eq!(
            prefixed(&users, Indexed::Status, "En", Some("u010")),
            with(&|i| i > 10 && (!changed(i) || i % 2 == 0))
        );
        // Removing the most common status's users gives the place back.
        for key in forced.iter() {
            assert!(users.remove(key).is_some());
        }
        assert_eq!(implicit_classes(&users), ["CONFIRMED", "Enabled"]);
        assert_eq!(indexed_entries(&users), confirmed.len() * 3);
        assert_eq!(
            equal(&users, Indexed::UserStatus, "CONFIRMED", Some("u000")),
            confirmed.get(1..).unwrap_or_default()
        );
        assert_eq!(
            equal(&users, Indexed::UserStatus, "FORCE_CHANGE_PASSWORD", None),
            [""; 0]
        );
        assert!(users.indexes.iter().all(|index| match index {
            Index::Classes(classes) => classes.stores_nothing(),
            _ => true,
        }));
    }

    #[test]
    fn rare_parts_are_allocated_when_written_and_freed_when_emptied() {
        let mut users = five();
        let stored = users.get("a").unwrap();
        assert!(stored.codes.0.is_none() && stored.groups.0.is_none());
        assert!(stored.codes.is_empty());
        assert!(stored.sign_in.pending_attributes.get("email").is_none());
        users.update("a", |u| {
            u.groups.insert("admins".into());
            u.codes.push(PendingCode {
                purpose: CodePurpose::SignUp,
                code: Secret::new("123456".into()),
                expires: Timestamp::from_secs(60),
            });
        });
        let stored = users.get("a").unwrap();
        assert!(stored.groups.contains("admins"));
        assert_eq!(stored.codes.len(), 1);
        let copy = stored.clone();
        let groups: BTreeSet<String> = copy.groups.clone();
        assert_eq!(groups.len(), 1);
        users.update("a", |u| {
            u.codes.retain(|c| c.purpose != CodePurpose::SignUp)
        });
        let stored = users.get("a").unwrap();
        assert!(stored.codes.0.is_none());
        assert!(stored.groups.0.is_some());
    }
}
