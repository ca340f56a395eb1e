//! Scenarios of identity providers: social, OpenID Connect and SAML federation.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{at, create_pool, ensure, ensure_eq, str_at, unique, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateIdentityProvider",
        name: "google",
        run: create_google,
    },
    Scenario {
        operation: "CreateIdentityProvider",
        name: "oidc",
        run: create_oidc,
    },
    Scenario {
        operation: "CreateIdentityProvider",
        name: "saml-metadata-file",
        run: create_saml,
    },
    Scenario {
        operation: "CreateIdentityProvider",
        name: "duplicate",
        run: create_duplicate,
    },
    Scenario {
        operation: "DescribeIdentityProvider",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeIdentityProvider",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "UpdateIdentityProvider",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "DeleteIdentityProvider",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "ListIdentityProviders",
        name: "pagination",
        run: list_paginated,
    },
    Scenario {
        operation: "GetIdentityProviderByIdentifier",
        name: "basic",
        run: by_identifier,
    },
    Scenario {
        operation: "GetIdentityProviderByIdentifier",
        name: "not-found",
        run: by_identifier_not_found,
    },
];

const ISSUER: &str = "https://idp.example.com";

/// An identity provider's metadata with HTTP-Redirect sign-in and sign-out endpoints.
const METADATA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://saml.example.com/entity">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIC0DCCAbigAwIBAgIUJ/pD5LcEhxKaws3IViNrFCeyIoQwDQYJKoZIhvcNAQELBQAwIjEgMB4GA1UEAwwXaWRwLmV4YW1wbGUuY29tIHNpZ25pbmcwHhcNMjQwNDAxMTIwMDAwWhcNMzQwNDI5MTIwMDAwWjAiMSAwHgYDVQQDDBdpZHAuZXhhbXBsZS5jb20gc2lnbmluZzCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAK/pHC9mjoNCkFl5pEFZM7PYgvq8oSSTTAr+ANb6jQ5vI8GFFjUZWJadOdfoQb/QWASpeJRmBa/E1EFdJqRDSXquw2cPlbZ+8+HzlkB/lA/vtpdkZr8u6ftmRjuVAjQHpuUYMp/o0hLneb0EbqJy9tWGGqt1cftvCeMaW8MyTTGq3PqNw/w0JRi30Rj/yhiKMJnsepWdS9oy2OVtxXHpYGIR2vLnHHluVBsgRLiLrH/flflMhdNYpTfdu09D6ocm4lSxYis/qJwoubeouqSBv3LL+vW9TlzyosCWh/ZA1gM4wwYSMLF9yQCBpgBiRfIYkpCs025oKL2RohBCwM7q+/8CAwEAATANBgkqhkiG9w0BAQsFAAOCAQEAVHXUhNWL0pFTpcHFneOf/wVSWiduxrQpTwO9Bzf6ISp8jDJjEwstwkn7rVfPsHol8BBiKAuhMOb4PzKSPa09BecDsvx7bXeRkuqrSpA0MfLa3A+1P0DlUxLIS3Td03D7nZ3+t56kJhUF2X/hxg4qM6by1/i8mFDgk+rXoKGjwp5btzluW5ZrzNexzVfKJr3Hw3nBHftTB84pxQQ2xI4LNtUlwlf0JE+CFF7fA84oPv7UdT8ic2p/aR7/tTZ/TgasaCDKg9WDDpDX1fi8E+DMwTgxtb/Bt/FOAVdrRuKxVxFC0gL2tZEcRUdri+rtzNERDAaZ9c3tLwO2AtM68tLLiw==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://saml.example.com/logout"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://saml.example.com/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://saml.example.com/sso/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

const EMAIL_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

fn oidc_details(scopes: &str) -> Value {
    json!({
        "client_id": "corp-client",
        "client_secret": "corp-secret",
        "authorize_scopes": scopes,
        "oidc_issuer": ISSUER,
    })
}

/// Creates an OIDC provider called `name` and returns its `IdentityProvider`.
fn create_oidc_provider(
    ctx: &Ctx,
    pool: &str,
    name: &str,
    identifiers: Value,
) -> Result<Value, String> {
    let out = ctx.call(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool,
            "ProviderName": name,
            "ProviderType": "OIDC",
            "ProviderDetails": oidc_details("openid email"),
            "AttributeMapping": {"email": "email"},
            "IdpIdentifiers": identifiers,
        }),
    )?;
    at(&out, "/IdentityProvider").cloned()
}

fn describe(ctx: &Ctx, pool: &str, name: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DescribeIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": name}),
    )?;
    at(&out, "/IdentityProvider").cloned()
}

/// Checks that `details` holds `key` with the value `want`.
fn detail(details: &Value, key: &str, want: &str) -> Result<(), String> {
    ensure_eq(
        details.get(key).and_then(Value::as_str),
        Some(want),
        &format!("ProviderDetails.{key}"),
    )
}

fn create_google(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = ctx.call(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "Google",
            "ProviderType": "Google",
            "ProviderDetails": {
                "client_id": "1234567890-abc.apps.googleusercontent.com",
                "client_secret": "google-secret",
                "authorize_scopes": "openid email profile",
            },
            "AttributeMapping": {"email": "email"},
        }),
    )?;
    let p = at(&out, "/IdentityProvider")?;
    ensure_eq(str_at(p, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(p, "/ProviderName")?, "Google", "ProviderName")?;
    ensure_eq(str_at(p, "/ProviderType")?, "Google", "ProviderType")?;
    let details = at(p, "/ProviderDetails")?;
    detail(
        details,
        "client_id",
        "1234567890-abc.apps.googleusercontent.com",
    )?;
    detail(details, "authorize_scopes", "openid email profile")?;
    // Cognito fills in Google's endpoints.
    detail(
        details,
        "authorize_url",
        "https://accounts.google.com/o/oauth2/v2/auth",
    )?;
    detail(details, "oidc_issuer", "https://accounts.google.com")?;
    detail(details, "token_request_method", "POST")?;
    ensure(details.get("token_url").is_some(), || {
        "ProviderDetails has no token_url".to_string()
    })?;
    ensure_eq(
        at(p, "/AttributeMapping")?,
        &json!({"email": "email", "username": "sub"}),
        "AttributeMapping with the default username",
    )?;
    ensure_eq(at(p, "/IdpIdentifiers")?, &json!([]), "IdpIdentifiers")?;
    ensure_eq(
        at(p, "/CreationDate")?,
        at(p, "/LastModifiedDate")?,
        "LastModifiedDate of a new provider",
    )?;
    // A social provider goes by its own name.
    ctx.call_err(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "MyGoogle",
            "ProviderType": "Google",
            "ProviderDetails": {
                "client_id": "c",
                "client_secret": "s",
                "authorize_scopes": "openid",
            },
        }),
        "InvalidParameterException",
    )
    .map(drop)
}

fn create_oidc(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let p = create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp.example.com"]))?;
    ensure_eq(str_at(&p, "/ProviderName")?, "Corp", "ProviderName")?;
    ensure_eq(str_at(&p, "/ProviderType")?, "OIDC", "ProviderType")?;
    let details = at(&p, "/ProviderDetails")?;
    for (key, want) in oidc_details("openid email")
        .as_object()
        .into_iter()
        .flatten()
    {
        ensure_eq(
            details.get(key),
            Some(want),
            &format!("ProviderDetails.{key}"),
        )?;
    }
    detail(details, "attributes_request_method", "GET")?;
    ensure_eq(
        at(&p, "/AttributeMapping")?,
        &json!({"email": "email", "username": "sub"}),
        "AttributeMapping",
    )?;
    ensure_eq(
        at(&p, "/IdpIdentifiers")?,
        &json!(["corp.example.com"]),
        "IdpIdentifiers",
    )?;
    // The issuer must be an https URL.
    let mut plain = oidc_details("openid");
    if let Some(d) = plain.as_object_mut() {
        d.insert("oidc_issuer".into(), json!("http://idp.example.com"));
    }
    ctx.call_err(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "Plain",
            "ProviderType": "OIDC",
            "ProviderDetails": plain,
        }),
        "InvalidParameterException",
    )
    .map(drop)
}

fn create_saml(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = ctx.call(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "CorpSAML",
            "ProviderType": "SAML",
            "ProviderDetails": {"MetadataFile": METADATA},
            "AttributeMapping": {"email": EMAIL_CLAIM},
            "IdpIdentifiers": ["corp-saml"],
        }),
    )?;
    let p = at(&out, "/IdentityProvider")?;
    ensure_eq(str_at(p, "/ProviderType")?, "SAML", "ProviderType")?;
    let details = at(p, "/ProviderDetails")?;
    detail(details, "MetadataFile", METADATA)?;
    detail(
        details,
        "SSORedirectBindingURI",
        "https://saml.example.com/sso/redirect",
    )?;
    detail(
        details,
        "SLORedirectBindingURI",
        "https://saml.example.com/logout",
    )?;
    detail(details, "IDPSignout", "false")?;
    ensure_eq(
        at(p, "/AttributeMapping")?,
        &json!({"email": EMAIL_CLAIM}),
        "AttributeMapping",
    )?;
    ensure_eq(&describe(ctx, &pool.id, "CorpSAML")?, p, "described")
}

/// Names and identifiers are unique within a pool.
fn create_duplicate(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp-id"]))?;
    ctx.call_err(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "Corp",
            "ProviderType": "OIDC",
            "ProviderDetails": oidc_details("openid"),
        }),
        "DuplicateProviderException",
    )?;
    ctx.call_err(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "Other",
            "ProviderType": "OIDC",
            "ProviderDetails": oidc_details("openid"),
            "IdpIdentifiers": ["corp-id"],
        }),
        "DuplicateProviderException",
    )?;
    ctx.call_err(
        "DescribeIdentityProvider",
        json!({"UserPoolId": pool.id, "ProviderName": "Other"}),
        "ResourceNotFoundException",
    )?;
    // Another pool may use the same name.
    let other = create_pool(ctx)?;
    create_oidc_provider(ctx, &other.id, "Corp", json!(["corp-id"])).map(drop)
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp-id"]))?;
    ensure_eq(
        &describe(ctx, &pool.id, "Corp")?,
        &created,
        "DescribeIdentityProvider versus CreateIdentityProvider",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeIdentityProvider",
        json!({"UserPoolId": pool.id, "ProviderName": "Absent"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp-id"]))?;
    let out = ctx.call(
        "UpdateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "Corp",
            "ProviderDetails": oidc_details("openid email profile"),
            "AttributeMapping": {"email": "mail", "name": "display_name"},
            "IdpIdentifiers": ["corp-new"],
        }),
    )?;
    let p = at(&out, "/IdentityProvider")?;
    detail(
        at(p, "/ProviderDetails")?,
        "authorize_scopes",
        "openid email profile",
    )?;
    ensure_eq(
        at(p, "/AttributeMapping")?,
        &json!({"email": "mail", "name": "display_name", "username": "sub"}),
        "AttributeMapping",
    )?;
    ensure_eq(
        at(p, "/IdpIdentifiers")?,
        &json!(["corp-new"]),
        "IdpIdentifiers",
    )?;
    ensure_eq(str_at(p, "/ProviderType")?, "OIDC", "ProviderType")?;
    ensure_eq(
        at(p, "/CreationDate")?,
        at(&created, "/CreationDate")?,
        "CreationDate",
    )?;
    let before = at(&created, "/LastModifiedDate")?.as_f64().unwrap_or(0.0);
    let after = at(p, "/LastModifiedDate")?.as_f64().unwrap_or(0.0);
    ensure(after >= before, || {
        format!("LastModifiedDate went back from {before} to {after}")
    })?;
    ensure_eq(&describe(ctx, &pool.id, "Corp")?, p, "described")?;
    // What an update leaves out is kept.
    let out = ctx.call(
        "UpdateIdentityProvider",
        json!({"UserPoolId": pool.id, "ProviderName": "Corp", "IdpIdentifiers": ["corp-3"]}),
    )?;
    let p2 = at(&out, "/IdentityProvider")?;
    ensure_eq(
        at(p2, "/AttributeMapping")?,
        at(p, "/AttributeMapping")?,
        "AttributeMapping after an update without it",
    )?;
    ensure_eq(
        at(p2, "/ProviderDetails")?,
        at(p, "/ProviderDetails")?,
        "ProviderDetails after an update without them",
    )?;
    ctx.call_err(
        "UpdateIdentityProvider",
        json!({"UserPoolId": pool.id, "ProviderName": "Absent"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp-id"]))?;
    let input = json!({"UserPoolId": pool.id, "ProviderName": "Corp"});
    let out = ctx.call("DeleteIdentityProvider", input.clone())?;
    ensure_eq(&out, &json!({}), "DeleteIdentityProvider answer")?;
    ctx.call_err(
        "DescribeIdentityProvider",
        input.clone(),
        "ResourceNotFoundException",
    )?;
    ctx.call_err("DeleteIdentityProvider", input, "ResourceNotFoundException")?;
    // The name and the identifier are free again.
    create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp-id"])).map(drop)
}

/// Pages through `ListIdentityProviders` one provider at a time and finds each once.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeMap::new();
    for _ in 0..3 {
        let name = unique("corp");
        let p = create_oidc_provider(ctx, &pool.id, &name, json!([]))?;
        mine.insert(name, at(&p, "/CreationDate")?.clone());
    }
    let listed = ctx.collect_pages("ListIdentityProviders", json!({"UserPoolId": pool.id}), 1)?;
    let mut seen = BTreeMap::new();
    for p in &listed {
        ensure_eq(str_at(p, "/ProviderType")?, "OIDC", "listed ProviderType")?;
        at(p, "/LastModifiedDate")?;
        seen.insert(
            str_at(p, "/ProviderName")?.to_string(),
            at(p, "/CreationDate")?.clone(),
        );
    }
    ensure_eq(listed.len(), mine.len(), "providers listed")?;
    ensure_eq(seen, mine, "listed providers and their creation dates")
}

fn by_identifier(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_oidc_provider(ctx, &pool.id, "First", json!(["first-a", "first-b"]))?;
    let second = create_oidc_provider(ctx, &pool.id, "Second", json!(["second"]))?;
    let out = ctx.call(
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": pool.id, "IdpIdentifier": "second"}),
    )?;
    ensure_eq(
        at(&out, "/IdentityProvider")?,
        &second,
        "provider of second",
    )?;
    let out = ctx.call(
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": pool.id, "IdpIdentifier": "first-b"}),
    )?;
    ensure_eq(
        str_at(&out, "/IdentityProvider/ProviderName")?,
        "First",
        "provider of first-b",
    )
}

fn by_identifier_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_oidc_provider(ctx, &pool.id, "Corp", json!(["corp-id"]))?;
    ctx.call_err(
        "GetIdentityProviderByIdentifier",
        json!({"UserPoolId": pool.id, "IdpIdentifier": "absent"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}
