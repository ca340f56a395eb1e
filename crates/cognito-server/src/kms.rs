//! The codes handed to custom sender triggers, encrypted as Cognito encrypts them: a data
//! key from KMS's `GenerateDataKey` under the pool's `KMSKeyID`, then an AWS Encryption
//! SDK message (`cognito_crypto::encryption_sdk`) whose one encrypted data key is KMS's,
//! so that a function decrypts the code with the SDK and the same KMS.
//!
//! KMS is reached at `--kms-endpoint` (`[kms] endpoint`): a local KMS such as moto's
//! server, LocalStack or local-kms, or over `https://` the real one. Calls are awsJson1_1
//! (`X-Amz-Target: TrentService.GenerateDataKey`) signed with SigV4 for the Region of the
//! key's ARN, with the environment's credentials (`AWS_ACCESS_KEY_ID`, ...) when set,
//! else local ones whose access key is the key's account, as local KMS servers read it.
//! The encryption context the core names (Cognito's is `userpool-id`) is sent to KMS and
//! written in the message's header alike. Neither the code nor the data key is logged.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use cognito_core::lambda::CodeEncryption;
use cognito_core::{Clock, Random};
use cognito_crypto::encryption_sdk::{self, EncryptedDataKey, AWS_KMS_PROVIDER_ID};
use cognito_crypto::Secret;
use serde_json::{json, Map, Value};
use url::Url;

use crate::functions::sigv4::{self, Credentials};
use crate::{OsSeededRandom, SystemClock};

/// How long a call to KMS may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Encrypts codes with data keys of the KMS at an endpoint.
pub struct KmsCodeEncryption {
    endpoint: Url,
    agent: ureq::Agent,
    credentials: Option<Credentials>,
    default_region: String,
}

/// What `GenerateDataKey` answers.
struct DataKey {
    /// The key's ARN, as KMS names it.
    key_arn: String,
    plaintext: Secret<[u8; encryption_sdk::DATA_KEY_LENGTH]>,
    ciphertext: Vec<u8>,
}

impl KmsCodeEncryption {
    /// Calls the KMS at `endpoint`, signing with `credentials` when given, for the Region
    /// of each key's ARN (`default_region` for a key named otherwise).
    pub fn new(endpoint: Url, credentials: Option<Credentials>, default_region: &str) -> Self {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(TIMEOUT)
            .user_agent(concat!("cognito-server/", env!("CARGO_PKG_VERSION")))
            .build();
        KmsCodeEncryption {
            endpoint,
            agent,
            credentials,
            default_region: default_region.to_owned(),
        }
    }

    /// `GenerateDataKey` for a 256-bit AES key under `key_id`, bound to `context`.
    fn generate_data_key(&self, key_id: &str, context: &[(&str, &str)]) -> Result<DataKey, String> {
        let key = KeyArn::parse(key_id);
        let region = key.region.unwrap_or(&self.default_region);
        let context: Map<String, Value> = context
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect();
        let body = json!({
            "KeyId": key_id,
            "KeySpec": "AES_256",
            "EncryptionContext": context,
        })
        .to_string();
        let host = host_header(&self.endpoint);
        let headers = [
            ("host", host.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "TrentService.GenerateDataKey"),
        ];
        let credentials = self
            .credentials
            .clone()
            .unwrap_or_else(|| local_credentials(key.account));
        let signed = sigv4::sign(
            &sigv4::Request {
                method: "POST",
                path: self.endpoint.path(),
                query: self.endpoint.query().unwrap_or(""),
                headers: &headers,
                body: body.as_bytes(),
            },
            &sigv4::Scope {
                region,
                service: "kms",
                amz_date: &crate::functions::amz_date(SystemClock.now().secs()),
            },
            &credentials,
        );
        let mut request = self
            .agent
            .post(self.endpoint.as_str())
            .set("Host", &host)
            .set("Content-Type", "application/x-amz-json-1.1")
            .set("X-Amz-Target", "TrentService.GenerateDataKey");
        for (name, value) in &signed {
            request = request.set(name, value);
        }
        let answer = match request.send_string(&body) {
            Ok(response) => read_json(response)?,
            Err(ureq::Error::Status(status, response)) => {
                return Err(refusal(status, response));
            }
            Err(ureq::Error::Transport(e)) => {
                return Err(format!("KMS at {} is unreachable: {e}", self.endpoint));
            }
        };
        data_key(&answer)
    }
}

impl CodeEncryption for KmsCodeEncryption {
    fn encrypt(
        &self,
        key_id: &str,
        code: &str,
        context: &[(&str, &str)],
    ) -> Result<String, String> {
        let key = self.generate_data_key(key_id, context)?;
        let mut message_id = [0u8; encryption_sdk::MESSAGE_ID_LENGTH];
        OsSeededRandom.fill(&mut message_id);
        let message = encryption_sdk::encrypt(
            code.as_bytes(),
            context,
            &key.plaintext,
            &EncryptedDataKey {
                provider_id: AWS_KMS_PROVIDER_ID.to_owned(),
                provider_info: key.key_arn.into_bytes(),
                ciphertext: key.ciphertext,
            },
            &message_id,
        )
        .map_err(|e| e.to_string())?;
        Ok(BASE64.encode(message))
    }
}

/// The parts of a KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`) a call needs;
/// a key id or alias names neither.
struct KeyArn<'a> {
    region: Option<&'a str>,
    account: Option<&'a str>,
}

impl<'a> KeyArn<'a> {
    fn parse(key_id: &'a str) -> KeyArn<'a> {
        let parts: Vec<&str> = key_id.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "kms", region, account, _] => KeyArn {
                region: Some(region).filter(|r| !r.is_empty()).copied(),
                account: Some(account).filter(|a| !a.is_empty()).copied(),
            },
            _ => KeyArn {
                region: None,
                account: None,
            },
        }
    }
}

/// Credentials for a local KMS, which checks no secret: the access key is the key's
/// account id, from which moto and LocalStack take the account.
fn local_credentials(account: Option<&str>) -> Credentials {
    let account = account
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("000000000000");
    Credentials {
        access_key_id: account.to_owned(),
        secret_access_key: "test".to_owned(),
        session_token: None,
    }
}

fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn read_json(response: ureq::Response) -> Result<Value, String> {
    let text = response
        .into_string()
        .map_err(|e| format!("cannot read KMS's answer: {e}"))?;
    serde_json::from_str(&text).map_err(|_| "KMS answered something other than JSON".to_owned())
}

/// Why KMS refused: `<__type>: <message>` of its error, else the status.
fn refusal(status: u16, response: ureq::Response) -> String {
    let error = read_json(response).ok();
    let field = |name: &str| {
        error
            .as_ref()
            .and_then(|e| e.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let kind = field("__type").map(|t| t.rsplit('#').next().unwrap_or_default().to_owned());
    let message = field("message").or_else(|| field("Message"));
    match (kind, message) {
        (Some(kind), Some(message)) => format!("{kind}: {message}"),
        (Some(kind), None) => kind,
        _ => format!("KMS answered HTTP {status}"),
    }
}

/// The data key of a `GenerateDataKey` answer.
fn data_key(answer: &Value) -> Result<DataKey, String> {
    let field = |name: &str| {
        answer
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("KMS's answer has no {name}"))
    };
    let decode = |name: &str| {
        BASE64
            .decode(field(name)?)
            .map_err(|_| format!("KMS's {name} is not base64"))
    };
    let plaintext: [u8; encryption_sdk::DATA_KEY_LENGTH] = decode("Plaintext")?
        .try_into()
        .map_err(|_| "KMS's data key is not 256 bits long".to_owned())?;
    Ok(DataKey {
        key_arn: field("KeyId")?.to_owned(),
        plaintext: Secret::new(plaintext),
        ciphertext: decode("CiphertextBlob")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_arns_name_the_region_and_account() {
        let arn = KeyArn::parse(
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        );
        assert_eq!(
            (arn.region, arn.account),
            (Some("eu-west-1"), Some("111122223333"))
        );
        let id = KeyArn::parse("1234abcd-12ab-34cd-56ef-1234567890ab");
        assert_eq!((id.region, id.account), (None, None));
        assert_eq!(
            local_credentials(Some("111122223333")).access_key_id,
            "111122223333"
        );
        assert_eq!(local_credentials(None).access_key_id, "000000000000");
    }

    #[test]
    fn answers_read_as_kms_writes_them() {
        let key = data_key(&json!({
            "KeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
            "Plaintext": BASE64.encode([5u8; 32]),
            "CiphertextBlob": BASE64.encode(b"sealed"),
        }))
        .unwrap();
        assert_eq!(key.key_arn, "arn:aws:kms:us-east-1:123456789012:key/k");
        assert_eq!(key.plaintext.expose(), &[5u8; 32]);
        assert_eq!(key.ciphertext, b"sealed");
        let short = data_key(&json!({
            "KeyId": "k",
            "Plaintext": BASE64.encode([5u8; 16]),
            "CiphertextBlob": "",
        }));
        assert_eq!(
            short.err().as_deref(),
            Some("KMS's data key is not 256 bits long")
        );
    }
}
