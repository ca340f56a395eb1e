//! Tags on user pools: `TagResource`, `UntagResource`, `ListTagsForResource`.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, not_found};
use crate::{Cognito, RequestContext};
use std::collections::BTreeMap;

/// How many tags a resource may carry.
pub(crate) const MAX_TAGS: usize = 50;

pub(crate) fn check_tags(tags: &BTreeMap<String, String>) -> Result<(), CognitoError> {
    if tags.len() > MAX_TAGS {
        return Err(invalid_parameter(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    if tags.keys().any(|k| k.starts_with("aws:")) {
        return Err(invalid_parameter(
            "Tag keys starting with 'aws:' are reserved.",
        ));
    }
    Ok(())
}

impl Cognito {
    /// The pool a resource ARN names.
    fn tagged_pool(&self, ctx: &RequestContext, arn: &str) -> Result<String, CognitoError> {
        let missing = || not_found(format!("Resource {arn} does not exist."));
        let mut parts = arn.splitn(6, ':');
        let (
            Some("arn"),
            Some(_partition),
            Some("cognito-idp"),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return Err(invalid_parameter(format!("Invalid ARN {arn}.")));
        };
        let pool_id = resource.strip_prefix("userpool/").ok_or_else(missing)?;
        if region != crate::ids::pool_region(pool_id) || account != ctx.account_id {
            return Err(missing());
        }
        self.store
            .read(pool_id, |_| Ok(pool_id.to_string()))
            .map_err(|_| missing())
    }

    pub(crate) fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<TagResourceResponse, CognitoError> {
        let pool_id = self.tagged_pool(ctx, &input.resource_arn)?;
        self.store.update(&pool_id, |pool| {
            let mut tags = pool.tags.clone();
            tags.extend(input.tags);
            check_tags(&tags)?;
            pool.tags = tags;
            Ok(TagResourceResponse {})
        })
    }

    pub(crate) fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<UntagResourceResponse, CognitoError> {
        let pool_id = self.tagged_pool(ctx, &input.resource_arn)?;
        self.store.update(&pool_id, |pool| {
            for key in &input.tag_keys {
                pool.tags.remove(key);
            }
            Ok(UntagResourceResponse {})
        })
    }

    pub(crate) fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, CognitoError> {
        let pool_id = self.tagged_pool(ctx, &input.resource_arn)?;
        let tags = self.store.read(&pool_id, |pool| Ok(pool.tags.clone()))?;
        Ok(ListTagsForResourceResponse { tags: Some(tags) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};
    use cognito_model::ErrorKind;

    #[test]
    fn tag_list_untag() {
        let svc = service();
        let arn = create_pool(&svc, "p").arn.unwrap();
        svc.tag_resource(
            &ctx(),
            TagResourceRequest {
                resource_arn: arn.clone(),
                tags: [
                    ("a".to_string(), "1".to_string()),
                    ("b".to_string(), "2".to_string()),
                ]
                .into(),
            },
        )
        .unwrap();
        svc.untag_resource(
            &ctx(),
            UntagResourceRequest {
                resource_arn: arn.clone(),
                tag_keys: vec!["a".into()],
            },
        )
        .unwrap();
        let tags = svc
            .list_tags_for_resource(&ctx(), ListTagsForResourceRequest { resource_arn: arn })
            .unwrap()
            .tags
            .unwrap();
        assert_eq!(
            tags.into_iter().collect::<Vec<_>>(),
            vec![("b".to_string(), "2".to_string())]
        );
    }

    #[test]
    fn unknown_resources() {
        let svc = service();
        let missing = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_nothere12";
        let err = svc
            .list_tags_for_resource(
                &ctx(),
                ListTagsForResourceRequest {
                    resource_arn: missing.into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        let err = svc
            .list_tags_for_resource(
                &ctx(),
                ListTagsForResourceRequest {
                    resource_arn: "arn:aws:s3:::bucket".into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }
}
