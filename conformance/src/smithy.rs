//! A reader for the Smithy 2.0 JSON AST of the Cognito user pools service.
//!
//! It keeps exactly what the conformance harness and `xtask`'s code generation and model
//! import need: shapes, members, constraint traits, operations and their errors.
//! Documentation traits are dropped on purpose: nothing generated may carry AWS prose.
//! It lives in this crate because the harness must read the model on its own, outside
//! the repository; `xtask` uses it from here.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The namespace every Cognito shape lives in.
const NAMESPACE: &str = "com.amazonaws.cognitoidentityprovider#";

/// The parsed model.
#[derive(Debug)]
pub struct Model {
    /// Every shape of the namespace, by short name.
    pub shapes: BTreeMap<String, Shape>,
    /// The service's operations, sorted by name.
    pub operations: Vec<Operation>,
}

/// One named shape.
#[derive(Debug, Clone)]
pub struct Shape {
    /// The short name, without the namespace.
    pub name: String,
    /// What the shape is, with its members or targets.
    pub kind: Kind,
    /// `@length`, `@range` and `@pattern`.
    pub constraints: Constraints,
    /// `@sensitive`: values are never echoed in messages.
    pub sensitive: bool,
    /// `@error`, for error structures.
    pub error: Option<ErrorTrait>,
}

/// What a shape is.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A structure, with its members in model order.
    Structure(Vec<Member>),
    /// A list, with the short name of its member's target.
    List(String),
    /// A map, with the short names of its key's and value's targets.
    Map(String, String),
    /// `(member name, wire value)` pairs in model order.
    Enum(Vec<(String, String)>),
    /// A string without `@enum` values.
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A boolean.
    Boolean,
    /// A timestamp (epoch seconds on the wire in awsJson1_1).
    Timestamp,
    /// Bytes (base64 on the wire).
    Blob,
    /// Any JSON value.
    Document,
}

/// A structure member.
#[derive(Debug, Clone)]
pub struct Member {
    /// The wire name (PascalCase in this model).
    pub name: String,
    /// Short name of the target shape.
    pub target: String,
    /// `@required`.
    pub required: bool,
    /// `@default`, when present.
    pub default: Option<Value>,
}

/// Constraint traits on a shape.
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// `@length`: `(min, max)`, each optional.
    pub length: Option<(Option<u64>, Option<u64>)>,
    /// `@range`: `(min, max)`, each optional.
    pub range: Option<(Option<f64>, Option<f64>)>,
    /// `@pattern`, in ECMA-262 syntax (see [`translate_pattern`]).
    pub pattern: Option<String>,
}

/// The `@error` and `@httpError` traits.
#[derive(Debug, Clone)]
pub struct ErrorTrait {
    /// `true` for `client`, `false` for `server`.
    pub client: bool,
    /// `@httpError`, or 400 for client errors and 500 for server errors without it.
    pub status: u16,
}

/// One operation of the service.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operation's name, as in `X-Amz-Target`.
    pub name: String,
    /// The short name of the input structure, if any.
    pub input: Option<String>,
    /// The short name of the output structure, if any.
    pub output: Option<String>,
    /// The short names of the errors it may answer, in model order.
    pub errors: Vec<String>,
    /// Whether the operation requires SigV4 (not `@auth([])` / `@optionalAuth`).
    pub signed: bool,
    /// `@paginated`, when present.
    pub paginated: Option<Paginated>,
}

/// The `@paginated` trait.
#[derive(Debug, Clone)]
pub struct Paginated {
    /// The input member carrying the token of the next page.
    pub input_token: Option<String>,
    /// The output member carrying the token of the next page.
    pub output_token: Option<String>,
    /// The output member carrying the page's items.
    pub items: Option<String>,
    /// The input member limiting a page's size.
    pub page_size: Option<String>,
}

impl Model {
    /// Reads and parses the model at `path`.
    pub fn load(path: &Path) -> Result<Model, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read model {}: {e}", path.display()))?;
        let json: Value =
            serde_json::from_str(&text).map_err(|e| format!("model is not JSON: {e}"))?;
        Model::parse(&json)
    }

    /// Parses a Smithy JSON AST.
    pub fn parse(json: &Value) -> Result<Model, String> {
        let raw = json
            .get("shapes")
            .and_then(Value::as_object)
            .ok_or("model has no shapes")?;
        let mut shapes = BTreeMap::new();
        let mut operations = Vec::new();
        for (id, shape) in raw {
            let Some(name) = id.strip_prefix(NAMESPACE) else {
                continue;
            };
            let ty = shape.get("type").and_then(Value::as_str).unwrap_or("");
            let traits = shape.get("traits").cloned().unwrap_or(Value::Null);
            let kind = match ty {
                "service" | "resource" => continue,
                "operation" => {
                    operations.push(parse_operation(name, shape, &traits));
                    continue;
                }
                "structure" => Kind::Structure(parse_members(shape)),
                "list" => Kind::List(target(shape.get("member"))),
                "map" => Kind::Map(target(shape.get("key")), target(shape.get("value"))),
                "enum" => Kind::Enum(
                    shape
                        .get("members")
                        .and_then(Value::as_object)
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| {
                                    let value = v
                                        .pointer("/traits/smithy.api#enumValue")
                                        .and_then(Value::as_str)
                                        .unwrap_or(k)
                                        .to_string();
                                    (k.clone(), value)
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                "string" => Kind::String,
                "integer" => Kind::Integer,
                "long" => Kind::Long,
                "boolean" => Kind::Boolean,
                "timestamp" => Kind::Timestamp,
                "blob" => Kind::Blob,
                "document" => Kind::Document,
                other => return Err(format!("shape {name}: unsupported type {other}")),
            };
            let error = traits
                .get("smithy.api#error")
                .and_then(Value::as_str)
                .map(|e| {
                    let client = e == "client";
                    let status = traits
                        .get("smithy.api#httpError")
                        .and_then(Value::as_u64)
                        .map(|s| s as u16)
                        .unwrap_or(if client { 400 } else { 500 });
                    ErrorTrait { client, status }
                });
            shapes.insert(
                name.to_string(),
                Shape {
                    name: name.to_string(),
                    kind,
                    constraints: parse_constraints(&traits),
                    sensitive: traits.get("smithy.api#sensitive").is_some(),
                    error,
                },
            );
        }
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Model { shapes, operations })
    }

    /// The shape named `name`; `None` for prelude shapes such as `Unit`.
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// All error shapes that some operation declares, sorted by name.
    pub fn errors(&self) -> Vec<&Shape> {
        let mut names: Vec<&str> = self
            .operations
            .iter()
            .flat_map(|o| o.errors.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names.iter().filter_map(|n| self.shape(n)).collect()
    }
}

/// Short name of a member's target (`smithy.api#String` becomes `String`).
fn target(member: Option<&Value>) -> String {
    let t = member
        .and_then(|m| m.get("target"))
        .and_then(Value::as_str)
        .unwrap_or("");
    t.rsplit('#').next().unwrap_or(t).to_string()
}

fn parse_members(shape: &Value) -> Vec<Member> {
    let Some(members) = shape.get("members").and_then(Value::as_object) else {
        return Vec::new();
    };
    members
        .iter()
        .map(|(name, m)| {
            let traits = m.get("traits");
            Member {
                name: name.clone(),
                target: target(Some(m)),
                required: traits.and_then(|t| t.get("smithy.api#required")).is_some(),
                default: traits.and_then(|t| t.get("smithy.api#default")).cloned(),
            }
        })
        .collect()
}

fn parse_constraints(traits: &Value) -> Constraints {
    let bound_u = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64);
    let bound_f = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
    Constraints {
        length: traits
            .get("smithy.api#length")
            .map(|l| (bound_u(l, "min"), bound_u(l, "max"))),
        range: traits
            .get("smithy.api#range")
            .map(|r| (bound_f(r, "min"), bound_f(r, "max"))),
        pattern: traits
            .get("smithy.api#pattern")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

fn parse_operation(name: &str, shape: &Value, traits: &Value) -> Operation {
    let io = |k: &str| {
        shape
            .get(k)
            .map(|t| target(Some(t)))
            .filter(|t| t != "Unit" && !t.is_empty())
    };
    let unsigned = traits
        .get("smithy.api#auth")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
        || traits.get("smithy.api#optionalAuth").is_some();
    let paginated = traits.get("smithy.api#paginated").map(|p| {
        let s = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_string);
        Paginated {
            input_token: s("inputToken"),
            output_token: s("outputToken"),
            items: s("items"),
            page_size: s("pageSize"),
        }
    });
    Operation {
        name: name.to_string(),
        input: io("input"),
        output: io("output"),
        errors: shape
            .get("errors")
            .and_then(Value::as_array)
            .map(|e| e.iter().map(|t| target(Some(t))).collect())
            .unwrap_or_default(),
        signed: !unsigned,
        paginated,
    }
}

/// Translates a Smithy (ECMA-262) pattern into the syntax of Rust's `regex` crate.
///
/// `\w`, `\d`, `\s` and their negations are ASCII-only in ECMA-262 and become explicit
/// classes; `\b` becomes an ASCII word boundary. A trailing negative look-behind
/// `(?<!X)$`, which `regex` cannot express, is split off: the returned pair is
/// `(pattern, Some(X))`, meaning "matches `pattern` and does not end with `X`".
pub fn translate_pattern(ecma: &str) -> (String, Option<String>) {
    let (body, not_ending) = match split_trailing_lookbehind(ecma) {
        Some((body, x)) => (body, Some(translate_escapes(&x))),
        None => (ecma.to_string(), None),
    };
    (translate_escapes(&body), not_ending)
}

fn split_trailing_lookbehind(p: &str) -> Option<(String, String)> {
    let rest = p.strip_suffix(")$")?;
    let start = rest.rfind("(?<!")?;
    let inner = rest.get(start + 4..)?;
    let head = rest.get(..start)?;
    Some((format!("{head}$"), inner.to_string()))
}

fn translate_escapes(p: &str) -> String {
    const W: &str = "0-9A-Za-z_";
    const S: &str = "\\t\\n\\x0B\\x0C\\r ";
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    // The previous item in a class was a complete range (`a-z`), so a following `-` is literal.
    let mut after_range = false;
    let mut class_items = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push_str("\\\\");
                    break;
                };
                let class = match e {
                    'w' => Some(format!("[{W}]")),
                    'W' => Some(format!("[^{W}]")),
                    'd' => Some("[0-9]".to_string()),
                    'D' => Some("[^0-9]".to_string()),
                    's' => Some(format!("[{S}]")),
                    'S' => Some(format!("[^{S}]")),
                    _ => None,
                };
                match class {
                    Some(cls) => out.push_str(&cls),
                    None if e == 'b' && !in_class => out.push_str("(?-u:\\b)"),
                    None if e == 'B' && !in_class => out.push_str("(?-u:\\B)"),
                    None => {
                        out.push('\\');
                        out.push(e);
                        if e == 'x' || e == 'u' || e == 'p' || e == 'P' {
                            // Copy the rest of the escape verbatim.
                            if chars.peek() == Some(&'{') {
                                for n in chars.by_ref() {
                                    out.push(n);
                                    if n == '}' {
                                        break;
                                    }
                                }
                            } else {
                                let n = if e == 'u' {
                                    4
                                } else if e == 'x' {
                                    2
                                } else {
                                    1
                                };
                                for _ in 0..n {
                                    if let Some(h) = chars.next() {
                                        out.push(h);
                                    }
                                }
                            }
                        }
                    }
                }
                if in_class {
                    class_items += 1;
                    after_range = false;
                }
            }
            '[' if !in_class => {
                in_class = true;
                after_range = false;
                class_items = 0;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '-' if in_class => {
                let next_is_end = chars.peek() == Some(&']');
                if after_range || class_items == 0 || next_is_end {
                    out.push_str("\\-");
                    after_range = false;
                    class_items += 1;
                } else {
                    out.push('-');
                    // The next item closes the range.
                    if let Some(n) = chars.next() {
                        if n == '\\' {
                            out.push('\\');
                            if let Some(m) = chars.next() {
                                out.push(m);
                                if m == 'x' {
                                    for _ in 0..2 {
                                        if let Some(h) = chars.next() {
                                            out.push(h);
                                        }
                                    }
                                }
                            }
                        } else if n == '[' || n == '&' || n == '~' {
                            out.push('\\');
                            out.push(n);
                        } else {
                            out.push(n);
                        }
                    }
                    after_range = true;
                }
            }
            '[' | '&' | '~' if in_class => {
                // Characters that are set operators in `regex` classes but literals in ECMA.
                out.push('\\');
                out.push(c);
                class_items += 1;
                after_range = false;
            }
            _ => {
                out.push(c);
                if in_class {
                    class_items += 1;
                    after_range = false;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::translate_pattern;

    #[test]
    fn ascii_classes_and_lookbehind() {
        assert_eq!(
            translate_pattern(r"^[\w-]+_[0-9a-zA-Z]+$"),
            (r"^[[0-9A-Za-z_]\-]+_[0-9a-zA-Z]+$".to_string(), None)
        );
        assert_eq!(
            translate_pattern(r"^[0-9A-Za-z\.\-_]*(?<!\.)$"),
            (r"^[0-9A-Za-z\.\-_]*$".to_string(), Some(r"\.".to_string()))
        );
        assert_eq!(
            translate_pattern(r"[A-Za-z0-9-_+/=.]+").0,
            r"[A-Za-z0-9\-_+/=.]+"
        );
        assert_eq!(
            translate_pattern(r"^https://[!$-;=@-\[\]_a-z~]+$").0,
            r"^https://[!$-;=@-\[\]_a-z\~]+$"
        );
    }
}
