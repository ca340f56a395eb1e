//! `ListUsers`: pages of users in key order, optionally filtered through the indexes.
//!
//! A filter reads `<attribute> = "<value>"` (exact) or `<attribute> ^= "<value>"`
//! (prefix); inside the quotes, `\"` and `\\` escape. An empty filter lists everyone.

use std::ops::Bound;

use cognito_model::shapes::{ListUsersRequest, ListUsersResponse, UserType};
use cognito_model::CognitoError;

use super::user_type;
use crate::errors::invalid_parameter;
use crate::state::users::{Indexed, User};
use crate::store::PoolState;
use crate::{ids, Cognito, RequestContext};

const DEFAULT_LIMIT: usize = 60;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    /// The attribute (`None` for `username`).
    attr: Option<Indexed>,
    /// `^=` rather than `=`.
    prefix: bool,
    value: String,
}

/// Parses a `ListUsers` filter; `Ok(None)` for an empty one.
pub(crate) fn parse_filter(text: &str) -> Result<Option<Filter>, CognitoError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || invalid_parameter("Error while parsing filter.");
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(bad)?;
    let (name, rest) = text.split_at(name_end);
    let rest = rest.trim_start();
    let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err(bad());
    };
    let rest = rest.trim_start();
    let mut chars = rest.strip_prefix('"').ok_or_else(bad)?.chars();
    let mut value = String::new();
    loop {
        match chars.next().ok_or_else(bad)? {
            '\\' => value.push(chars.next().ok_or_else(bad)?),
            '"' => break,
            c => value.push(c),
        }
    }
    if !chars.as_str().trim().is_empty() {
        return Err(bad());
    }
    let attr = match name {
        "username" => None,
        other => Some(
            Indexed::from_filter_name(other)
                .ok_or_else(|| invalid_parameter(format!("Invalid search attribute: {other}")))?,
        ),
    };
    Ok(Some(Filter {
        attr,
        prefix,
        value,
    }))
}

impl Cognito {
    pub(crate) fn list_users(
        &self,
        _ctx: &RequestContext,
        input: ListUsersRequest,
    ) -> Result<ListUsersResponse, CognitoError> {
        let filter = parse_filter(input.filter.as_deref().unwrap_or_default())?;
        let limit = input
            .limit
            .and_then(|l| usize::try_from(l).ok())
            .unwrap_or(DEFAULT_LIMIT)
            .max(1);
        let after = ids::page_after(input.pagination_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let (page, more) = page(pool, filter.as_ref(), after.as_deref(), limit);
            let wanted = input.attributes_to_get.as_deref();
            let users: Vec<UserType> = page
                .iter()
                .map(|(_, user)| {
                    let mut t = user_type(user);
                    if let (Some(wanted), Some(attrs)) = (wanted, t.attributes.as_mut()) {
                        attrs.retain(|a| wanted.contains(&a.name));
                    }
                    t
                })
                .collect();
            let token = more
                .then(|| page.last().map(|(k, _)| ids::page_token(k)))
                .flatten();
            Ok(ListUsersResponse {
                users: Some(users),
                pagination_token: token,
            })
        })
    }
}

/// Up to `limit` users after `after` that match `filter`, and whether more follow.
fn page<'p>(
    pool: &'p PoolState,
    filter: Option<&'p Filter>,
    after: Option<&'p str>,
    limit: usize,
) -> (Vec<(&'p str, &'p User)>, bool) {
    let users = &pool.users;
    let resolve = |k: &'p str| users.get(k).map(|u| (k, u));
    let mut matches: Box<dyn Iterator<Item = (&'p str, &'p User)> + 'p> = match filter {
        None => Box::new(users.after(after)),
        Some(Filter {
            attr: None,
            prefix: false,
            value,
        }) => {
            let key = pool.user_key(value);
            let unseen = after.is_none_or(|a| key.as_str() > a);
            let found = users
                .get_key_value(&key)
                .filter(|(_, u)| unseen && (pool.case_insensitive() || u.username == *value));
            Box::new(found.into_iter())
        }
        Some(Filter {
            attr: None,
            prefix: true,
            value,
        }) => {
            let key_prefix = pool.user_key(value);
            let from = match after {
                Some(a) if a >= key_prefix.as_str() => Bound::Excluded(a),
                _ => Bound::Included(key_prefix.as_str()),
            };
            let from = users.range(from);
            Box::new(from.take_while(move |(k, _)| k.starts_with(key_prefix.as_str())))
        }
        Some(Filter {
            attr: Some(attr),
            prefix: false,
            value,
        }) => Box::new(
            users
                .keys_equal_after(*attr, value, after)
                .filter_map(resolve),
        ),
        Some(Filter {
            attr: Some(attr),
            prefix: true,
            value,
        }) => Box::new(
            users
                .keys_with_prefix_after(*attr, value, after)
                .filter_map(resolve),
        ),
    };
    let page: Vec<_> = matches.by_ref().take(limit).collect();
    let more = matches.next().is_some();
    (page, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters() {
        assert_eq!(parse_filter("").unwrap(), None);
        assert_eq!(
            parse_filter(r#"email = "a@b.com""#).unwrap(),
            Some(Filter {
                attr: Some(Indexed::Email),
                prefix: false,
                value: "a@b.com".into()
            })
        );
        assert_eq!(
            parse_filter(r#"family_name^="Re\"d\\""#).unwrap(),
            Some(Filter {
                attr: Some(Indexed::FamilyName),
                prefix: true,
                value: "Re\"d\\".into()
            })
        );
        assert_eq!(
            parse_filter(r#"username = "bob""#).unwrap(),
            Some(Filter {
                attr: None,
                prefix: false,
                value: "bob".into()
            })
        );
        for bad in [
            r#"email = a"#,
            r#"email "a""#,
            r#"email = "a"#,
            r#"email = "a" x"#,
            "email",
        ] {
            assert_eq!(
                parse_filter(bad).unwrap_err().message,
                "Error while parsing filter.",
                "{bad}"
            );
        }
        assert!(parse_filter(r#"custom:x = "1""#)
            .unwrap_err()
            .message
            .contains("custom:x"));
    }
}
