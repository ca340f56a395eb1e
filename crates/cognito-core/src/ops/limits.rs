//! Provisioned API rate limits: `GetProvisionedLimit`, `UpdateProvisionedLimit`.
//!
//! Limits belong to the account in a Region, not to a pool, so they live in the service
//! beside the pool store (and, unlike pools, are not kept by a durable store). A limit is
//! named by the class `API_CATEGORY` and the attribute `Category`; each adjustable
//! category has a free rate, in requests per second, that is also its provisioned rate
//! until raised. A requested rate can't be below the free rate. No rate is enforced
//! locally and no account maximum is known, so any rate from the free one up is accepted.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, not_found};
use crate::{Cognito, RequestContext};

/// The adjustable categories and their free rates (requests per second).
const CATEGORIES: &[(&str, i32)] = &[
    ("UserAuthentication", 120),
    ("UserCreation", 50),
    ("UserFederation", 25),
    ("UserAccountRecovery", 30),
    ("UserRead", 120),
    ("UserUpdate", 25),
    ("UserResourceRead", 50),
    ("UserList", 30),
    ("ClientAuthentication", 150),
];

/// The attribute that names a category.
const CATEGORY: &str = "Category";

impl Cognito {
    pub(crate) fn get_provisioned_limit(
        &self,
        ctx: &RequestContext,
        input: GetProvisionedLimitRequest,
    ) -> Result<GetProvisionedLimitResponse, CognitoError> {
        let (category, free) = category(&input.limit_definition)?;
        let provisioned = self
            .store
            .global(|global| global.limits.get(&key(ctx, category)).copied())
            .unwrap_or(free);
        Ok(GetProvisionedLimitResponse {
            limit: LimitType {
                free_limit_value: free,
                provisioned_limit_value: provisioned,
                limit_definition: input.limit_definition,
            },
        })
    }

    pub(crate) fn update_provisioned_limit(
        &self,
        ctx: &RequestContext,
        input: UpdateProvisionedLimitRequest,
    ) -> Result<UpdateProvisionedLimitResponse, CognitoError> {
        let (category, free) = category(&input.limit_definition)?;
        let requested = input.requested_limit_value;
        if requested < free {
            return Err(invalid_parameter(format!(
                "The requested limit value {requested} is below the default limit {free} for the category {category}."
            )));
        }
        self.store
            .update_global(|global| global.limits.insert(key(ctx, category), requested));
        Ok(UpdateProvisionedLimitResponse {
            limit: LimitType {
                free_limit_value: free,
                provisioned_limit_value: requested,
                limit_definition: input.limit_definition,
            },
        })
    }
}

/// The category a definition names, with its free rate.
fn category(def: &LimitDefinitionType) -> Result<(&'static str, i32), CognitoError> {
    if let Some(other) = def.attributes.keys().find(|k| k.as_str() != CATEGORY) {
        return Err(invalid_parameter(format!(
            "Unsupported limit attribute {other}: an API_CATEGORY limit is named by its Category."
        )));
    }
    let name = def
        .attributes
        .get(CATEGORY)
        .ok_or_else(|| invalid_parameter("The limit attribute Category is required."))?;
    CATEGORIES
        .iter()
        .find(|(c, _)| c == name)
        .copied()
        .ok_or_else(|| {
            not_found(format!(
                "No provisioned limit exists for the category {name}."
            ))
        })
}

fn key(ctx: &RequestContext, category: &str) -> (String, String, String) {
    (
        ctx.account_id.clone(),
        ctx.region.clone(),
        category.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{ctx, service};
    use cognito_model::ErrorKind;

    fn def(attrs: &[(&str, &str)]) -> LimitDefinitionType {
        LimitDefinitionType {
            limit_class: LimitClass::ApiCategory,
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn get(svc: &Cognito, c: &RequestContext, category: &str) -> LimitType {
        svc.get_provisioned_limit(
            c,
            GetProvisionedLimitRequest {
                limit_definition: def(&[("Category", category)]),
            },
        )
        .unwrap()
        .limit
    }

    #[test]
    fn defaults_then_raised_per_region() {
        let svc = service();
        let limit = get(&svc, &ctx(), "UserCreation");
        assert_eq!(limit.free_limit_value, 50);
        assert_eq!(limit.provisioned_limit_value, 50);
        assert_eq!(limit.limit_definition, def(&[("Category", "UserCreation")]));

        let raised = svc
            .update_provisioned_limit(
                &ctx(),
                UpdateProvisionedLimitRequest {
                    limit_definition: def(&[("Category", "UserCreation")]),
                    requested_limit_value: 80,
                },
            )
            .unwrap()
            .limit;
        assert_eq!(raised.provisioned_limit_value, 80);
        assert_eq!(raised.free_limit_value, 50);
        assert_eq!(
            get(&svc, &ctx(), "UserCreation").provisioned_limit_value,
            80
        );

        let elsewhere = RequestContext {
            region: "eu-west-1".into(),
            ..ctx()
        };
        assert_eq!(
            get(&svc, &elsewhere, "UserCreation").provisioned_limit_value,
            50
        );
    }

    #[test]
    fn errors() {
        let svc = service();
        let update = |d: LimitDefinitionType, value: i32| {
            svc.update_provisioned_limit(
                &ctx(),
                UpdateProvisionedLimitRequest {
                    limit_definition: d,
                    requested_limit_value: value,
                },
            )
        };
        let err = update(def(&[("Category", "UserAuthentication")]), 100).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = update(def(&[]), 100).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = update(def(&[("Category", "UserRead"), ("Pool", "x")]), 200).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .get_provisioned_limit(
                &ctx(),
                GetProvisionedLimitRequest {
                    limit_definition: def(&[("Category", "Nonsense")]),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }
}
