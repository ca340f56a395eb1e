//! Scenarios of sign-in page branding: the classic hosted UI's customization and managed
//! login styles.

use serde_json::{json, Value};

use super::{
    at, create_client, create_pool, ensure, ensure_eq, matches, str_at, unique, Ctx, Pool, Scenario,
};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "SetUICustomization",
        name: "basic",
        run: set_ui_basic,
    },
    Scenario {
        operation: "SetUICustomization",
        name: "per-client",
        run: set_ui_per_client,
    },
    Scenario {
        operation: "SetUICustomization",
        name: "needs-domain",
        run: set_ui_needs_domain,
    },
    Scenario {
        operation: "GetUICustomization",
        name: "basic",
        run: get_ui_basic,
    },
    Scenario {
        operation: "CreateManagedLoginBranding",
        name: "basic",
        run: create_style_basic,
    },
    Scenario {
        operation: "CreateManagedLoginBranding",
        name: "cognito-values",
        run: create_style_defaults,
    },
    Scenario {
        operation: "CreateManagedLoginBranding",
        name: "exists",
        run: create_style_exists,
    },
    Scenario {
        operation: "DescribeManagedLoginBranding",
        name: "basic",
        run: describe_style_basic,
    },
    Scenario {
        operation: "DescribeManagedLoginBranding",
        name: "not-found",
        run: describe_style_not_found,
    },
    Scenario {
        operation: "DescribeManagedLoginBrandingByClient",
        name: "basic",
        run: describe_by_client,
    },
    Scenario {
        operation: "DescribeManagedLoginBrandingByClient",
        name: "no-style",
        run: describe_by_client_no_style,
    },
    Scenario {
        operation: "UpdateManagedLoginBranding",
        name: "basic",
        run: update_style_basic,
    },
    Scenario {
        operation: "UpdateManagedLoginBranding",
        name: "cognito-values",
        run: update_style_defaults,
    },
    Scenario {
        operation: "DeleteManagedLoginBranding",
        name: "basic",
        run: delete_style_basic,
    },
];

const CSS: &str = ".logo-customizable { max-width: 60%; }";
const CLIENT_CSS: &str = ".submitButton-customizable { background-color: #336699; }";

/// A 1x1 PNG image, in Base64.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// A pool with a prefix domain, as the classic hosted UI needs.
fn pool_with_domain(ctx: &Ctx) -> Result<Pool, String> {
    let pool = create_pool(ctx)?;
    ctx.call(
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool.id, "Domain": unique("brand")}),
    )?;
    Ok(pool)
}

fn client_id(ctx: &Ctx, pool: &str) -> Result<String, String> {
    let client = create_client(ctx, pool, false)?;
    Ok(str_at(&client, "/ClientId")?.to_string())
}

fn get_ui(ctx: &Ctx, pool: &str, client: Option<&str>) -> Result<Value, String> {
    let mut input = json!({"UserPoolId": pool});
    if let (Some(o), Some(c)) = (input.as_object_mut(), client) {
        o.insert("ClientId".into(), json!(c));
    }
    let out = ctx.call("GetUICustomization", input)?;
    at(&out, "/UICustomization").cloned()
}

fn set_ui_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = pool_with_domain(ctx)?;
    let out = ctx.call(
        "SetUICustomization",
        json!({"UserPoolId": pool.id, "CSS": CSS, "ImageFile": PNG}),
    )?;
    let ui = at(&out, "/UICustomization")?;
    ensure_eq(str_at(ui, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(ui, "/ClientId")?, "ALL", "ClientId")?;
    ensure_eq(str_at(ui, "/CSS")?, CSS, "CSS")?;
    at(ui, "/CSSVersion")?;
    at(ui, "/CreationDate")?;
    at(ui, "/LastModifiedDate")?;
    let url = str_at(ui, "/ImageUrl")?;
    ensure(url.starts_with("https://"), || {
        format!("ImageUrl {url} is not an https URL")
    })?;
    ensure_eq(&get_ui(ctx, &pool.id, None)?, ui, "GetUICustomization")?;
    // A customization without an image has no image URL.
    let out = ctx.call(
        "SetUICustomization",
        json!({"UserPoolId": pool.id, "ClientId": "ALL", "CSS": CLIENT_CSS}),
    )?;
    let ui2 = at(&out, "/UICustomization")?;
    ensure_eq(str_at(ui2, "/CSS")?, CLIENT_CSS, "CSS after the second set")?;
    ensure_eq(ui2.get("ImageUrl"), None, "ImageUrl without ImageFile")?;
    ensure_eq(
        at(ui2, "/CreationDate")?,
        at(ui, "/CreationDate")?,
        "CreationDate",
    )
}

/// A client's own customization overrides the pool's; other clients keep the pool's.
fn set_ui_per_client(ctx: &Ctx) -> Result<(), String> {
    let pool = pool_with_domain(ctx)?;
    let styled = client_id(ctx, &pool.id)?;
    let plain = client_id(ctx, &pool.id)?;
    ctx.call(
        "SetUICustomization",
        json!({"UserPoolId": pool.id, "CSS": CSS}),
    )?;
    let out = ctx.call(
        "SetUICustomization",
        json!({"UserPoolId": pool.id, "ClientId": styled, "CSS": CLIENT_CSS}),
    )?;
    ensure_eq(
        str_at(&out, "/UICustomization/ClientId")?,
        styled.as_str(),
        "ClientId",
    )?;
    let own = get_ui(ctx, &pool.id, Some(&styled))?;
    ensure_eq(
        str_at(&own, "/CSS")?,
        CLIENT_CSS,
        "CSS of the styled client",
    )?;
    ensure_eq(str_at(&own, "/ClientId")?, styled.as_str(), "its ClientId")?;
    let fallback = get_ui(ctx, &pool.id, Some(&plain))?;
    ensure_eq(str_at(&fallback, "/CSS")?, CSS, "CSS of the other client")?;
    ensure_eq(str_at(&fallback, "/ClientId")?, "ALL", "its ClientId")?;
    ensure_eq(
        str_at(&get_ui(ctx, &pool.id, None)?, "/CSS")?,
        CSS,
        "CSS of the pool",
    )?;
    ctx.call_err(
        "SetUICustomization",
        json!({"UserPoolId": pool.id, "ClientId": "zzzzzzzzzzzzzzzzzzzzzzzzzz", "CSS": CSS}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn set_ui_needs_domain(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let message = ctx.call_err(
        "SetUICustomization",
        json!({"UserPoolId": pool.id, "CSS": CSS}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        message.as_str(),
        "There has to be an existing domain associated with this user pool",
        "message",
    )
}

/// Nothing set: the answer carries no style.
fn get_ui_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = pool_with_domain(ctx)?;
    let client = client_id(ctx, &pool.id)?;
    for ui in [
        get_ui(ctx, &pool.id, None)?,
        get_ui(ctx, &pool.id, Some(&client))?,
    ] {
        ensure_eq(ui.get("CSS"), None, "CSS when nothing was set")?;
        ensure_eq(ui.get("ImageUrl"), None, "ImageUrl when nothing was set")?;
    }
    Ok(())
}

fn settings() -> Value {
    json!({
        "categories": {
            "global": {"colorSchemeMode": "LIGHT", "pageHeader": {"enabled": true}},
        },
    })
}

fn assets() -> Value {
    json!([{
        "Category": "FORM_LOGO",
        "ColorMode": "LIGHT",
        "Extension": "PNG",
        "Bytes": PNG,
    }])
}

/// Creates a style with settings and one asset for a new client; returns the client id
/// and the `ManagedLoginBranding`.
fn create_style(ctx: &Ctx, pool: &str) -> Result<(String, Value), String> {
    let client = client_id(ctx, pool)?;
    let out = ctx.call(
        "CreateManagedLoginBranding",
        json!({
            "UserPoolId": pool,
            "ClientId": client,
            "Settings": settings(),
            "Assets": assets(),
        }),
    )?;
    Ok((client, at(&out, "/ManagedLoginBranding")?.clone()))
}

fn style_id(style: &Value) -> Result<String, String> {
    Ok(str_at(style, "/ManagedLoginBrandingId")?.to_string())
}

fn describe_style(ctx: &Ctx, pool: &str, id: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DescribeManagedLoginBranding",
        json!({"UserPoolId": pool, "ManagedLoginBrandingId": id}),
    )?;
    at(&out, "/ManagedLoginBranding").cloned()
}

fn create_style_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (_, style) = create_style(ctx, &pool.id)?;
    let id = style_id(&style)?;
    ensure(matches(UUID, &id)?, || {
        format!("ManagedLoginBrandingId {id} is not a UUID")
    })?;
    ensure_eq(
        str_at(&style, "/UserPoolId")?,
        pool.id.as_str(),
        "UserPoolId",
    )?;
    ensure_eq(
        at(&style, "/UseCognitoProvidedValues")?,
        &json!(false),
        "UseCognitoProvidedValues",
    )?;
    ensure_eq(at(&style, "/Settings")?, &settings(), "Settings")?;
    ensure_eq(at(&style, "/Assets")?, &assets(), "Assets")?;
    at(&style, "/CreationDate")?;
    at(&style, "/LastModifiedDate")?;
    ctx.call_err(
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool.id, "ClientId": "zzzzzzzzzzzzzzzzzzzzzzzzzz"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn create_style_defaults(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = client_id(ctx, &pool.id)?;
    let out = ctx.call(
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool.id, "ClientId": client, "UseCognitoProvidedValues": true}),
    )?;
    let style = at(&out, "/ManagedLoginBranding")?;
    ensure_eq(
        at(style, "/UseCognitoProvidedValues")?,
        &json!(true),
        "UseCognitoProvidedValues",
    )?;
    ensure_eq(style.get("Settings"), None, "Settings")?;
    let other = client_id(ctx, &pool.id)?;
    ctx.call_err(
        "CreateManagedLoginBranding",
        json!({
            "UserPoolId": pool.id,
            "ClientId": other,
            "UseCognitoProvidedValues": true,
            "Settings": settings(),
        }),
        "InvalidParameterException",
    )
    .map(drop)
}

/// An app client has one style.
fn create_style_exists(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (client, style) = create_style(ctx, &pool.id)?;
    ctx.call_err(
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool.id, "ClientId": client, "UseCognitoProvidedValues": true}),
        "ManagedLoginBrandingExistsException",
    )?;
    ensure_eq(
        &describe_style(ctx, &pool.id, &style_id(&style)?)?,
        &style,
        "the first style",
    )
}

fn describe_style_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (_, style) = create_style(ctx, &pool.id)?;
    ensure_eq(
        &describe_style(ctx, &pool.id, &style_id(&style)?)?,
        &style,
        "DescribeManagedLoginBranding versus CreateManagedLoginBranding",
    )
}

fn describe_style_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeManagedLoginBranding",
        json!({
            "UserPoolId": pool.id,
            "ManagedLoginBrandingId": "00000000-0000-4000-8000-000000000000",
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn describe_by_client(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (client, style) = create_style(ctx, &pool.id)?;
    create_style(ctx, &pool.id)?;
    let out = ctx.call(
        "DescribeManagedLoginBrandingByClient",
        json!({"UserPoolId": pool.id, "ClientId": client}),
    )?;
    ensure_eq(
        at(&out, "/ManagedLoginBranding")?,
        &style,
        "the client's style",
    )
}

fn describe_by_client_no_style(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_style(ctx, &pool.id)?;
    let bare = client_id(ctx, &pool.id)?;
    ctx.call_err(
        "DescribeManagedLoginBrandingByClient",
        json!({"UserPoolId": pool.id, "ClientId": bare}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Settings and assets an update leaves out are kept.
fn update_style_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (_, style) = create_style(ctx, &pool.id)?;
    let id = style_id(&style)?;
    let dark = json!({
        "Category": "PAGE_BACKGROUND",
        "ColorMode": "DARK",
        "Extension": "PNG",
        "Bytes": PNG,
    });
    let out = ctx.call(
        "UpdateManagedLoginBranding",
        json!({
            "UserPoolId": pool.id,
            "ManagedLoginBrandingId": id,
            "Settings": {"categories": {"global": {"colorSchemeMode": "DARK"}}},
            "Assets": [dark],
        }),
    )?;
    let updated = at(&out, "/ManagedLoginBranding")?;
    ensure_eq(
        at(updated, "/Settings")?,
        &json!({
            "categories": {
                "global": {"colorSchemeMode": "DARK", "pageHeader": {"enabled": true}},
            },
        }),
        "Settings after the update",
    )?;
    let mut want_assets = assets();
    if let Some(a) = want_assets.as_array_mut() {
        a.push(dark);
    }
    ensure_eq(at(updated, "/Assets")?, &want_assets, "Assets")?;
    ensure_eq(
        at(updated, "/CreationDate")?,
        at(&style, "/CreationDate")?,
        "CreationDate",
    )?;
    ensure_eq(
        &describe_style(ctx, &pool.id, &id)?,
        updated,
        "described after the update",
    )
}

fn update_style_defaults(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (_, style) = create_style(ctx, &pool.id)?;
    let id = style_id(&style)?;
    let out = ctx.call(
        "UpdateManagedLoginBranding",
        json!({"UserPoolId": pool.id, "ManagedLoginBrandingId": id, "UseCognitoProvidedValues": true}),
    )?;
    let updated = at(&out, "/ManagedLoginBranding")?;
    ensure_eq(
        at(updated, "/UseCognitoProvidedValues")?,
        &json!(true),
        "UseCognitoProvidedValues",
    )?;
    ensure_eq(updated.get("Settings"), None, "Settings")?;
    let kept_assets = updated.get("Assets").cloned().unwrap_or(json!([]));
    ensure_eq(kept_assets, json!([]), "Assets")?;
    ctx.call_err(
        "UpdateManagedLoginBranding",
        json!({
            "UserPoolId": pool.id,
            "ManagedLoginBrandingId": "00000000-0000-4000-8000-000000000000",
            "Settings": settings(),
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_style_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let (client, style) = create_style(ctx, &pool.id)?;
    let input = json!({"UserPoolId": pool.id, "ManagedLoginBrandingId": style_id(&style)?});
    let out = ctx.call("DeleteManagedLoginBranding", input.clone())?;
    ensure_eq(&out, &json!({}), "DeleteManagedLoginBranding answer")?;
    ctx.call_err(
        "DescribeManagedLoginBranding",
        input.clone(),
        "ResourceNotFoundException",
    )?;
    ctx.call_err(
        "DeleteManagedLoginBranding",
        input,
        "ResourceNotFoundException",
    )?;
    // The client may have a style again.
    ctx.call(
        "CreateManagedLoginBranding",
        json!({"UserPoolId": pool.id, "ClientId": client, "UseCognitoProvidedValues": true}),
    )
    .map(drop)
}
