//! The triggers of a sign-in's end: `PostAuthentication`, and `PreTokenGeneration`,
//! whose function may change the tokens' claims before they are signed.
//!
//! Version 1 of the token event (`claimsOverrideDetails`) changes the ID token's claims
//! and the groups of both tokens; versions 2 and 3 (`claimsAndScopeOverrideDetails`)
//! change each token's claims, the access token's scopes and the groups. Claims that make
//! a token what it is (who issued it, to whom, when, for what) cannot be added,
//! overridden or suppressed: a function that tries answers
//! `InvalidLambdaResponseException`, as Cognito does.

use cognito_model::shapes::{ClientMetadataType, PreTokenGenerationLambdaVersionType};
use cognito_model::CognitoError;
use serde_json::{json, Map, Value};

use super::tokens::Unsigned;
use crate::delivery::metadata;
use crate::lambda::Trigger;
use crate::triggers::Event;
use crate::{Cognito, RequestContext};

/// Why tokens are issued, as token events name it (`TokenGeneration_<source>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenSource {
    Authentication,
    NewPasswordChallenge,
    AuthenticateDevice,
    RefreshTokens,
    /// The authorization code grant of a pool's domain (`authorization_code`).
    HostedAuth,
    /// A machine-to-machine token (`ops::client_tokens`): no user, version 3 only.
    ClientCredentials,
}

impl TokenSource {
    fn as_str(self) -> &'static str {
        match self {
            TokenSource::Authentication => "TokenGeneration_Authentication",
            TokenSource::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            TokenSource::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            TokenSource::RefreshTokens => "TokenGeneration_RefreshTokens",
            TokenSource::HostedAuth => "TokenGeneration_HostedAuth",
            TokenSource::ClientCredentials => "TokenGeneration_ClientCredentials",
        }
    }
}

/// What the token triggers need, taken with the claims while the pool's lock is held.
#[derive(Debug)]
pub(crate) struct TokenTriggers {
    pub(crate) pool_id: String,
    pub(crate) user_name: String,
    pub(crate) client_id: String,
    pub(crate) source: TokenSource,
    pub(crate) user_attributes: Map<String, Value>,
    pub(crate) groups: Vec<String>,
    pub(crate) roles: Vec<String>,
    pub(crate) preferred_role: Option<String>,
    pub(crate) pre_token: Option<(String, PreTokenGenerationLambdaVersionType)>,
    /// Not for refreshes, which authenticate nobody.
    pub(crate) post_authentication: Option<String>,
    pub(crate) new_device_used: bool,
}

/// Claims no function may add, override or suppress.
const RESTRICTED: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "c_hash",
    "client_id",
    "cognito:username",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
];

/// The group claims, set through `groupOverrideDetails` only.
const GROUP_CLAIMS: &[&str] = &["cognito:groups", "cognito:roles", "cognito:preferred_role"];

impl Cognito {
    /// Runs the sign-in's end triggers on `tokens`, before they are signed.
    pub(crate) fn run_token_triggers(
        &self,
        ctx: &RequestContext,
        tokens: &mut Unsigned,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<(), CognitoError> {
        let Some(t) = tokens.triggers.take() else {
            return Ok(());
        };
        if let Some(arn) = &t.post_authentication {
            let event = Event::new(
                Trigger::PostAuthentication,
                "PostAuthentication_Authentication",
                ctx,
                &t.pool_id,
                &t.user_name,
                Some(&t.client_id),
            )
            .request("userAttributes", t.user_attributes.clone())
            .request("newDeviceUsed", t.new_device_used)
            .request("clientMetadata", metadata(client_metadata));
            self.invoke(arn, &event, ctx.now)?;
        }
        if let Some((arn, version)) = &t.pre_token {
            self.pre_token_generation(ctx, tokens, &t, (arn, *version), client_metadata)?;
        }
        Ok(())
    }

    fn pre_token_generation(
        &self,
        ctx: &RequestContext,
        tokens: &mut Unsigned,
        t: &TokenTriggers,
        (arn, version): (&str, PreTokenGenerationLambdaVersionType),
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<(), CognitoError> {
        use PreTokenGenerationLambdaVersionType as V;
        let machine = t.source == TokenSource::ClientCredentials;
        let mut event = Event::new(
            Trigger::PreTokenGeneration,
            t.source.as_str(),
            ctx,
            &t.pool_id,
            &t.user_name,
            Some(&t.client_id),
        )
        .request("userAttributes", t.user_attributes.clone())
        .request(
            "groupConfiguration",
            // A client credentials grant has no user, so no groups.
            if machine {
                Value::Null
            } else {
                json!({
                    "groupsToOverride": t.groups,
                    "iamRolesToOverride": t.roles,
                    "preferredRole": t.preferred_role,
                })
            },
        );
        let details = match version {
            V::V10 => "claimsOverrideDetails",
            V::V20 | V::V30 => {
                event.version = if version == V::V20 { "2" } else { "3" };
                let scopes: Vec<&str> = tokens
                    .access
                    .get("scope")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .collect();
                event = event.request("scopes", json!(scopes));
                "claimsAndScopeOverrideDetails"
            }
        };
        let event = event
            .request("clientMetadata", metadata(client_metadata))
            .response(details, Value::Null);
        let mut changed = None;
        self.invoke_checked(arn, &event, ctx.now, |response| {
            let mut claims = Claims {
                access: tokens.access.clone(),
                id: tokens.id.clone(),
            };
            let summary = if machine {
                apply(&mut claims, version, &access_only(response))?
            } else {
                apply(&mut claims, version, response)?
            };
            changed = Some(claims);
            Ok(Some(summary))
        })?;
        if let Some(claims) = changed {
            tokens.access = claims.access;
            tokens.id = claims.id;
        }
        Ok(())
    }
}

/// A token function's `response` to a client credentials event, which issues an access
/// token only: the ID token's and the groups' parts have nothing to change.
fn access_only(response: &Map<String, Value>) -> Map<String, Value> {
    let mut response = response.clone();
    if let Some(Value::Object(details)) = response.get_mut("claimsAndScopeOverrideDetails") {
        details.remove("idTokenGeneration");
        details.remove("groupOverrideDetails");
    }
    response
}

/// The claims of a sign-in's two tokens.
struct Claims {
    access: Map<String, Value>,
    id: Map<String, Value>,
}

/// Applies a token function's `response` to `tokens`, and answers what changed.
fn apply(
    tokens: &mut Claims,
    version: PreTokenGenerationLambdaVersionType,
    response: &Map<String, Value>,
) -> Result<Value, CognitoError> {
    use PreTokenGenerationLambdaVersionType as V;
    let invalid = |why: String| Trigger::PreTokenGeneration.invalid_response(&why);
    let mut summary = Map::new();
    let (details, id_changes, access_changes) = match version {
        V::V10 => {
            let Some(details) = object(response, "claimsOverrideDetails", &invalid)? else {
                return Ok(Value::Object(summary));
            };
            (details, Some(details), None)
        }
        V::V20 | V::V30 => {
            let Some(details) = object(response, "claimsAndScopeOverrideDetails", &invalid)? else {
                return Ok(Value::Object(summary));
            };
            let id = object(details, "idTokenGeneration", &invalid)?;
            let access = object(details, "accessTokenGeneration", &invalid)?;
            (details, id, access)
        }
    };
    let strings_only = version == V::V10;
    if let Some(changes) = id_changes {
        let changed = change_claims(&mut tokens.id, changes, strings_only, &invalid)?;
        summary.insert("id_token".into(), changed);
    }
    if let Some(changes) = access_changes {
        let mut changed = change_claims(&mut tokens.access, changes, false, &invalid)?;
        let (added, suppressed) = change_scopes(&mut tokens.access, changes, &invalid)?;
        if let Value::Object(c) = &mut changed {
            c.insert("scopes_added".into(), json!(added));
            c.insert("scopes_suppressed".into(), json!(suppressed));
        }
        summary.insert("access_token".into(), changed);
    }
    if let Some(groups) = object(details, "groupOverrideDetails", &invalid)? {
        summary.insert("groups".into(), override_groups(tokens, groups, &invalid)?);
    }
    Ok(Value::Object(summary))
}

/// Member `name` of `map` as an object; null or absent is none.
fn object<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    invalid: &impl Fn(String) -> CognitoError,
) -> Result<Option<&'a Map<String, Value>>, CognitoError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(invalid(format!("{name} is not an object"))),
    }
}

/// Member `name` of `map` as a list of strings; null or absent is empty.
fn strings(
    map: &Map<String, Value>,
    name: &str,
    invalid: &impl Fn(String) -> CognitoError,
) -> Result<Vec<String>, CognitoError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("{name} holds a value that is not a string")))
            })
            .collect(),
        Some(_) => Err(invalid(format!("{name} is not a list"))),
    }
}

fn check_claim(name: &str, invalid: &impl Fn(String) -> CognitoError) -> Result<(), CognitoError> {
    if RESTRICTED.contains(&name) || GROUP_CLAIMS.contains(&name) {
        return Err(invalid(format!("the claim {name} cannot be changed")));
    }
    Ok(())
}

/// Applies `claimsToAddOrOverride` and `claimsToSuppress` to `claims`.
fn change_claims(
    claims: &mut Map<String, Value>,
    changes: &Map<String, Value>,
    strings_only: bool,
    invalid: &impl Fn(String) -> CognitoError,
) -> Result<Value, CognitoError> {
    let mut added = Map::new();
    let mut overridden = Map::new();
    if let Some(add) = object(changes, "claimsToAddOrOverride", invalid)? {
        for (name, value) in add {
            check_claim(name, invalid)?;
            if strings_only && !value.is_string() {
                return Err(invalid(format!(
                    "the value of claim {name} is not a string"
                )));
            }
            if claims.insert(name.clone(), value.clone()).is_some() {
                overridden.insert(name.clone(), value.clone());
            } else {
                added.insert(name.clone(), value.clone());
            }
        }
    }
    let mut suppressed = Vec::new();
    for name in strings(changes, "claimsToSuppress", invalid)? {
        check_claim(&name, invalid)?;
        if claims.remove(&name).is_some() {
            suppressed.push(name);
        }
    }
    Ok(json!({"added": added, "overridden": overridden, "suppressed": suppressed}))
}

/// Applies `scopesToAdd` and `scopesToSuppress` to the access token's `scope`.
fn change_scopes(
    access: &mut Map<String, Value>,
    changes: &Map<String, Value>,
    invalid: &impl Fn(String) -> CognitoError,
) -> Result<(Vec<String>, Vec<String>), CognitoError> {
    let add = strings(changes, "scopesToAdd", invalid)?;
    let suppress = strings(changes, "scopesToSuppress", invalid)?;
    if add.is_empty() && suppress.is_empty() {
        return Ok((add, suppress));
    }
    let mut scopes: Vec<String> = access
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    for scope in &add {
        if scope.is_empty() || scope.contains(' ') {
            return Err(invalid(format!("the scope {scope:?} is not a scope")));
        }
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    scopes.retain(|s| !suppress.contains(s));
    access.insert("scope".into(), json!(scopes.join(" ")));
    Ok((add, suppress))
}

/// Applies `groupOverrideDetails`: the groups of both tokens, the roles and preferred
/// role of the ID token.
fn override_groups(
    tokens: &mut Claims,
    groups: &Map<String, Value>,
    invalid: &impl Fn(String) -> CognitoError,
) -> Result<Value, CognitoError> {
    let mut summary = Map::new();
    if groups.contains_key("groupsToOverride") {
        let names = strings(groups, "groupsToOverride", invalid)?;
        for claims in [&mut tokens.id, &mut tokens.access] {
            if names.is_empty() {
                claims.remove("cognito:groups");
            } else {
                claims.insert("cognito:groups".into(), json!(names));
            }
        }
        summary.insert("groups_to_override".into(), json!(names));
    }
    if groups.contains_key("iamRolesToOverride") {
        let roles = strings(groups, "iamRolesToOverride", invalid)?;
        if roles.is_empty() {
            tokens.id.remove("cognito:roles");
        } else {
            tokens.id.insert("cognito:roles".into(), json!(roles));
        }
        summary.insert("iam_roles_to_override".into(), json!(roles));
    }
    match groups.get("preferredRole") {
        None => {}
        Some(Value::Null) => {
            tokens.id.remove("cognito:preferred_role");
            summary.insert("preferred_role".into(), Value::Null);
        }
        Some(Value::String(role)) => {
            tokens
                .id
                .insert("cognito:preferred_role".into(), json!(role));
            summary.insert("preferred_role".into(), json!(role));
        }
        Some(_) => return Err(invalid("preferredRole is not a string".into())),
    }
    Ok(Value::Object(summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_model::ErrorKind;

    fn tokens() -> Claims {
        let claims = |pairs: Value| pairs.as_object().cloned().unwrap();
        Claims {
            access: claims(
                json!({"sub": "s", "scope": "aws.cognito.signin.user.admin", "cognito:groups": ["a"]}),
            ),
            id: claims(
                json!({"sub": "s", "email": "e@example.com", "locale": "en", "cognito:groups": ["a"]}),
            ),
        }
    }

    fn response(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn version_1_changes_the_id_token_and_both_tokens_groups() {
        let mut t = tokens();
        let summary = apply(
            &mut t,
            PreTokenGenerationLambdaVersionType::V10,
            &response(json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {"tier": "gold", "email": "x@example.com"},
                "claimsToSuppress": ["locale"],
                "groupOverrideDetails": {"groupsToOverride": ["b"], "iamRolesToOverride": [], "preferredRole": null}
            }})),
        )
        .unwrap();
        assert_eq!(t.id["tier"], "gold");
        assert_eq!(t.id["email"], "x@example.com");
        assert!(!t.id.contains_key("locale"));
        assert!(!t.access.contains_key("tier"));
        assert_eq!(t.id["cognito:groups"], json!(["b"]));
        assert_eq!(t.access["cognito:groups"], json!(["b"]));
        assert_eq!(summary["id_token"]["added"], json!({"tier": "gold"}));
        assert_eq!(
            summary["id_token"]["overridden"],
            json!({"email": "x@example.com"})
        );
        assert_eq!(summary["id_token"]["suppressed"], json!(["locale"]));
    }

    #[test]
    fn version_2_changes_each_token_and_scopes() {
        let mut t = tokens();
        apply(
            &mut t,
            PreTokenGenerationLambdaVersionType::V20,
            &response(json!({"claimsAndScopeOverrideDetails": {
                "idTokenGeneration": {"claimsToAddOrOverride": {"tier": {"level": 2}}},
                "accessTokenGeneration": {
                    "claimsToAddOrOverride": {"tenant": "acme"},
                    "scopesToAdd": ["custom/read"],
                    "scopesToSuppress": ["aws.cognito.signin.user.admin"]
                }
            }})),
        )
        .unwrap();
        assert_eq!(t.id["tier"], json!({"level": 2}));
        assert_eq!(t.access["tenant"], "acme");
        assert_eq!(t.access["scope"], "custom/read");
        // Version 1 takes only strings.
        let e = apply(
            &mut tokens(),
            PreTokenGenerationLambdaVersionType::V10,
            &response(json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"n": 1}}})),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidLambdaResponseException);
    }

    #[test]
    fn restricted_claims_are_refused() {
        for name in ["sub", "iss", "aud", "exp", "token_use", "cognito:groups"] {
            let e = apply(
                &mut tokens(),
                PreTokenGenerationLambdaVersionType::V10,
                &response(json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {name: "x"}}})),
            )
            .unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidLambdaResponseException, "{name}");
            let e = apply(
                &mut tokens(),
                PreTokenGenerationLambdaVersionType::V20,
                &response(json!({"claimsAndScopeOverrideDetails": {
                    "accessTokenGeneration": {"claimsToSuppress": [name]}}})),
            )
            .unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidLambdaResponseException, "{name}");
        }
    }

    #[test]
    fn an_empty_response_changes_nothing() {
        let mut t = tokens();
        apply(
            &mut t,
            PreTokenGenerationLambdaVersionType::V10,
            &Map::new(),
        )
        .unwrap();
        assert_eq!(t.id, tokens().id);
    }
}
