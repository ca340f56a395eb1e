//! Terms documents of app clients: `CreateTerms`, `DescribeTerms`, `DescribeTermsByClient`,
//! `UpdateTerms`, `DeleteTerms`, `ListTerms`.
//!
//! An app client has at most one document of each kind, `terms-of-use` and
//! `privacy-policy`, each a map from managed login languages (`cognito:default`,
//! `cognito:french`, ...) to the URL that language's readers are sent to.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::{invalid_parameter, not_found};
use crate::{ids, Cognito, RequestContext};

/// The languages managed login is localized in, as terms links name them.
const LANGUAGES: [&str; 13] = [
    "cognito:default",
    "cognito:dutch",
    "cognito:english",
    "cognito:french",
    "cognito:spanish",
    "cognito:german",
    "cognito:bahasa-indonesia",
    "cognito:italian",
    "cognito:japanese",
    "cognito:korean",
    "cognito:portuguese-brazil",
    "cognito:chinese-simplified",
    "cognito:chinese-traditional",
];

/// Default and largest page size of `ListTerms`.
const MAX_PAGE: usize = 60;

fn terms_not_found(id: &str) -> CognitoError {
    not_found(format!("Terms {id} does not exist."))
}

fn terms_exist(name: &str, client_id: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::TermsExistsException,
        format!("Terms {name} already exist for app client {client_id}."),
    )
}

/// Links name known languages and point at web pages; a `LINK` document needs one at least.
fn check_links(links: &LinksType) -> Result<(), CognitoError> {
    if links.is_empty() {
        return Err(invalid_parameter(
            "Links must contain at least one link when TermsSource is LINK.",
        ));
    }
    for (language, url) in links {
        if !LANGUAGES.contains(&language.as_str()) {
            return Err(invalid_parameter(format!(
                "{language} is not a supported language for terms links."
            )));
        }
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(invalid_parameter(format!(
                "The link {url} for {language} is not an HTTP or HTTPS URL."
            )));
        }
    }
    Ok(())
}

impl Cognito {
    pub(crate) fn create_terms(
        &self,
        ctx: &RequestContext,
        input: CreateTermsRequest,
    ) -> Result<CreateTermsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let links = input.links.unwrap_or_default();
        check_links(&links)?;
        self.store.update(&input.user_pool_id, |pool| {
            pool.client(&input.client_id)?;
            if pool
                .terms
                .of_client(&input.client_id)
                .any(|t| t.terms_name == input.terms_name)
            {
                return Err(terms_exist(&input.terms_name, &input.client_id));
            }
            let id = loop {
                let id = ids::uuid_v4(&*self.random);
                if !pool.terms.terms.contains_key(&id) {
                    break id;
                }
            };
            let terms = TermsType {
                terms_id: id.clone(),
                user_pool_id: input.user_pool_id.clone(),
                client_id: input.client_id,
                terms_name: input.terms_name,
                terms_source: input.terms_source,
                enforcement: input.enforcement,
                links,
                creation_date: ctx.now,
                last_modified_date: ctx.now,
            };
            pool.terms.terms.insert(id, terms.clone());
            Ok(CreateTermsResponse { terms: Some(terms) })
        })
    }

    pub(crate) fn describe_terms(
        &self,
        _ctx: &RequestContext,
        input: DescribeTermsRequest,
    ) -> Result<DescribeTermsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let terms = pool
                .terms
                .terms
                .get(&input.terms_id)
                .ok_or_else(|| terms_not_found(&input.terms_id))?;
            Ok(DescribeTermsResponse {
                terms: Some(terms.clone()),
            })
        })
    }

    pub(crate) fn describe_terms_by_client(
        &self,
        _ctx: &RequestContext,
        input: DescribeTermsByClientRequest,
    ) -> Result<DescribeTermsByClientResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            pool.client(&input.client_id)?;
            let terms = pool
                .terms
                .of_client(&input.client_id)
                .find(|t| t.terms_name == input.terms_name)
                .ok_or_else(|| {
                    not_found(format!(
                        "Terms {} do not exist for app client {}.",
                        input.terms_name, input.client_id
                    ))
                })?;
            Ok(DescribeTermsByClientResponse {
                terms: Some(terms.clone()),
            })
        })
    }

    pub(crate) fn update_terms(
        &self,
        ctx: &RequestContext,
        input: UpdateTermsRequest,
    ) -> Result<UpdateTermsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        if let Some(links) = &input.links {
            check_links(links)?;
        }
        self.store.update(&input.user_pool_id, |pool| {
            let current = pool
                .terms
                .terms
                .get(&input.terms_id)
                .ok_or_else(|| terms_not_found(&input.terms_id))?;
            if let Some(name) = &input.terms_name {
                let taken = pool
                    .terms
                    .of_client(&current.client_id)
                    .any(|t| t.terms_name == *name && t.terms_id != input.terms_id);
                if taken {
                    return Err(terms_exist(name, &current.client_id));
                }
            }
            let terms = pool
                .terms
                .terms
                .get_mut(&input.terms_id)
                .ok_or_else(|| terms_not_found(&input.terms_id))?;
            // What the request leaves out keeps its value.
            if let Some(name) = input.terms_name {
                terms.terms_name = name;
            }
            if let Some(source) = input.terms_source {
                terms.terms_source = source;
            }
            if let Some(enforcement) = input.enforcement {
                terms.enforcement = enforcement;
            }
            if let Some(links) = input.links {
                terms.links = links;
            }
            terms.last_modified_date = ctx.now;
            Ok(UpdateTermsResponse {
                terms: Some(terms.clone()),
            })
        })
    }

    pub(crate) fn delete_terms(
        &self,
        _ctx: &RequestContext,
        input: DeleteTermsRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.terms
                .terms
                .remove(&input.terms_id)
                .map(|_| ())
                .ok_or_else(|| terms_not_found(&input.terms_id))
        })
    }

    pub(crate) fn list_terms(
        &self,
        _ctx: &RequestContext,
        input: ListTermsRequest,
    ) -> Result<ListTermsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = ids::page_size(input.max_results, MAX_PAGE);
        self.store.read(&input.user_pool_id, |pool| {
            let (page, next_token) = ids::page_of(
                &pool.terms.terms,
                input.next_token.as_deref().filter(|t| !t.is_empty()),
                limit,
                |t| TermsDescriptionType {
                    terms_id: t.terms_id.clone(),
                    terms_name: t.terms_name.clone(),
                    enforcement: t.enforcement,
                    creation_date: t.creation_date,
                    last_modified_date: t.last_modified_date,
                },
            )?;
            Ok(ListTermsResponse {
                terms: page,
                next_token,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};

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

    fn links(pairs: &[(&str, &str)]) -> LinksType {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn create(
        svc: &Cognito,
        pool: &str,
        client: &str,
        name: &str,
        l: Option<LinksType>,
    ) -> Result<TermsType, CognitoError> {
        svc.create_terms(
            &ctx(),
            CreateTermsRequest {
                user_pool_id: pool.into(),
                client_id: client.into(),
                terms_name: name.into(),
                terms_source: TermsSourceType::Link,
                enforcement: TermsEnforcementType::None,
                links: l,
            },
        )
        .map(|r| r.terms.unwrap())
    }

    fn default_link() -> Option<LinksType> {
        Some(links(&[("cognito:default", "https://example.com/terms")]))
    }

    #[test]
    fn create_and_describe() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        let terms = create(&svc, &pool, &app, "terms-of-use", default_link()).unwrap();
        assert_eq!(terms.terms_id.len(), 36);
        assert_eq!(terms.client_id, app);
        assert_eq!(terms.user_pool_id, pool);
        assert_eq!(terms.creation_date, ctx().now);
        assert_eq!(terms.links["cognito:default"], "https://example.com/terms");

        let by_id = svc
            .describe_terms(
                &ctx(),
                DescribeTermsRequest {
                    user_pool_id: pool.clone(),
                    terms_id: terms.terms_id.clone(),
                },
            )
            .unwrap()
            .terms
            .unwrap();
        assert_eq!(by_id, terms);
        let by_client = svc
            .describe_terms_by_client(
                &ctx(),
                DescribeTermsByClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: app.clone(),
                    terms_name: "terms-of-use".into(),
                },
            )
            .unwrap()
            .terms
            .unwrap();
        assert_eq!(by_client, terms);
        let err = svc
            .describe_terms_by_client(
                &ctx(),
                DescribeTermsByClientRequest {
                    user_pool_id: pool,
                    client_id: app,
                    terms_name: "privacy-policy".into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn one_document_of_each_kind_per_client() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        let other = client(&svc, &pool);
        create(&svc, &pool, &app, "terms-of-use", default_link()).unwrap();
        create(&svc, &pool, &app, "privacy-policy", default_link()).unwrap();
        create(&svc, &pool, &other, "terms-of-use", default_link()).unwrap();
        let err = create(&svc, &pool, &app, "terms-of-use", default_link()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TermsExistsException);
        let err = create(&svc, &pool, "nosuchclient", "terms-of-use", default_link()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn documents_go_with_their_client() {
        let svc = service();
        let pool_id = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool_id);
        let other = client(&svc, &pool_id);
        create(&svc, &pool_id, &app, "terms-of-use", default_link()).unwrap();
        create(&svc, &pool_id, &other, "terms-of-use", default_link()).unwrap();
        let pool = svc.pool(&ctx(), &pool_id).unwrap();
        pool.write().terms.forget_client(&app);
        let pool = pool.read();
        assert_eq!(pool.terms.of_client(&app).count(), 0);
        assert_eq!(pool.terms.of_client(&other).count(), 1);
    }

    #[test]
    fn links_are_checked() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        for bad in [
            None,
            Some(links(&[])),
            Some(links(&[("cognito:klingon", "https://example.com")])),
            Some(links(&[("cognito:default", "ftp://example.com")])),
        ] {
            let err = create(&svc, &pool, &app, "terms-of-use", bad.clone()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{bad:?}");
        }
        create(
            &svc,
            &pool,
            &app,
            "terms-of-use",
            Some(links(&[
                ("cognito:default", "https://example.com/terms"),
                ("cognito:french", "https://example.com/fr/conditions"),
            ])),
        )
        .unwrap();
    }

    #[test]
    fn update_changes_what_it_names() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let app = client(&svc, &pool);
        let terms = create(&svc, &pool, &app, "terms-of-use", default_link()).unwrap();
        let privacy = create(&svc, &pool, &app, "privacy-policy", default_link()).unwrap();
        let later = ctx_at(1_700_000_700);
        let updated = svc
            .update_terms(
                &later,
                UpdateTermsRequest {
                    user_pool_id: pool.clone(),
                    terms_id: terms.terms_id.clone(),
                    links: Some(links(&[("cognito:default", "https://example.com/v2")])),
                    ..Default::default()
                },
            )
            .unwrap()
            .terms
            .unwrap();
        assert_eq!(updated.links["cognito:default"], "https://example.com/v2");
        assert_eq!(updated.terms_name, "terms-of-use");
        assert_eq!(updated.last_modified_date, later.now);
        assert_eq!(updated.creation_date, ctx().now);

        // Renaming onto the client's other document collides.
        let err = svc
            .update_terms(
                &ctx(),
                UpdateTermsRequest {
                    user_pool_id: pool.clone(),
                    terms_id: privacy.terms_id,
                    terms_name: Some("terms-of-use".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::TermsExistsException);
        let err = svc
            .update_terms(
                &ctx(),
                UpdateTermsRequest {
                    user_pool_id: pool,
                    terms_id: "a1b2c3d4-5678-4abc-8def-000000000000".into(),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn delete_and_list() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let mut ids: Vec<String> = Vec::new();
        for _ in 0..3 {
            let app = client(&svc, &pool);
            for name in ["terms-of-use", "privacy-policy"] {
                ids.push(
                    create(&svc, &pool, &app, name, default_link())
                        .unwrap()
                        .terms_id,
                );
            }
        }
        ids.sort();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_terms(
                    &ctx(),
                    ListTermsRequest {
                        user_pool_id: pool.clone(),
                        max_results: Some(4),
                        next_token: token,
                    },
                )
                .unwrap();
            assert!(page.terms.len() <= 4);
            seen.extend(page.terms.into_iter().map(|t| t.terms_id));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, ids);

        let first = ids.first().unwrap().clone();
        let delete = || {
            svc.delete_terms(
                &ctx(),
                DeleteTermsRequest {
                    user_pool_id: pool.clone(),
                    terms_id: first.clone(),
                },
            )
        };
        delete().unwrap();
        assert_eq!(
            delete().unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        let all = svc
            .list_terms(
                &ctx(),
                ListTermsRequest {
                    user_pool_id: pool,
                    max_results: None,
                    next_token: None,
                },
            )
            .unwrap();
        assert_eq!(all.terms.len(), 5);
        assert_eq!(all.next_token, None);
    }
}
