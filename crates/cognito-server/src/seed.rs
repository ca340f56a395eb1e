//! Seed files (`docs/seed.md`): a [`Seed`] document read from JSON or YAML, applied at
//! start (`--seed FILE`) or sent to a running server's test API (`cognito-server seed
//! FILE --endpoint URL`). What a seed makes, and how, is `cognito_core::seed`'s; this
//! module reads files and talks to servers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cognito_core::seed::Seed;

/// Why a seed file could not be used.
#[derive(Debug)]
pub enum SeedError {
    /// The file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a seed document.
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line when the parser knows it.
        reason: String,
    },
    /// The server refused the document or could not be reached.
    Server(String),
}

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedError::Read { path, source } => {
                write!(f, "cannot read the seed file {}: {source}", path.display())
            }
            SeedError::Parse { path, reason } => write!(
                f,
                "the seed file {} is not a seed document: {reason}",
                path.display()
            ),
            SeedError::Server(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for SeedError {}

/// The seed document in `path`: JSON when its name ends in `.json`, YAML otherwise
/// (YAML reads JSON too).
pub fn load(path: &Path) -> Result<Seed, SeedError> {
    let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

fn parse(path: &Path, text: &str) -> Result<Seed, SeedError> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if json {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_norway::from_str(text).map_err(|e| e.to_string())
    };
    parsed.map_err(|reason| SeedError::Parse {
        path: path.to_owned(),
        reason,
    })
}

/// Applies `seed` to the server at `endpoint` through its test API (`POST
/// /_cognito/seed`), and answers its summary: what it made and what was already there.
pub fn send(seed: &Seed, endpoint: &url::Url) -> Result<serde_json::Value, SeedError> {
    let url = endpoint
        .join("/_cognito/seed")
        .map_err(|e| SeedError::Server(format!("{endpoint} is no base URL: {e}")))?;
    let body = serde_json::to_string(seed).map_err(|e| SeedError::Server(e.to_string()))?;
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let answer = match agent
        .post(url.as_str())
        .set("content-type", "application/json")
        .send_string(&body)
    {
        Ok(response) => response,
        Err(ureq::Error::Status(status, response)) => {
            let text = response.into_string().unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| {
                    Some(format!(
                        "{}: {}",
                        v.get("__type")?.as_str()?,
                        v.get("message")?.as_str()?
                    ))
                })
                .unwrap_or(text);
            return Err(SeedError::Server(format!(
                "{url} refused the seed ({status}): {message}"
            )));
        }
        Err(e) => return Err(SeedError::Server(format!("cannot reach {url}: {e}"))),
    };
    let text = answer
        .into_string()
        .map_err(|e| SeedError::Server(format!("cannot read {url}'s answer: {e}")))?;
    serde_json::from_str(&text)
        .map_err(|e| SeedError::Server(format!("{url} answered no JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_read_the_same_document() {
        let yaml = "UserPools:\n  - Id: us-east-1_Example\n    PoolName: app\n    Clients:\n      - ClientId: exampleclient\n        ClientName: web\n";
        let json = r#"{"UserPools": [{"Id": "us-east-1_Example", "PoolName": "app",
            "Clients": [{"ClientId": "exampleclient", "ClientName": "web"}]}]}"#;
        let from_yaml = parse(Path::new("seed.yaml"), yaml).unwrap();
        let from_json = parse(Path::new("seed.JSON"), json).unwrap();
        assert_eq!(from_yaml, from_json);
        assert_eq!(from_yaml.user_pools[0].id, "us-east-1_Example");
        // YAML reads JSON too, whatever the name.
        assert_eq!(parse(Path::new("seed"), json).unwrap(), from_json);
    }

    #[test]
    fn bad_files_name_themselves() {
        let e = parse(Path::new("s.yml"), "UserPool: []").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "the seed file s.yml is not a seed document: unknown field `UserPool`"
            ),
            "{e}"
        );
        let e = parse(Path::new("s.json"), "{").unwrap_err();
        assert!(e.to_string().contains("EOF"), "{e}");
        let e = load(Path::new("/nonexistent/seed.yaml")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read the seed file /nonexistent/seed.yaml"),
            "{e}"
        );
    }

    /// The fenced block of `language` after `heading` in `text`.
    fn block<'t>(text: &'t str, heading: &str, language: &str) -> &'t str {
        let after = &text[text.find(heading).unwrap()..];
        let start = after.find(&format!("```{language}\n")).unwrap() + language.len() + 4;
        let rest = &after[start..];
        &rest[..rest.find("```").unwrap()]
    }

    #[test]
    fn the_documented_example_applies_as_documented() {
        let doc = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/seed.md"),
        )
        .unwrap();
        let seed = parse(
            Path::new("seed.yaml"),
            block(&doc, "## A complete example", "yaml"),
        )
        .unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(block(&doc, "Applied to an empty server", "json")).unwrap();
        let cognito = cognito_core::Cognito::in_memory(Box::new(crate::OsSeededRandom));
        let ctx = cognito_core::RequestContext {
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            now: cognito_model::Timestamp::from_secs(1_767_225_600),
            aws_sdk_version: None,
        };
        let seeded = cognito.apply_seed(&ctx, &seed).unwrap();
        assert_eq!(
            serde_json::json!({"created": seeded.created, "existing": seeded.existing}),
            expected
        );
        let again = cognito.apply_seed(&ctx, &seed).unwrap();
        assert!(again.created.is_empty());
        assert_eq!(again.existing, seeded.created);
    }
}
