//! Branding of the sign-in pages: the classic hosted UI's customization
//! (`SetUICustomization`, `GetUICustomization`) and managed login styles
//! (`CreateManagedLoginBranding`, `DescribeManagedLoginBranding`,
//! `DescribeManagedLoginBrandingByClient`, `UpdateManagedLoginBranding`,
//! `DeleteManagedLoginBranding`).
//!
//! A classic customization applies to one app client, or to every client without its own
//! when set for `ALL`. A managed login style belongs to exactly one app client.
//!
//! Cognito's own default style is not reproduced: `ReturnMergedResources` answers the
//! settings and assets a style was given, without the defaults it would be merged with.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};
use serde_json::Value;

use crate::errors::{client_not_found, invalid_parameter, not_found};
use crate::state::branding::{Style, UiCustomization, ALL_CLIENTS};
use crate::store::PoolState;
use crate::time::compact_utc;
use crate::{ids, Cognito, RequestContext};

fn style_not_found(id: &str) -> CognitoError {
    not_found(format!("Managed login branding {id} does not exist."))
}

impl Cognito {
    pub(crate) fn set_ui_customization(
        &self,
        ctx: &RequestContext,
        input: SetUICustomizationRequest,
    ) -> Result<SetUICustomizationResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        if let Some(css) = &input.css {
            check_css(css)?;
        }
        self.store.update(&input.user_pool_id, |pool| {
            let client_id = ui_client(pool, input.client_id.as_deref())?;
            let distribution = pool
                .domains
                .prefix()
                .or(pool.domains.custom())
                .map(|d| d.cloud_front_distribution.clone())
                .ok_or_else(|| {
                    invalid_parameter(
                        "There has to be an existing domain associated with this user pool",
                    )
                })?;
            let version = compact_utc(ctx.now);
            let created = pool
                .branding
                .ui
                .get(&client_id)
                .and_then(|c| c.config.creation_date)
                .unwrap_or(ctx.now);
            let image = input.image_file.map(|b| b.0).filter(|b| !b.is_empty());
            let config = UICustomizationType {
                user_pool_id: Some(input.user_pool_id.clone()),
                client_id: Some(client_id.clone()),
                image_url: image.as_ref().map(|_| {
                    format!(
                        "https://{distribution}/{}/{client_id}/{version}/assets/images/image.jpg",
                        input.user_pool_id
                    )
                }),
                css: input.css,
                css_version: Some(version),
                creation_date: Some(created),
                last_modified_date: Some(ctx.now),
            };
            pool.branding.ui.insert(
                client_id,
                UiCustomization {
                    config: config.clone(),
                    image,
                },
            );
            Ok(SetUICustomizationResponse {
                ui_customization: config,
            })
        })
    }

    pub(crate) fn get_ui_customization(
        &self,
        _ctx: &RequestContext,
        input: GetUICustomizationRequest,
    ) -> Result<GetUICustomizationResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let client_id = ui_client(pool, input.client_id.as_deref())?;
            // Nothing set for the client nor the pool: an empty customization.
            let config = pool
                .branding
                .ui_for(&client_id)
                .map(|c| c.config.clone())
                .unwrap_or_else(|| UICustomizationType {
                    user_pool_id: Some(input.user_pool_id.clone()),
                    client_id: Some(client_id),
                    ..Default::default()
                });
            Ok(GetUICustomizationResponse {
                ui_customization: config,
            })
        })
    }

    pub(crate) fn create_managed_login_branding(
        &self,
        ctx: &RequestContext,
        input: CreateManagedLoginBrandingRequest,
    ) -> Result<CreateManagedLoginBrandingResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        check_style_request(
            input.use_cognito_provided_values,
            input.settings.as_ref(),
            input.assets.as_deref(),
        )?;
        self.store.update(&input.user_pool_id, |pool| {
            pool.client(&input.client_id)?;
            if pool.branding.style_for(&input.client_id).is_some() {
                return Err(CognitoError::new(
                    ErrorKind::ManagedLoginBrandingExistsException,
                    format!(
                        "A managed login branding style already exists for app client {}.",
                        input.client_id
                    ),
                ));
            }
            let id = loop {
                let id = ids::uuid_v4(&*self.random);
                if !pool.branding.styles.contains_key(&id) {
                    break id;
                }
            };
            let config = ManagedLoginBrandingType {
                managed_login_branding_id: Some(id.clone()),
                user_pool_id: Some(input.user_pool_id.clone()),
                use_cognito_provided_values: input.use_cognito_provided_values,
                settings: input.settings,
                assets: Some(input.assets.unwrap_or_default()),
                creation_date: Some(ctx.now),
                last_modified_date: Some(ctx.now),
            };
            pool.branding.styles.insert(
                id,
                Style {
                    client_id: input.client_id,
                    config: config.clone(),
                },
            );
            Ok(CreateManagedLoginBrandingResponse {
                managed_login_branding: Some(config),
            })
        })
    }

    pub(crate) fn describe_managed_login_branding(
        &self,
        _ctx: &RequestContext,
        input: DescribeManagedLoginBrandingRequest,
    ) -> Result<DescribeManagedLoginBrandingResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let style = pool
                .branding
                .styles
                .get(&input.managed_login_branding_id)
                .ok_or_else(|| style_not_found(&input.managed_login_branding_id))?;
            Ok(DescribeManagedLoginBrandingResponse {
                managed_login_branding: Some(style.config.clone()),
            })
        })
    }

    pub(crate) fn describe_managed_login_branding_by_client(
        &self,
        _ctx: &RequestContext,
        input: DescribeManagedLoginBrandingByClientRequest,
    ) -> Result<DescribeManagedLoginBrandingByClientResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            pool.client(&input.client_id)?;
            let style = pool.branding.style_for(&input.client_id).ok_or_else(|| {
                not_found(format!(
                    "App client {} has no managed login branding style.",
                    input.client_id
                ))
            })?;
            Ok(DescribeManagedLoginBrandingByClientResponse {
                managed_login_branding: Some(style.config.clone()),
            })
        })
    }

    pub(crate) fn update_managed_login_branding(
        &self,
        ctx: &RequestContext,
        input: UpdateManagedLoginBrandingRequest,
    ) -> Result<UpdateManagedLoginBrandingResponse, CognitoError> {
        let (Some(pool_id), Some(id)) = (&input.user_pool_id, &input.managed_login_branding_id)
        else {
            return Err(invalid_parameter(
                "UserPoolId and ManagedLoginBrandingId are required.",
            ));
        };
        check_style_request(
            input.use_cognito_provided_values,
            input.settings.as_ref(),
            input.assets.as_deref(),
        )?;
        self.store.update(pool_id, |pool| {
            let style = pool
                .branding
                .styles
                .get_mut(id)
                .ok_or_else(|| style_not_found(id))?;
            let config = &mut style.config;
            if input.use_cognito_provided_values {
                // Back to Cognito's defaults: what was customized is dropped.
                config.use_cognito_provided_values = true;
                config.settings = None;
                config.assets = Some(Vec::new());
            } else {
                // What the request leaves out is kept.
                config.use_cognito_provided_values = false;
                if let Some(settings) = input.settings {
                    let mut merged = config.settings.take().unwrap_or(Value::Null);
                    merge(&mut merged, settings);
                    config.settings = Some(merged);
                }
                if let Some(assets) = input.assets {
                    let current = config.assets.get_or_insert_with(Vec::new);
                    for asset in assets {
                        let same = |a: &AssetType| {
                            a.category == asset.category && a.color_mode == asset.color_mode
                        };
                        match current.iter_mut().find(|a| same(a)) {
                            Some(existing) => *existing = asset,
                            None => current.push(asset),
                        }
                    }
                }
            }
            config.last_modified_date = Some(ctx.now);
            Ok(UpdateManagedLoginBrandingResponse {
                managed_login_branding: Some(config.clone()),
            })
        })
    }

    pub(crate) fn delete_managed_login_branding(
        &self,
        _ctx: &RequestContext,
        input: DeleteManagedLoginBrandingRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.branding
                .styles
                .remove(&input.managed_login_branding_id)
                .map(|_| ())
                .ok_or_else(|| style_not_found(&input.managed_login_branding_id))
        })
    }
}

/// The client a classic customization is for: `ALL` when absent, else an existing client.
fn ui_client(pool: &PoolState, client_id: Option<&str>) -> Result<String, CognitoError> {
    match client_id {
        None | Some(ALL_CLIENTS) => Ok(ALL_CLIENTS.to_string()),
        Some(id) if pool.clients.contains_key(id) => Ok(id.to_string()),
        Some(id) => Err(client_not_found(id)),
    }
}

/// The classic hosted UI accepts rules only for its customizable classes
/// (`.<name>-customizable`, optionally with a pseudo-class such as `:hover`).
fn check_css(css: &str) -> Result<(), CognitoError> {
    let mut text = css.to_string();
    while let Some(start) = text.find("/*") {
        let end = text
            .get(start + 2..)
            .and_then(|rest| rest.find("*/"))
            .map_or(text.len(), |e| start + 2 + e + 2);
        text.replace_range(start..end, " ");
    }
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        let selectors = rest.get(..open).unwrap_or_default();
        let close = rest
            .get(open..)
            .and_then(|r| r.find('}'))
            .map(|c| open + c)
            .ok_or_else(|| invalid_parameter("The CSS is not valid: a rule is not closed."))?;
        for selector in selectors.split(',').map(str::trim) {
            let class = selector
                .strip_prefix('.')
                .map(|s| s.split(':').next().unwrap_or_default());
            let ok = class.is_some_and(|c| {
                c.strip_suffix("-customizable").is_some_and(|name| {
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                })
            });
            if !ok {
                return Err(invalid_parameter(format!(
                    "The CSS selector {selector} is not customizable: only classes ending in -customizable can be styled."
                )));
            }
        }
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    if !rest.trim().is_empty() {
        return Err(invalid_parameter(
            "The CSS is not valid: text outside of a rule.",
        ));
    }
    Ok(())
}

/// `UseCognitoProvidedValues` excludes settings and assets; settings are a JSON object;
/// each asset's category and color mode appear once.
fn check_style_request(
    use_cognito_values: bool,
    settings: Option<&Value>,
    assets: Option<&[AssetType]>,
) -> Result<(), CognitoError> {
    if use_cognito_values && (settings.is_some() || assets.is_some_and(|a| !a.is_empty())) {
        return Err(invalid_parameter(
            "Settings and Assets must be omitted when UseCognitoProvidedValues is true.",
        ));
    }
    if settings.is_some_and(|s| !s.is_object()) {
        return Err(invalid_parameter("Settings must be a JSON object."));
    }
    let assets = assets.unwrap_or_default();
    for (i, asset) in assets.iter().enumerate() {
        let repeated = assets
            .iter()
            .skip(i + 1)
            .any(|a| a.category == asset.category && a.color_mode == asset.color_mode);
        if repeated {
            return Err(invalid_parameter(format!(
                "Assets contain more than one {} asset for color mode {}.",
                asset.category.as_str(),
                asset.color_mode.as_str()
            )));
        }
    }
    Ok(())
}

/// Merges `update` into `base`: objects key by key, anything else replaced.
fn merge(base: &mut Value, update: Value) {
    match (base, update) {
        (Value::Object(base), Value::Object(update)) => {
            for (key, value) in update {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, update) => *base = update,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};
    use cognito_model::Blob;
    use serde_json::json;

    fn pool_with_domain(svc: &Cognito) -> String {
        let pool = create_pool(svc, "p").id.unwrap();
        svc.create_user_pool_domain(
            &ctx(),
            CreateUserPoolDomainRequest {
                user_pool_id: pool.clone(),
                domain: "my-app".into(),
                ..Default::default()
            },
        )
        .unwrap();
        pool
    }

    fn client(svc: &Cognito, pool: &str) -> String {
        svc.create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: pool.into(),
                client_name: "app".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
    }

    fn get_ui(svc: &Cognito, pool: &str, client: Option<&str>) -> UICustomizationType {
        svc.get_ui_customization(
            &ctx(),
            GetUICustomizationRequest {
                user_pool_id: pool.into(),
                client_id: client.map(Into::into),
            },
        )
        .unwrap()
        .ui_customization
    }

    #[test]
    fn ui_customization_needs_a_domain() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = svc
            .set_ui_customization(
                &ctx(),
                SetUICustomizationRequest {
                    user_pool_id: pool,
                    css: Some(".logo-customizable { max-width: 60%; }".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "There has to be an existing domain associated with this user pool"
        );
    }

    #[test]
    fn pool_wide_and_client_customizations() {
        let svc = service();
        let pool = pool_with_domain(&svc);
        let app = client(&svc, &pool);

        let empty = get_ui(&svc, &pool, None);
        assert_eq!(empty.client_id.as_deref(), Some("ALL"));
        assert_eq!(empty.css, None);

        let all = svc
            .set_ui_customization(
                &ctx(),
                SetUICustomizationRequest {
                    user_pool_id: pool.clone(),
                    client_id: Some("ALL".into()),
                    css: Some(".banner-customizable { background-color: #000; }".into()),
                    image_file: Some(Blob(vec![0x89, b'P', b'N', b'G'])),
                },
            )
            .unwrap()
            .ui_customization;
        assert_eq!(all.client_id.as_deref(), Some("ALL"));
        assert_eq!(all.css_version.as_deref(), Some("20231114221320"));
        let url = all.image_url.clone().unwrap();
        assert!(url.starts_with("https://d") && url.contains(&pool), "{url}");
        assert!(
            url.ends_with("/ALL/20231114221320/assets/images/image.jpg"),
            "{url}"
        );
        // A client without its own customization gets the pool's.
        assert_eq!(get_ui(&svc, &pool, Some(&app)), all);

        let later = ctx_at(1_700_000_100);
        let own = svc
            .set_ui_customization(
                &later,
                SetUICustomizationRequest {
                    user_pool_id: pool.clone(),
                    client_id: Some(app.clone()),
                    css: Some(".submitButton-customizable:hover { color: red; }".into()),
                    image_file: None,
                },
            )
            .unwrap()
            .ui_customization;
        assert_eq!(own.image_url, None);
        assert_eq!(get_ui(&svc, &pool, Some(&app)), own);
        assert_eq!(get_ui(&svc, &pool, None), all);

        let err = svc
            .get_ui_customization(
                &ctx(),
                GetUICustomizationRequest {
                    user_pool_id: pool,
                    client_id: Some("nosuchclient".into()),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn branding_goes_with_its_client() {
        let svc = service();
        let pool_id = pool_with_domain(&svc);
        let app = client(&svc, &pool_id);
        for client_id in ["ALL", app.as_str()] {
            svc.set_ui_customization(
                &ctx(),
                SetUICustomizationRequest {
                    user_pool_id: pool_id.clone(),
                    client_id: Some(client_id.into()),
                    css: Some(format!(".label-customizable {{ content: '{client_id}'; }}")),
                    image_file: None,
                },
            )
            .unwrap();
        }
        create_style(&svc, &pool_id, &app, None).unwrap();
        let pool = svc.pool(&ctx(), &pool_id).unwrap();
        pool.write().branding.forget_client(&app);
        let pool = pool.read();
        assert!(pool.branding.style_for(&app).is_none());
        let ui = pool.branding.ui_for(&app).unwrap();
        assert_eq!(ui.config.client_id.as_deref(), Some("ALL"));
    }

    #[test]
    fn css_rules_are_limited_to_customizable_classes() {
        for ok in [
            "",
            "/* nothing */",
            ".logo-customizable { max-width: 60%; max-height: 30%; }",
            ".inputField-customizable:focus, .submitButton-customizable:hover { color: #fff; }",
        ] {
            assert!(check_css(ok).is_ok(), "{ok}");
        }
        for bad in [
            "body { color: red; }",
            ".logo { color: red; }",
            ".logo-customizable { color: red; ",
            ".logo-customizable { color: red; } stray",
        ] {
            assert!(check_css(bad).is_err(), "{bad}");
        }
    }

    fn create_style(
        svc: &Cognito,
        pool: &str,
        client: &str,
        settings: Option<Value>,
    ) -> Result<ManagedLoginBrandingType, CognitoError> {
        svc.create_managed_login_branding(
            &ctx(),
            CreateManagedLoginBrandingRequest {
                user_pool_id: pool.into(),
                client_id: client.into(),
                use_cognito_provided_values: settings.is_none(),
                settings,
                assets: None,
            },
        )
        .map(|r| r.managed_login_branding.unwrap())
    }

    fn asset(category: AssetCategoryType, mode: ColorSchemeModeType, bytes: &[u8]) -> AssetType {
        AssetType {
            category,
            color_mode: mode,
            extension: AssetExtensionType::Png,
            bytes: Some(Blob(bytes.to_vec())),
            resource_id: None,
        }
    }

    #[test]
    fn one_style_per_client() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        let style = create_style(&svc, &pool, &app, None).unwrap();
        assert!(style.use_cognito_provided_values);
        assert_eq!(style.user_pool_id.as_deref(), Some(pool.as_str()));
        let id = style.managed_login_branding_id.clone().unwrap();
        assert_eq!(id.len(), 36);

        let err = create_style(&svc, &pool, &app, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ManagedLoginBrandingExistsException);
        let err = create_style(&svc, &pool, "nosuchclient", None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);

        let by_id = svc
            .describe_managed_login_branding(
                &ctx(),
                DescribeManagedLoginBrandingRequest {
                    user_pool_id: pool.clone(),
                    managed_login_branding_id: id.clone(),
                    return_merged_resources: false,
                },
            )
            .unwrap()
            .managed_login_branding
            .unwrap();
        assert_eq!(by_id, style);
        let by_client = svc
            .describe_managed_login_branding_by_client(
                &ctx(),
                DescribeManagedLoginBrandingByClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: app.clone(),
                    return_merged_resources: true,
                },
            )
            .unwrap()
            .managed_login_branding
            .unwrap();
        assert_eq!(by_client, style);

        let delete = || {
            svc.delete_managed_login_branding(
                &ctx(),
                DeleteManagedLoginBrandingRequest {
                    user_pool_id: pool.clone(),
                    managed_login_branding_id: id.clone(),
                },
            )
        };
        delete().unwrap();
        assert_eq!(
            delete().unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        let err = svc
            .describe_managed_login_branding_by_client(
                &ctx(),
                DescribeManagedLoginBrandingByClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: app.clone(),
                    return_merged_resources: false,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        create_style(&svc, &pool, &app, None).unwrap();
    }

    #[test]
    fn cognito_values_exclude_settings_and_assets() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        let err = svc
            .create_managed_login_branding(
                &ctx(),
                CreateManagedLoginBrandingRequest {
                    user_pool_id: pool.clone(),
                    client_id: app.clone(),
                    use_cognito_provided_values: true,
                    settings: Some(json!({"components": {}})),
                    assets: None,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err =
            create_style(&svc, &pool, &app, Some(json!(["not", "an", "object"]))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .create_managed_login_branding(
                &ctx(),
                CreateManagedLoginBrandingRequest {
                    user_pool_id: pool,
                    client_id: app,
                    use_cognito_provided_values: false,
                    settings: None,
                    assets: Some(vec![
                        asset(
                            AssetCategoryType::FormLogo,
                            ColorSchemeModeType::Light,
                            b"a",
                        ),
                        asset(
                            AssetCategoryType::FormLogo,
                            ColorSchemeModeType::Light,
                            b"b",
                        ),
                    ]),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn update_keeps_what_it_leaves_out() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        let style = svc
            .create_managed_login_branding(
                &ctx(),
                CreateManagedLoginBrandingRequest {
                    user_pool_id: pool.clone(),
                    client_id: app,
                    use_cognito_provided_values: false,
                    settings: Some(json!({"components": {"form": {"borderRadius": 8, "logo": {"position": "TOP"}}}})),
                    assets: Some(vec![asset(
                        AssetCategoryType::FormLogo,
                        ColorSchemeModeType::Light,
                        b"logo",
                    )]),
                },
            )
            .unwrap()
            .managed_login_branding
            .unwrap();
        let id = style.managed_login_branding_id.clone().unwrap();
        let update = |settings: Option<Value>, assets: Option<Vec<AssetType>>, reset: bool| {
            svc.update_managed_login_branding(
                &ctx_at(1_700_000_300),
                UpdateManagedLoginBrandingRequest {
                    user_pool_id: Some(pool.clone()),
                    managed_login_branding_id: Some(id.clone()),
                    use_cognito_provided_values: reset,
                    settings,
                    assets,
                },
            )
        };
        let updated = update(
            Some(json!({"components": {"form": {"borderRadius": 12}}})),
            Some(vec![
                asset(
                    AssetCategoryType::FormLogo,
                    ColorSchemeModeType::Light,
                    b"new logo",
                ),
                asset(
                    AssetCategoryType::FaviconIco,
                    ColorSchemeModeType::Dark,
                    b"icon",
                ),
            ]),
            false,
        )
        .unwrap()
        .managed_login_branding
        .unwrap();
        assert_eq!(
            updated.settings,
            Some(
                json!({"components": {"form": {"borderRadius": 12, "logo": {"position": "TOP"}}}})
            )
        );
        let assets = updated.assets.clone().unwrap();
        assert_eq!(assets.len(), 2);
        assert_eq!(assets[0].bytes, Some(Blob(b"new logo".to_vec())));
        assert_eq!(updated.creation_date, style.creation_date);
        assert_eq!(updated.last_modified_date, Some(ctx_at(1_700_000_300).now));

        // Leaving everything out changes nothing but the date.
        let same = update(None, None, false)
            .unwrap()
            .managed_login_branding
            .unwrap();
        assert_eq!(same.settings, updated.settings);
        assert_eq!(same.assets, updated.assets);

        let reset = update(None, None, true)
            .unwrap()
            .managed_login_branding
            .unwrap();
        assert!(reset.use_cognito_provided_values);
        assert_eq!(reset.settings, None);
        assert_eq!(reset.assets, Some(vec![]));

        let err = svc
            .update_managed_login_branding(
                &ctx(),
                UpdateManagedLoginBrandingRequest {
                    user_pool_id: Some(pool.clone()),
                    managed_login_branding_id: Some("a1b2c3d4-5678-4abc-8def-000000000000".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn update_needs_both_ids() {
        let svc = service();
        let err = svc
            .update_managed_login_branding(
                &ctx(),
                UpdateManagedLoginBrandingRequest {
                    user_pool_id: Some("us-east-1_abc".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }
}
