//! Negative cases generated from the model: every required member left out, every
//! constraint broken once.
//!
//! Each case starts from the operation's valid input, adds whatever optional ancestors
//! the member needs, and changes one thing. The violations the server must report are
//! not written by hand: the validator predicts them from the changed input, and the case
//! checks the count, the paths and the constraint texts of the message.

use serde_json::{Map, Value};

use super::client::Request;
use super::schema::Schema;
use super::validate::{check, Mode};
use super::values::{valid, violations};
use super::{Action, Case, Expect, Group};
use crate::smithy::{Kind, Operation};

/// One step from a value into a part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Member(String),
    /// The first item of a list.
    Item,
    /// The first key of a map.
    Key,
    /// The first value of a map.
    Value,
}

/// A place in an operation's input where a value of `shape` can stand.
#[derive(Debug, Clone)]
struct Site {
    steps: Vec<Step>,
    shape: String,
    required: bool,
}

impl Site {
    /// The site as case ids name it: `Policies.PasswordPolicy.MinimumLength`,
    /// `Schema[].Name`, `UserPoolTags{key}`.
    fn name(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                Step::Member(m) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(m);
                }
                Step::Item => out.push_str("[]"),
                Step::Key => out.push_str("{key}"),
                Step::Value => out.push_str("{value}"),
            }
        }
        out
    }
}

/// Every site below the shape named `name`, depth first in model order.
fn sites(
    schema: &Schema,
    name: &str,
    steps: &[Step],
    stack: &mut Vec<String>,
    out: &mut Vec<Site>,
) {
    let Some(shape) = schema.model.shape(name) else {
        return;
    };
    if stack.iter().any(|s| s == name) {
        return;
    }
    stack.push(name.to_string());
    let mut visit = |step: Step, target: &str, required: bool, out: &mut Vec<Site>| {
        let mut steps = steps.to_vec();
        steps.push(step);
        out.push(Site {
            steps: steps.clone(),
            shape: target.to_string(),
            required,
        });
        sites(schema, target, &steps, stack, out);
    };
    match &shape.kind {
        Kind::Structure(members) => {
            for m in members {
                visit(Step::Member(m.name.clone()), &m.target, m.required, out);
            }
        }
        Kind::List(item) => visit(Step::Item, item, false, out),
        Kind::Map(key, val) => {
            visit(Step::Key, key, false, out);
            visit(Step::Value, val, false, out);
        }
        _ => {}
    }
    stack.pop();
}

/// Puts `leaf` at `steps` below `value` (of shape `name`), creating valid ancestors that
/// are absent; `None` removes the member instead.
fn apply(
    schema: &Schema,
    name: &str,
    value: &mut Value,
    steps: &[Step],
    leaf: Option<Value>,
) -> Result<(), String> {
    let shape = schema.shape(name)?;
    let Some((step, rest)) = steps.split_first() else {
        return Err("empty path".to_string());
    };
    let last = rest.is_empty();
    let broken = || format!("cannot follow {step:?} into {name}");
    match (step, &shape.kind) {
        (Step::Member(m), Kind::Structure(members)) => {
            let member = members.iter().find(|x| &x.name == m).ok_or_else(broken)?;
            let object = value.as_object_mut().ok_or_else(broken)?;
            if last {
                match leaf {
                    Some(v) => object.insert(m.clone(), v),
                    None => object.remove(m),
                };
                return Ok(());
            }
            if !object.contains_key(m) {
                object.insert(m.clone(), valid(schema, &member.target)?);
            }
            let child = object.get_mut(m).ok_or_else(broken)?;
            apply(schema, &member.target, child, rest, leaf)
        }
        (Step::Item, Kind::List(item)) => {
            let items = value.as_array_mut().ok_or_else(broken)?;
            if items.is_empty() {
                items.push(valid(schema, item)?);
            }
            let first = items.first_mut().ok_or_else(broken)?;
            if last {
                *first = leaf.ok_or_else(broken)?;
                return Ok(());
            }
            apply(schema, item, first, rest, leaf)
        }
        (Step::Key, Kind::Map(..)) if last => {
            let entries = value.as_object_mut().ok_or_else(broken)?;
            let key = entries.keys().next().cloned().ok_or_else(broken)?;
            let v = entries.remove(&key).ok_or_else(broken)?;
            let new_key = leaf.as_ref().and_then(Value::as_str).ok_or_else(broken)?;
            entries.insert(new_key.to_string(), v);
            Ok(())
        }
        (Step::Value, Kind::Map(_, val)) => {
            let entries = value.as_object_mut().ok_or_else(broken)?;
            let key = entries.keys().next().cloned().ok_or_else(broken)?;
            let first = entries.get_mut(&key).ok_or_else(broken)?;
            if last {
                *first = leaf.ok_or_else(broken)?;
                return Ok(());
            }
            apply(schema, val, first, rest, leaf)
        }
        _ => Err(broken()),
    }
}

/// The negative cases of `op`.
pub fn cases(schema: &Schema, op: &Operation) -> Result<Vec<Case>, String> {
    let Some(input) = &op.input else {
        return Ok(Vec::new());
    };
    let baseline = valid(schema, input)?;
    let mut all = Vec::new();
    sites(schema, input, &[], &mut Vec::new(), &mut all);
    let mut out = Vec::new();
    let mut add = |site: &Site, kind: &str, leaf: Option<Value>| -> Result<(), String> {
        let mut body = baseline.clone();
        apply(schema, input, &mut body, &site.steps, leaf)?;
        let expected = check(schema, input, &body, Mode::Input);
        let id = format!("{}/negative/{}/{kind}", op.name, site.name());
        if expected.is_empty() {
            return Err(format!("{id}: the changed input breaks nothing: {body}"));
        }
        out.push(Case {
            id,
            operation: Some(op.name.clone()),
            group: Group::Negative,
            action: Action::Send {
                request: Request::new(&op.name, op.signed, body.to_string()),
                expect: Expect::Validation(expected),
            },
        });
        Ok(())
    };
    for site in &all {
        let in_structure = matches!(site.steps.last(), Some(Step::Member(_)));
        if site.required && in_structure {
            add(site, "missing", None)?;
        }
        for (kind, bad) in violations(schema, &site.shape)? {
            add(site, kind.id(), Some(bad))?;
        }
    }
    Ok(out)
}

/// An input with `member` set to JSON `null`.
pub fn with_null(schema: &Schema, input: &str, member: &str) -> Result<Value, String> {
    let mut body = valid(schema, input)?;
    if let Some(o) = body.as_object_mut() {
        o.insert(member.to_string(), Value::Null);
    }
    Ok(body)
}

/// An empty input object.
pub fn empty() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::schema;
    use crate::validate::Broken;
    use std::collections::BTreeSet;

    fn all_cases() -> Vec<Case> {
        let s = schema();
        s.operations()
            .iter()
            .flat_map(|op| cases(s, op).unwrap())
            .collect()
    }

    fn find<'a>(cases: &'a [Case], id: &str) -> &'a [super::super::validate::Violation] {
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no case {id}"));
        match &case.action {
            Action::Send {
                expect: Expect::Validation(v),
                ..
            } => v,
            _ => panic!("{id} is not a validation case"),
        }
    }

    #[test]
    fn ids_are_unique_and_every_operation_has_cases() {
        let cases = all_cases();
        let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), cases.len());
        let ops: BTreeSet<&str> = cases
            .iter()
            .filter_map(|c| c.operation.as_deref())
            .collect();
        assert_eq!(ops.len(), 153);
    }

    #[test]
    fn each_case_breaks_one_thing_at_its_site() {
        for case in all_cases() {
            let Action::Send {
                expect: Expect::Validation(v),
                ..
            } = &case.action
            else {
                panic!("{}", case.id)
            };
            let paths: BTreeSet<&str> = v.iter().map(|x| x.path.as_str()).collect();
            assert_eq!(paths.len(), 1, "{}: {v:?}", case.id);
            // Strings too short or too long for a pattern break it as well; nothing else
            // breaks two constraints.
            let pattern_too = v.len() == 2 && v.iter().any(|x| x.broken == Broken::Pattern);
            assert!(v.len() == 1 || pattern_too, "{}: {v:?}", case.id);
        }
    }

    #[test]
    fn paths_follow_cognito() {
        let cases = all_cases();
        let v = find(&cases, "DescribeUserPool/negative/UserPoolId/missing");
        assert_eq!(
            v[0].message_fragment(),
            "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        );
        let v = find(&cases, "CreateUserPool/negative/PoolName/length-max");
        assert_eq!(
            v,
            [super::super::validate::Violation {
                path: "poolName".into(),
                broken: Broken::LengthMax(128)
            }]
        );
        let v = find(
            &cases,
            "CreateUserPool/negative/Policies.PasswordPolicy.MinimumLength/range-min",
        );
        assert_eq!(v[0].path, "policies.passwordPolicy.minimumLength");
        let v = find(
            &cases,
            "AdminCreateUser/negative/UserAttributes[].Name/missing",
        );
        assert_eq!(v[0].path, "userAttributes.1.member.name");
        let v = find(&cases, "TagResource/negative/Tags{key}/length-max");
        assert_eq!(v[0].path, "tags");
        assert_eq!(v[0].broken, Broken::MapKeys);
    }
}
