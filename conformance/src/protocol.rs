//! Cases for the awsJson1_1 protocol itself, translated from the rules of Smithy's
//! protocol tests: which `Content-Type`s are accepted, an empty body read as `{}`,
//! `null` members read as absent, unknown targets, malformed JSON, wrong JSON types,
//! and the headers and body every answer carries.
//!
//! The cheap ones run for every operation; the rest run once, against `ListUserPools`
//! and `DescribeUserPool`.

use serde_json::{json, Value};

use super::client::{expect_error, expect_output, Request, Status, JSON_1_1, TARGET_PREFIX};
use super::negative::{empty, with_null};
use super::scenarios::Ctx;
use super::schema::Schema;
use super::validate::{check, Mode};
use super::values::valid;
use super::{Action, Case, Expect, Group, Steps};
use crate::smithy::{Kind, Operation};

/// The per-operation protocol cases of `op`.
pub fn cases(schema: &Schema, op: &Operation) -> Result<Vec<Case>, String> {
    let Some(input) = &op.input else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut add = |name: &str, body: String, expect: Expect| {
        out.push(Case {
            id: format!("{}/protocol/{name}", op.name),
            operation: Some(op.name.clone()),
            group: Group::Protocol,
            action: Action::Send {
                request: Request::new(&op.name, op.signed, body),
                expect,
            },
        });
    };
    let baseline = valid(schema, input)?;
    let text = baseline.to_string();
    let truncated: String = text
        .chars()
        .take(text.chars().count().saturating_sub(1))
        .collect();
    add(
        "malformed-json",
        truncated,
        Expect::Error("SerializationException"),
    );
    if let Some(body) = wrong_type(schema, input, &baseline)? {
        add(
            "wrong-type",
            body.to_string(),
            Expect::Error("SerializationException"),
        );
    }
    let required = required_members(schema, input)?;
    match required.first() {
        Some(first) => {
            let body = with_null(schema, input, first)?;
            let expected = check(schema, input, &body, Mode::Input);
            add(
                "null-member",
                body.to_string(),
                Expect::Validation(expected),
            );
            let expected = check(schema, input, &empty(), Mode::Input);
            add("empty-body", String::new(), Expect::Validation(expected));
        }
        None => {
            let object = Request::new(&op.name, op.signed, empty().to_string());
            add("empty-body", String::new(), Expect::Like(object));
        }
    }
    Ok(out)
}

fn required_members(schema: &Schema, input: &str) -> Result<Vec<String>, String> {
    match &schema.shape(input)?.kind {
        Kind::Structure(members) => Ok(members
            .iter()
            .filter(|m| m.required)
            .map(|m| m.name.clone())
            .collect()),
        _ => Err(format!("input {input} is not a structure")),
    }
}

/// The valid input with one top-level member of the wrong JSON type: a number for a
/// string, a string for a number, and so on. Required members are preferred.
fn wrong_type(schema: &Schema, input: &str, baseline: &Value) -> Result<Option<Value>, String> {
    let Kind::Structure(members) = &schema.shape(input)?.kind else {
        return Ok(None);
    };
    let mut ordered: Vec<_> = members.iter().filter(|m| m.required).collect();
    ordered.extend(members.iter().filter(|m| !m.required));
    for m in ordered {
        let wrong = match schema.shape(&m.target)?.kind {
            Kind::String | Kind::Enum(_) => json!(12345),
            Kind::Integer | Kind::Long => json!("12345"),
            Kind::Boolean => json!("yes"),
            Kind::List(_) => json!({"a": "b"}),
            Kind::Map(..) => json!(["a"]),
            Kind::Structure(_) => json!("x"),
            Kind::Timestamp | Kind::Blob | Kind::Document => continue,
        };
        let mut body = baseline.clone();
        if let Some(o) = body.as_object_mut() {
            o.insert(m.name.clone(), wrong);
        }
        return Ok(Some(body));
    }
    Ok(None)
}

/// The protocol cases that run once.
pub fn global_cases() -> Vec<Case> {
    let checks: [(&str, Steps); 10] = [
        ("content-type/x-amz-json-1.1", |c| {
            list_pools_as(c, JSON_1_1)
        }),
        ("content-type/x-amz-json-1.0", |c| {
            list_pools_as(c, "application/x-amz-json-1.0")
        }),
        ("content-type/application-json", |c| {
            list_pools_as(c, "application/json")
        }),
        ("content-type/parameters", |c| {
            list_pools_as(c, "application/x-amz-json-1.1; charset=utf-8")
        }),
        ("unknown-operation", unknown_operation),
        ("null-optional-member", null_optional_member),
        ("success-headers", success_headers),
        ("error-headers", error_headers),
        ("request-ids-differ", request_ids_differ),
        ("unsigned-operation", unsigned_operation),
    ];
    checks
        .into_iter()
        .map(|(name, check)| Case {
            id: format!("protocol/{name}"),
            operation: None,
            group: Group::Protocol,
            action: Action::Check(check),
        })
        .collect()
}

fn list_pools(content_type: &str, body: &str) -> Request {
    let mut r = Request::new("ListUserPools", true, body.to_string());
    r.content_type = Some(content_type.to_string());
    r
}

fn list_pools_as(ctx: &Ctx, content_type: &str) -> Result<(), String> {
    let r = ctx.send(&list_pools(content_type, r#"{"MaxResults": 1}"#))?;
    expect_output(ctx.schema, "ListUserPools", &r).map(drop)
}

fn unknown_operation(ctx: &Ctx) -> Result<(), String> {
    let mut request = Request::new("NoSuchOperation", true, "{}".to_string());
    request.target = Some(format!("{TARGET_PREFIX}.NoSuchOperation"));
    let r = ctx.send(&request)?;
    expect_error(&r, "UnknownOperationException", Status::Exactly(400)).map(drop)
}

fn null_optional_member(ctx: &Ctx) -> Result<(), String> {
    let r = ctx.send(&list_pools(
        JSON_1_1,
        r#"{"MaxResults": 1, "NextToken": null}"#,
    ))?;
    expect_output(ctx.schema, "ListUserPools", &r).map(drop)
}

fn content_type_is_json(r: &super::client::Response) -> Result<(), String> {
    match r.header("content-type") {
        Some(c) if c.starts_with(JSON_1_1) => Ok(()),
        other => Err(format!("Content-Type is {other:?}, not {JSON_1_1}: {r}")),
    }
}

fn success_headers(ctx: &Ctx) -> Result<(), String> {
    let r = ctx.send(&list_pools(JSON_1_1, r#"{"MaxResults": 1}"#))?;
    expect_output(ctx.schema, "ListUserPools", &r)?;
    content_type_is_json(&r)
}

fn error_headers(ctx: &Ctx) -> Result<(), String> {
    let r = ctx.send(&Request::new("DescribeUserPool", true, "{}".to_string()))?;
    expect_error(&r, "InvalidParameterException", Status::Exactly(400))?;
    content_type_is_json(&r)
}

fn request_ids_differ(ctx: &Ctx) -> Result<(), String> {
    let id = |ctx: &Ctx| -> Result<String, String> {
        let r = ctx.send(&list_pools(JSON_1_1, r#"{"MaxResults": 1}"#))?;
        r.header("x-amzn-RequestId")
            .map(str::to_string)
            .ok_or_else(|| format!("no x-amzn-RequestId: {r}"))
    };
    let (a, b) = (id(ctx)?, id(ctx)?);
    if a == b {
        return Err(format!("two requests share the request id {a}"));
    }
    Ok(())
}

/// An unsigned operation needs no `Authorization`: its input is validated as usual.
fn unsigned_operation(ctx: &Ctx) -> Result<(), String> {
    let r = ctx.send(&Request::new("SignUp", false, "{}".to_string()))?;
    let message = expect_error(&r, "InvalidParameterException", Status::Exactly(400))?;
    if !message.contains("Value null at 'clientId'") {
        return Err(format!("unexpected message: {r}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::schema;

    #[test]
    fn every_operation_has_malformed_and_wrong_type_cases() {
        let s = schema();
        for op in s.operations() {
            let ids: Vec<String> = cases(s, op).unwrap().into_iter().map(|c| c.id).collect();
            assert!(
                ids.contains(&format!("{}/protocol/malformed-json", op.name)),
                "{ids:?}"
            );
            assert!(
                ids.contains(&format!("{}/protocol/wrong-type", op.name)),
                "{ids:?}"
            );
        }
    }

    #[test]
    fn an_empty_body_is_compared_with_an_empty_object_when_nothing_is_required() {
        let s = schema();
        let op = s.operation("AssociateSoftwareToken").unwrap();
        let case = cases(s, op)
            .unwrap()
            .into_iter()
            .find(|c| c.id == "AssociateSoftwareToken/protocol/empty-body")
            .unwrap();
        let Action::Send {
            request,
            expect: Expect::Like(other),
        } = case.action
        else {
            panic!()
        };
        assert_eq!((request.body.as_str(), other.body.as_str()), ("", "{}"));
    }

    #[test]
    fn a_null_required_member_reads_as_missing() {
        let s = schema();
        let op = s.operation("DescribeUserPool").unwrap();
        let case = cases(s, op)
            .unwrap()
            .into_iter()
            .find(|c| c.id == "DescribeUserPool/protocol/null-member")
            .unwrap();
        let Action::Send {
            request,
            expect: Expect::Validation(v),
        } = case.action
        else {
            panic!()
        };
        assert_eq!(request.body, r#"{"UserPoolId":null}"#);
        assert_eq!(v.len(), 1);
    }
}
