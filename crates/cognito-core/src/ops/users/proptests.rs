//! Properties of `ListUsers`: its filter parser on any text, and paging through any pool
//! with any filter and page size.

use std::collections::BTreeSet;

use cognito_model::shapes::{
    AdminCreateUserRequest, AttributeType, ListUsersRequest, MessageActionType,
};
use cognito_model::ErrorKind;
use proptest::prelude::*;

use super::list::parse_filter;
use crate::testing::{create_pool, ctx, service};

/// The attribute names a filter may name.
const SEARCHABLE: [&str; 10] = [
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// `value` between quotes, with `"` and `\` escaped.
fn quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Whitespace as clients put it around a filter's parts.
fn space() -> impl Strategy<Value = String> {
    "[ \t]{0,3}"
}

/// Text that looks like a filter, often almost right.
fn filterish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("email".to_owned()),
        Just("username".to_owned()),
        Just("=".to_owned()),
        Just("^=".to_owned()),
        Just("^".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just(" ".to_owned()),
        "[a-z@.]{1,3}",
        "\\PC{1,2}",
    ];
    proptest::collection::vec(token, 0..8).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text parses or is refused as Cognito refuses filters; nothing panics.
    #[test]
    fn any_text_parses_or_is_an_invalid_parameter(
        text in prop_oneof![any::<String>(), filterish()],
    ) {
        if let Err(e) = parse_filter(&text) {
            prop_assert_eq!(e.kind, ErrorKind::InvalidParameterException);
        }
    }

    /// A well-formed filter parses, whatever its value, operator and spacing; the
    /// spacing changes nothing; text after the closing quote is refused.
    #[test]
    fn well_formed_filters_parse_alike_however_spaced(
        name in proptest::sample::select(&SEARCHABLE[..]),
        prefix in any::<bool>(),
        value in "\\PC{0,12}",
        spaces in proptest::collection::vec(space(), 4),
        trailing in "[^ \t\n\r\u{b}\u{c}\u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}]\\PC{0,3}",
    ) {
        let operator = if prefix { "^=" } else { "=" };
        let plain = format!("{name} {operator} {}", quoted(&value));
        let spaced = format!(
            "{}{name}{}{operator}{}{}{}",
            spaces[0], spaces[1], spaces[2], quoted(&value), spaces[3]
        );
        let parsed = parse_filter(&plain);
        prop_assert!(matches!(parsed, Ok(Some(_))), "{plain}: {parsed:?}");
        prop_assert_eq!(parse_filter(&spaced), parsed);
        let refused = parse_filter(&format!("{plain}{trailing}"));
        prop_assert!(refused.is_err(), "{plain}{trailing}: {refused:?}");
    }

    /// Paging through a pool with any page size returns every user the filter
    /// matches, once each, in pages no larger than asked, the last without a token;
    /// unfiltered and by username, in username order.
    #[test]
    fn pages_cover_every_match_once(
        users in proptest::collection::btree_map("[a-f]{1,4}", "[ab\"\\\\ ]{1,3}", 0..25),
        limit in 1..8i32,
        filter in (0..3usize, any::<proptest::sample::Index>(), 0..4usize, any::<bool>()),
    ) {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap_or_default();
        for (username, name) in &users {
            svc.admin_create_user(&ctx(), AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: username.clone(),
                user_attributes: Some(vec![AttributeType {
                    name: "name".into(),
                    value: Some(name.clone()),
                }]),
                message_action: Some(MessageActionType::Suppress),
                ..Default::default()
            }).map_err(|e| TestCaseError::fail(e.message))?;
        }

        // The filter: none, on the name attribute, or on the username, exact or by a
        // prefix of a value some user has (or of one nobody has, when the pool is
        // empty).
        let (kind, pick, cut, prefix) = filter;
        let entries: Vec<(&String, &String)> = users.iter().collect();
        let (username, name) = if entries.is_empty() {
            (&"zz".to_owned(), &"zz".to_owned())
        } else {
            let (u, n) = entries[pick.index(entries.len())];
            (u, n)
        };
        let (text, expected): (Option<String>, Vec<&String>) = match kind {
            0 => (None, users.keys().collect()),
            1 => {
                let value: String = if prefix {
                    name.chars().take(cut.max(1)).collect()
                } else {
                    name.clone()
                };
                let op = if prefix { "^=" } else { "=" };
                let matching = users
                    .iter()
                    .filter(|(_, n)| if prefix { n.starts_with(&value) } else { **n == value })
                    .map(|(u, _)| u)
                    .collect();
                (Some(format!("name {op} {}", quoted(&value))), matching)
            }
            _ => {
                let value: String = if prefix {
                    username.chars().take(cut.max(1)).collect()
                } else {
                    username.clone()
                };
                let op = if prefix { "^=" } else { "=" };
                let matching = users
                    .keys()
                    .filter(|u| if prefix { u.starts_with(&value) } else { **u == value })
                    .collect();
                (Some(format!("username {op} {}", quoted(&value))), matching)
            }
        };

        let mut seen = Vec::new();
        let mut token = None;
        for _ in 0..=users.len() {
            let page = svc.list_users(&ctx(), ListUsersRequest {
                user_pool_id: pool.clone(),
                filter: text.clone(),
                limit: Some(limit),
                pagination_token: token.take(),
                attributes_to_get: None,
            }).map_err(|e| TestCaseError::fail(e.message))?;
            let listed: Vec<String> = page
                .users
                .unwrap_or_default()
                .into_iter()
                .filter_map(|u| u.username)
                .collect();
            prop_assert!(listed.len() <= limit as usize);
            prop_assert!(
                !listed.is_empty() || page.pagination_token.is_none() && seen.is_empty(),
                "only a lone page is empty"
            );
            seen.extend(listed);
            token = page.pagination_token;
            if token.is_none() {
                break;
            }
        }
        prop_assert!(token.is_none(), "the pages end");
        let distinct: BTreeSet<&String> = seen.iter().collect();
        prop_assert_eq!(distinct.len(), seen.len(), "listed once each: {:?}", seen);
        if kind == 1 {
            prop_assert_eq!(distinct, expected.into_iter().collect::<BTreeSet<_>>());
        } else {
            let seen: Vec<&String> = seen.iter().collect();
            prop_assert_eq!(seen, expected);
        }
    }
}
