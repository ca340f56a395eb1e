//! Messages of the AWS Encryption SDK, as Cognito hands codes and temporary passwords to
//! custom sender triggers: message format version 2 with the algorithm suite
//! `AES_256_GCM_HKDF_SHA512_COMMIT_KEY` (`0x0478`: AES-256-GCM under a key derived with
//! HKDF-SHA-512, committed to by a second derived key, and no signature), framed
//! content, one encrypted data key. A function decrypts such a message with the SDK of
//! its language (`@aws-crypto/client-node`, `aws-encryption-sdk` for Python, ...) under
//! any commitment policy.
//!
//! Each step follows the public AWS Encryption SDK specification, whose documents the
//! comments name:
//!
//! - `data-format/message-header.md`: the header body (version 2.0) and its
//!   authentication tag;
//! - `framework/structures.md`: the encryption context's serialization;
//! - `framework/transitive-requirements.md`: the data key's derivation ("HKDF
//!   Encryption Key") and the commitment key's ("HKDF Commit Key");
//! - `client-apis/encrypt.md`: the header authentication tag (IV 0, empty plaintext,
//!   the header body as AAD) and the frames (IV the sequence number padded to 12 bytes);
//! - `data-format/message-body.md`, `data-format/message-body-aad.md`: frames and
//!   their AAD.
//!
//! The data key comes from the caller (KMS's `GenerateDataKey` answers it with its
//! encrypted form, which the message carries), and so does the message ID: this module
//! draws no randomness. [`encrypt`] writes a message; [`Message::parse`] and
//! [`Message::open`] read one back, for tests and tools.

use std::fmt;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::hkdf::{Salt, HKDF_SHA512};
use subtle::ConstantTimeEq;

use crate::secret::Secret;

#[cfg(test)]
mod tests;

/// The message format version this module writes and reads (`message-header.md`,
/// "Supported Versions").
pub const VERSION: u8 = 0x02;

/// `AES_256_GCM_HKDF_SHA512_COMMIT_KEY` (`framework/algorithm-suites.md`).
pub const ALGORITHM_SUITE_ID: u16 = 0x0478;

/// The content type of framed data (`message-header.md`, "Supported Content Types").
pub const FRAMED: u8 = 0x02;

/// The length of a regular frame's content, the SDKs' default.
pub const FRAME_LENGTH: u32 = 4096;

/// The key provider ID of a data key encrypted by AWS KMS; its provider information is
/// the KMS key's ARN.
pub const AWS_KMS_PROVIDER_ID: &str = "aws-kms";

/// Lengths of the suite: data key (the key derivation input), derived key, commitment
/// key, message ID (the HKDF salt), IV and authentication tag, in bytes.
pub const DATA_KEY_LENGTH: usize = 32;
const ENCRYPTION_KEY_LENGTH: usize = 32;
const COMMIT_KEY_LENGTH: usize = 32;
/// The length of a version 2 message ID, in bytes.
pub const MESSAGE_ID_LENGTH: usize = 32;
const IV_LENGTH: usize = 12;
const TAG_LENGTH: usize = 16;

/// The final frame's marker in place of a sequence number (`message-body.md`,
/// "Sequence Number End").
const SEQUENCE_NUMBER_END: u32 = 0xFFFF_FFFF;

/// `message-body-aad.md`, "Body AAD Content".
const REGULAR_FRAME_AAD: &[u8] = b"AWSKMSEncryptionClient Frame";
const FINAL_FRAME_AAD: &[u8] = b"AWSKMSEncryptionClient Final Frame";

/// The HKDF info labels of `transitive-requirements.md`.
const DERIVE_KEY_LABEL: &[u8] = b"DERIVEKEY";
const COMMIT_KEY_LABEL: &[u8] = b"COMMITKEY";

/// A data key as a key provider encrypted it (`framework/structures.md`, "Encrypted Data
/// Key").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedDataKey {
    /// Who encrypted it: [`AWS_KMS_PROVIDER_ID`] for KMS.
    pub provider_id: String,
    /// Which key of the provider: the KMS key's ARN for KMS.
    pub provider_info: Vec<u8>,
    /// The encrypted data key (KMS's `CiphertextBlob`).
    pub ciphertext: Vec<u8>,
}

/// Why a message cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncryptError {
    /// An encryption context key or value, or the whole serialized context, is longer
    /// than its 2-byte length field allows.
    ContextTooLong,
    /// The encryption context names a key twice (`structures.md`: no duplicate entries).
    DuplicateContextKey,
    /// A field of the encrypted data key is longer than its 2-byte length field allows.
    DataKeyTooLong,
    /// The plaintext needs more frames than a message may have.
    PlaintextTooLong,
    /// AES-GCM refused the key or the input.
    Cipher,
}

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EncryptError::ContextTooLong => "the encryption context is too long",
            EncryptError::DuplicateContextKey => "the encryption context names a key twice",
            EncryptError::DataKeyTooLong => "the encrypted data key is too long",
            EncryptError::PlaintextTooLong => "the plaintext is too long",
            EncryptError::Cipher => "AES-GCM refused the key or the input",
        })
    }
}

impl std::error::Error for EncryptError {}

/// Why a message cannot be read, named after the check that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecryptError {
    /// The message ends before a field it announces.
    Truncated,
    /// Bytes follow the final frame (an unsigned suite has no footer).
    TrailingBytes,
    /// The version is not 2.0.
    UnsupportedVersion(u8),
    /// The algorithm suite is not `0x0478`.
    UnsupportedAlgorithmSuite(u16),
    /// The content is not framed.
    UnsupportedContentType(u8),
    /// The header's AAD length disagrees with the key-value pairs it holds, or announces
    /// pairs and holds none.
    MalformedContext,
    /// The encryption context names a key twice.
    DuplicateContextKey,
    /// A context key or value, or a key provider ID, is not UTF-8.
    NotUtf8,
    /// The header holds no encrypted data key.
    NoDataKey,
    /// The header's frame length is 0.
    ZeroFrameLength,
    /// The data key is not 32 bytes long.
    DataKeyLength,
    /// The commitment key derived from the data key is not the header's: the data key is
    /// not the message's.
    CommitmentMismatch,
    /// The header authentication tag does not verify.
    HeaderAuthentication,
    /// A frame's sequence number is not the next one.
    SequenceNumber,
    /// The final frame's content is longer than the frame length.
    FinalFrameTooLong,
    /// A frame's authentication tag does not verify.
    FrameAuthentication,
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::Truncated => f.write_str("the message is truncated"),
            DecryptError::TrailingBytes => f.write_str("bytes follow the final frame"),
            DecryptError::UnsupportedVersion(v) => write!(f, "unsupported version {v:#04x}"),
            DecryptError::UnsupportedAlgorithmSuite(s) => {
                write!(f, "unsupported algorithm suite {s:#06x}")
            }
            DecryptError::UnsupportedContentType(t) => {
                write!(f, "unsupported content type {t:#04x}")
            }
            DecryptError::MalformedContext => f.write_str("the encryption context is malformed"),
            DecryptError::DuplicateContextKey => {
                f.write_str("the encryption context names a key twice")
            }
            DecryptError::NotUtf8 => f.write_str("a header string is not UTF-8"),
            DecryptError::NoDataKey => f.write_str("the header holds no encrypted data key"),
            DecryptError::ZeroFrameLength => f.write_str("the frame length is 0"),
            DecryptError::DataKeyLength => f.write_str("the data key is not 32 bytes long"),
            DecryptError::CommitmentMismatch => {
                f.write_str("the data key does not commit to this message")
            }
            DecryptError::HeaderAuthentication => {
                f.write_str("the header authentication tag does not verify")
            }
            DecryptError::SequenceNumber => f.write_str("a frame is out of sequence"),
            DecryptError::FinalFrameTooLong => {
                f.write_str("the final frame is longer than the frame length")
            }
            DecryptError::FrameAuthentication => {
                f.write_str("a frame's authentication tag does not verify")
            }
        }
    }
}

impl std::error::Error for DecryptError {}

/// Encrypts `plaintext` into a message under `data_key`, whose encrypted form
/// `encrypted_key` the header carries, with `context` serialized in the header and
/// `message_id` (random bytes from the caller) naming the message. Frames are
/// [`FRAME_LENGTH`] long.
pub fn encrypt(
    plaintext: &[u8],
    context: &[(&str, &str)],
    data_key: &Secret<[u8; DATA_KEY_LENGTH]>,
    encrypted_key: &EncryptedDataKey,
    message_id: &[u8; MESSAGE_ID_LENGTH],
) -> Result<Vec<u8>, EncryptError> {
    let keys = derive_keys(data_key.expose(), message_id);
    // client-apis/encrypt.md: the header body, then its authentication tag.
    let mut message = header_body(
        context,
        encrypted_key,
        message_id,
        FRAME_LENGTH,
        &keys.commit,
    )?;
    let tag = seal(&keys.encryption, [0; IV_LENGTH], &message, &mut [])?;
    message.extend_from_slice(&tag);
    write_frames(&mut message, plaintext, &keys.encryption, message_id)?;
    Ok(message)
}

/// The keys `transitive-requirements.md` derives from the data key: one HKDF-SHA-512
/// extract with the message ID as salt, then one expand per key.
struct Keys {
    /// "HKDF Encryption Key": info = the algorithm suite ID || `DERIVEKEY`.
    encryption: Secret<[u8; ENCRYPTION_KEY_LENGTH]>,
    /// "HKDF Commit Key": info = `COMMITKEY`.
    commit: [u8; COMMIT_KEY_LENGTH],
}

fn derive_keys(data_key: &[u8; DATA_KEY_LENGTH], message_id: &[u8; MESSAGE_ID_LENGTH]) -> Keys {
    let prk = Salt::new(HKDF_SHA512, message_id).extract(data_key);
    let suite = ALGORITHM_SUITE_ID.to_be_bytes();
    let mut encryption = [0; ENCRYPTION_KEY_LENGTH];
    let mut commit = [0; COMMIT_KEY_LENGTH];
    // 32-byte outputs of SHA-512's HKDF are far below its 255 * 64-byte limit: expand
    // and fill cannot fail.
    let _ = prk
        .expand(&[&suite, DERIVE_KEY_LABEL], Length(ENCRYPTION_KEY_LENGTH))
        .and_then(|okm| okm.fill(&mut encryption));
    let _ = prk
        .expand(&[COMMIT_KEY_LABEL], Length(COMMIT_KEY_LENGTH))
        .and_then(|okm| okm.fill(&mut commit));
    Keys {
        encryption: Secret::new(encryption),
        commit,
    }
}

/// An HKDF output length for `ring`.
struct Length(usize);

impl ring::hkdf::KeyType for Length {
    fn len(&self) -> usize {
        self.0
    }
}

/// The version 2.0 header body (`message-header.md`, "Header Body Version 2.0"): version,
/// algorithm suite ID, message ID, AAD (the serialized encryption context behind its
/// length), the encrypted data keys, content type, frame length, and the suite data (the
/// commitment key).
fn header_body(
    context: &[(&str, &str)],
    encrypted_key: &EncryptedDataKey,
    message_id: &[u8; MESSAGE_ID_LENGTH],
    frame_length: u32,
    commit_key: &[u8; COMMIT_KEY_LENGTH],
) -> Result<Vec<u8>, EncryptError> {
    let mut body = Vec::with_capacity(256);
    body.push(VERSION);
    body.extend_from_slice(&ALGORITHM_SUITE_ID.to_be_bytes());
    body.extend_from_slice(message_id);
    let aad = serialize_context(context)?;
    body.extend_from_slice(&u16_len(aad.len()).ok_or(EncryptError::ContextTooLong)?);
    body.extend_from_slice(&aad);
    // One encrypted data key.
    body.extend_from_slice(&1u16.to_be_bytes());
    for field in [
        encrypted_key.provider_id.as_bytes(),
        &encrypted_key.provider_info,
        &encrypted_key.ciphertext,
    ] {
        body.extend_from_slice(&u16_len(field.len()).ok_or(EncryptError::DataKeyTooLong)?);
        body.extend_from_slice(field);
    }
    body.push(FRAMED);
    body.extend_from_slice(&frame_length.to_be_bytes());
    body.extend_from_slice(commit_key);
    Ok(body)
}

/// The encryption context's serialization (`structures.md`, "Serialization"): nothing
/// for an empty context; otherwise the pair count, then each pair as key length, key,
/// value length, value, sorted by key in the ascending order of the keys' UTF-8 bytes.
fn serialize_context(context: &[(&str, &str)]) -> Result<Vec<u8>, EncryptError> {
    if context.is_empty() {
        return Ok(Vec::new());
    }
    let mut pairs = context.to_vec();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if pairs.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
        return Err(EncryptError::DuplicateContextKey);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&u16_len(pairs.len()).ok_or(EncryptError::ContextTooLong)?);
    for (key, value) in pairs {
        for field in [key, value] {
            out.extend_from_slice(&u16_len(field.len()).ok_or(EncryptError::ContextTooLong)?);
            out.extend_from_slice(field.as_bytes());
        }
    }
    Ok(out)
}

/// `len` as a big-endian UInt16, if it fits.
fn u16_len(len: usize) -> Option<[u8; 2]> {
    u16::try_from(len).ok().map(u16::to_be_bytes)
}

/// The framed body (`message-body.md`, "Framed Data"): the plaintext in frames of
/// [`FRAME_LENGTH`] bytes, numbered from 1; the last (which may be shorter, or empty
/// for an empty plaintext) is the final frame. Each frame's IV is its sequence number
/// padded to 12 bytes, its AAD the message body AAD (`encrypt.md`, "Construct a frame").
fn write_frames(
    out: &mut Vec<u8>,
    plaintext: &[u8],
    key: &Secret<[u8; ENCRYPTION_KEY_LENGTH]>,
    message_id: &[u8; MESSAGE_ID_LENGTH],
) -> Result<(), EncryptError> {
    let chunks: Vec<&[u8]> = if plaintext.is_empty() {
        vec![&[]]
    } else {
        plaintext.chunks(FRAME_LENGTH as usize).collect()
    };
    let last = chunks.len();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let sequence = u32::try_from(i + 1)
            .ok()
            .filter(|s| *s != SEQUENCE_NUMBER_END)
            .ok_or(EncryptError::PlaintextTooLong)?;
        let is_final = i + 1 == last;
        let length = u32::try_from(chunk.len()).map_err(|_| EncryptError::PlaintextTooLong)?;
        let aad = body_aad(message_id, is_final, sequence, u64::from(length));
        let iv = frame_iv(sequence);
        let mut content = chunk.to_vec();
        let tag = seal(key, iv, &aad, &mut content)?;
        if is_final {
            out.extend_from_slice(&SEQUENCE_NUMBER_END.to_be_bytes());
            out.extend_from_slice(&sequence.to_be_bytes());
            out.extend_from_slice(&iv);
            out.extend_from_slice(&length.to_be_bytes());
        } else {
            out.extend_from_slice(&sequence.to_be_bytes());
            out.extend_from_slice(&iv);
        }
        out.extend_from_slice(&content);
        out.extend_from_slice(&tag);
    }
    Ok(())
}

/// A frame's IV: its sequence number, big-endian, padded on the left to 12 bytes.
fn frame_iv(sequence: u32) -> [u8; IV_LENGTH] {
    let [a, b, c, d] = sequence.to_be_bytes();
    [0, 0, 0, 0, 0, 0, 0, 0, a, b, c, d]
}

/// The message body AAD (`message-body-aad.md`): message ID, the frame kind's label,
/// sequence number (UInt32), content length (UInt64).
fn body_aad(
    message_id: &[u8; MESSAGE_ID_LENGTH],
    is_final: bool,
    sequence: u32,
    length: u64,
) -> Vec<u8> {
    let label = if is_final {
        FINAL_FRAME_AAD
    } else {
        REGULAR_FRAME_AAD
    };
    let mut aad = Vec::with_capacity(MESSAGE_ID_LENGTH + label.len() + 12);
    aad.extend_from_slice(message_id);
    aad.extend_from_slice(label);
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad.extend_from_slice(&length.to_be_bytes());
    aad
}

/// AES-256-GCM: encrypts `content` in place and answers the tag.
fn seal(
    key: &Secret<[u8; ENCRYPTION_KEY_LENGTH]>,
    iv: [u8; IV_LENGTH],
    aad: &[u8],
    content: &mut [u8],
) -> Result<[u8; TAG_LENGTH], EncryptError> {
    let key = aes_key(key).ok_or(EncryptError::Cipher)?;
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), content)
        .map_err(|_| EncryptError::Cipher)?;
    let mut out = [0; TAG_LENGTH];
    out.copy_from_slice(tag.as_ref());
    Ok(out)
}

/// The AES-256-GCM key; `ring` refuses only keys of another length than 32 bytes.
fn aes_key(key: &Secret<[u8; ENCRYPTION_KEY_LENGTH]>) -> Option<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, key.expose())
        .ok()
        .map(LessSafeKey::new)
}

/// A message read back: its header's fields and its frames, not decrypted yet.
#[derive(Debug)]
pub struct Message<'a> {
    /// The message ID.
    pub message_id: [u8; MESSAGE_ID_LENGTH],
    /// The encryption context, in the order the header serializes it.
    pub context: Vec<(String, String)>,
    /// The encrypted data keys; one of them opens the message.
    pub encrypted_keys: Vec<EncryptedDataKey>,
    /// The length of regular frames.
    pub frame_length: u32,
    commit_key: [u8; COMMIT_KEY_LENGTH],
    header_body: &'a [u8],
    header_tag: &'a [u8],
    frames: Vec<Frame<'a>>,
}

#[derive(Debug)]
struct Frame<'a> {
    is_final: bool,
    sequence: u32,
    iv: &'a [u8],
    content: &'a [u8],
    tag: &'a [u8],
}

impl<'a> Message<'a> {
    /// Reads the structure of `bytes`: the header and every frame, checking lengths,
    /// the version, suite, content type and frame sequence, not the cryptography.
    pub fn parse(bytes: &'a [u8]) -> Result<Message<'a>, DecryptError> {
        let mut r = Reader(bytes);
        let version = r.u8()?;
        if version != VERSION {
            return Err(DecryptError::UnsupportedVersion(version));
        }
        let suite = r.u16()?;
        if suite != ALGORITHM_SUITE_ID {
            return Err(DecryptError::UnsupportedAlgorithmSuite(suite));
        }
        let message_id = r.array::<MESSAGE_ID_LENGTH>()?;
        let aad_length = r.u16()?;
        let context = parse_context(r.take(usize::from(aad_length))?)?;
        let key_count = r.u16()?;
        if key_count == 0 {
            return Err(DecryptError::NoDataKey);
        }
        let mut encrypted_keys = Vec::with_capacity(usize::from(key_count));
        for _ in 0..key_count {
            let provider_id = utf8(r.field()?)?;
            let provider_info = r.field()?.to_vec();
            let ciphertext = r.field()?.to_vec();
            encrypted_keys.push(EncryptedDataKey {
                provider_id,
                provider_info,
                ciphertext,
            });
        }
        let content_type = r.u8()?;
        if content_type != FRAMED {
            return Err(DecryptError::UnsupportedContentType(content_type));
        }
        let frame_length = r.u32()?;
        if frame_length == 0 {
            return Err(DecryptError::ZeroFrameLength);
        }
        let commit_key = r.array::<COMMIT_KEY_LENGTH>()?;
        let header_length = bytes.len() - r.0.len();
        let header_body = bytes.get(..header_length).ok_or(DecryptError::Truncated)?;
        let header_tag = r.take(TAG_LENGTH)?;
        let frames = parse_frames(&mut r, frame_length)?;
        if !r.0.is_empty() {
            return Err(DecryptError::TrailingBytes);
        }
        Ok(Message {
            message_id,
            context,
            encrypted_keys,
            frame_length,
            commit_key,
            header_body,
            header_tag,
            frames,
        })
    }

    /// Decrypts the message with the plaintext `data_key` of one of its encrypted data
    /// keys (`client-apis/decrypt.md`): derives the keys, checks the commitment, verifies
    /// the header, then decrypts each frame.
    pub fn open(&self, data_key: &[u8]) -> Result<Vec<u8>, DecryptError> {
        let data_key: &[u8; DATA_KEY_LENGTH] = data_key
            .try_into()
            .map_err(|_| DecryptError::DataKeyLength)?;
        let keys = derive_keys(data_key, &self.message_id);
        // transitive-requirements.md: the commitment is compared in constant time.
        if !bool::from(keys.commit.ct_eq(&self.commit_key)) {
            return Err(DecryptError::CommitmentMismatch);
        }
        let key = aes_key(&keys.encryption).ok_or(DecryptError::HeaderAuthentication)?;
        let mut tag = self.header_tag.to_vec();
        key.open_in_place(
            Nonce::assume_unique_for_key([0; IV_LENGTH]),
            Aad::from(self.header_body),
            &mut tag,
        )
        .map_err(|_| DecryptError::HeaderAuthentication)?;
        let mut plaintext = Vec::new();
        for frame in &self.frames {
            let iv: [u8; IV_LENGTH] = frame.iv.try_into().map_err(|_| DecryptError::Truncated)?;
            let aad = body_aad(
                &self.message_id,
                frame.is_final,
                frame.sequence,
                frame.content.len() as u64,
            );
            let mut sealed = [frame.content, frame.tag].concat();
            let opened = key
                .open_in_place(
                    Nonce::assume_unique_for_key(iv),
                    Aad::from(aad),
                    &mut sealed,
                )
                .map_err(|_| DecryptError::FrameAuthentication)?;
            plaintext.extend_from_slice(opened);
        }
        Ok(plaintext)
    }
}

/// The AAD field's key-value pairs (`structures.md`, "Serialization"): empty when the
/// field is; otherwise a count of at least one, then the pairs, filling the field
/// exactly, no key twice.
fn parse_context(aad: &[u8]) -> Result<Vec<(String, String)>, DecryptError> {
    if aad.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = Reader(aad);
    let count = r.u16().map_err(|_| DecryptError::MalformedContext)?;
    if count == 0 {
        return Err(DecryptError::MalformedContext);
    }
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let key = utf8(r.field().map_err(|_| DecryptError::MalformedContext)?)?;
        let value = utf8(r.field().map_err(|_| DecryptError::MalformedContext)?)?;
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(DecryptError::DuplicateContextKey);
        }
        pairs.push((key, value));
    }
    if !r.0.is_empty() {
        return Err(DecryptError::MalformedContext);
    }
    Ok(pairs)
}

/// Frames up to and including the final one, numbered from 1 without a gap.
fn parse_frames<'a>(r: &mut Reader<'a>, frame_length: u32) -> Result<Vec<Frame<'a>>, DecryptError> {
    let mut frames = Vec::new();
    let mut expected: u32 = 1;
    loop {
        let first = r.u32()?;
        let is_final = first == SEQUENCE_NUMBER_END;
        let sequence = if is_final { r.u32()? } else { first };
        if sequence != expected {
            return Err(DecryptError::SequenceNumber);
        }
        let iv = r.take(IV_LENGTH)?;
        let length = if is_final {
            let length = r.u32()?;
            if length > frame_length {
                return Err(DecryptError::FinalFrameTooLong);
            }
            length
        } else {
            frame_length
        };
        let content = r.take(usize::try_from(length).map_err(|_| DecryptError::Truncated)?)?;
        let tag = r.take(TAG_LENGTH)?;
        frames.push(Frame {
            is_final,
            sequence,
            iv,
            content,
            tag,
        });
        if is_final {
            return Ok(frames);
        }
        expected = expected
            .checked_add(1)
            .ok_or(DecryptError::SequenceNumber)?;
    }
}

fn utf8(bytes: &[u8]) -> Result<String, DecryptError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| DecryptError::NotUtf8)
}

/// Big-endian fields read off the front of a byte string.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecryptError> {
        if self.0.len() < n {
            return Err(DecryptError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecryptError> {
        self.take(N)?
            .try_into()
            .map_err(|_| DecryptError::Truncated)
    }

    fn u8(&mut self) -> Result<u8, DecryptError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16, DecryptError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, DecryptError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A field behind its UInt16 length.
    fn field(&mut self) -> Result<&'a [u8], DecryptError> {
        let length = self.u16()?;
        self.take(usize::from(length))
    }
}
