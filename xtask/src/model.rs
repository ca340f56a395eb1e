//! The repository's copy of the Smithy model: `cargo xtask model import PATH`.
//!
//! Code generation and the conformance harness read [`PATH`] (`model/cognito-idp.json`),
//! so a checkout needs nothing beside it. The copy is Amazon's published Smithy model of
//! the `cognito-idp` service with its prose removed ([`strip`]): names, shapes, members
//! and every constraint and protocol trait stay. `import` writes it pretty-printed in the
//! source's key order, so importing the same file again gives the same bytes, and refuses
//! to write a model in which [`prose`] still finds something.
//!
//! What counts as prose:
//! - the traits that carry nothing else ([`PROSE_TRAITS`]), wherever they sit: on shapes,
//!   members and enum values;
//! - prose fields inside traits that are kept ([`PROSE_FIELDS`]): the `message` of
//!   `@deprecated`, the `documentation` of the endpoint rules' parameters and test cases.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::smithy::Model;

/// Where the model lives, relative to the repository root.
pub const PATH: &str = "model/cognito-idp.json";

/// Traits that carry only prose, removed whole.
pub const PROSE_TRAITS: &[&str] = &[
    "smithy.api#documentation",
    "smithy.api#externalDocumentation",
    "smithy.api#examples",
    "smithy.api#title",
];

/// Prose inside traits that are kept: `(trait, field)`. The field is removed at any depth
/// of the trait's value; the rest of the trait stays.
pub const PROSE_FIELDS: &[(&str, &str)] = &[
    ("smithy.api#deprecated", "message"),
    ("smithy.rules#endpointRuleSet", "documentation"),
    ("smithy.rules#endpointTests", "documentation"),
];

const USAGE: &str = "usage: cargo xtask model import <smithy-model.json>";

/// `cargo xtask model import PATH`.
pub fn run(args: &[String]) -> Result<(), String> {
    match args {
        [command, source] if command == "import" => import(Path::new(source)),
        _ => Err(USAGE.to_string()),
    }
}

/// The model in this checkout.
pub fn default_path() -> PathBuf {
    crate::root().join(PATH)
}

/// Reads the Smithy JSON AST at `source`, strips its prose and writes it to [`PATH`].
fn import(source: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(source)
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    let mut json: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not JSON: {e}", source.display()))?;
    strip(&mut json);
    let left = prose(&json);
    if !left.is_empty() {
        return Err(format!(
            "prose left after stripping, extend PROSE_TRAITS or PROSE_FIELDS in xtask/src/model.rs: {}",
            left.join(", ")
        ));
    }
    // Refuse what code generation could not read.
    let model = Model::parse(&json).map_err(|e| format!("{}: {e}", source.display()))?;
    let target = default_path();
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&target, render(&json)?).map_err(|e| format!("{}: {e}", target.display()))?;
    println!(
        "wrote {} ({} operations, {} shapes)",
        target.display(),
        model.operations.len(),
        model.shapes.len()
    );
    Ok(())
}

/// The model as [`PATH`] stores it: pretty-printed, keys in their original order, with a
/// final newline.
pub fn render(model: &Value) -> Result<String, String> {
    serde_json::to_string_pretty(model)
        .map(|text| text + "\n")
        .map_err(|e| e.to_string())
}

/// Removes the prose from a Smithy JSON AST: [`PROSE_TRAITS`] and [`PROSE_FIELDS`] from
/// every `traits` object, and the `traits` objects left empty.
pub fn strip(node: &mut Value) {
    match node {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    // Trait values are data, not shapes: nothing inside is walked again.
                    Value::Object(traits) if key == "traits" => strip_traits(traits),
                    _ => strip(value),
                }
            }
            map.retain(|key, value| {
                key != "traits" || value.as_object().is_none_or(|t| !t.is_empty())
            });
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn strip_traits(traits: &mut Map<String, Value>) {
    // `retain` keeps the order of what stays; `remove` would not.
    traits.retain(|id, _| !PROSE_TRAITS.contains(&id.as_str()));
    for (id, field) in PROSE_FIELDS {
        if let Some(value) = traits.get_mut(*id) {
            remove_field(value, field);
        }
    }
}

/// Removes every object key `field` in `value`, at any depth.
fn remove_field(value: &mut Value, field: &str) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| key != field);
            map.values_mut().for_each(|v| remove_field(v, field));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remove_field(v, field)),
        _ => {}
    }
}

/// Where a Smithy JSON AST still holds prose, as paths such as
/// `/shapes/<shape id>/traits/smithy.api#documentation`.
///
/// The search does not reuse [`strip`]'s tables for anything but trait names: any key
/// `documentation` counts, wherever it sits, except as a member's name.
pub fn prose(model: &Value) -> Vec<String> {
    let mut found = Vec::new();
    find_prose(model, "", false, &mut found);
    found
}

/// `member_names`: the keys of `node` name members (it is a `members` object).
fn find_prose(node: &Value, path: &str, member_names: bool, found: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let here = format!("{path}/{key}");
                if !member_names && (key == "documentation" || PROSE_TRAITS.contains(&key.as_str()))
                {
                    found.push(here.clone());
                }
                if key == "smithy.api#deprecated" && value.get("message").is_some() {
                    found.push(format!("{here}/message"));
                }
                find_prose(value, &here, !member_names && key == "members", found);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_prose(item, &format!("{path}/{i}"), false, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The committed model, parsed.
    fn committed() -> (String, Value) {
        let path = default_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}\nthe model is part of the repository: restore {PATH}, \
                 or recreate it with `cargo xtask model import <smithy-model.json>`",
                path.display()
            )
        });
        let json = serde_json::from_str(&text).unwrap();
        (text, json)
    }

    #[test]
    fn the_committed_model_has_no_prose() {
        let (_, json) = committed();
        let left = prose(&json);
        assert!(
            left.is_empty(),
            "{PATH} holds documentation; strip it with `cargo xtask model import`: {}",
            left.join(", ")
        );
    }

    /// Importing the committed model again changes nothing: no prose, same bytes.
    #[test]
    fn the_committed_model_is_what_import_writes() {
        let (text, mut json) = committed();
        strip(&mut json);
        assert!(
            render(&json).unwrap() == text,
            "{PATH} is not as `cargo xtask model import` writes it"
        );
    }

    #[test]
    fn strip_removes_prose_and_keeps_constraints_in_order() {
        let mut model = json!({
            "smithy": "2.0",
            "shapes": {
                "ns#Op": {
                    "type": "operation",
                    "traits": {
                        "smithy.api#documentation": "<p>Prose.</p>",
                        "smithy.api#examples": [{"title": "An example", "input": {}}],
                        "smithy.api#optionalAuth": {}
                    }
                },
                "ns#Name": {
                    "type": "string",
                    "traits": {
                        "smithy.api#length": {"min": 1, "max": 128},
                        "smithy.api#externalDocumentation": {"Guide": "https://example.com"},
                        "smithy.api#pattern": "^\\w+$",
                        "smithy.api#sensitive": {}
                    }
                },
                "ns#Pool": {
                    "type": "structure",
                    "members": {
                        "Name": {
                            "target": "ns#Name",
                            "traits": {
                                "smithy.api#documentation": "Prose.",
                                "smithy.api#required": {}
                            }
                        },
                        "Status": {
                            "target": "smithy.api#String",
                            "traits": {
                                "smithy.api#deprecated": {"message": "Prose.", "since": "1"},
                                "smithy.api#documentation": "Prose."
                            }
                        },
                        "documentation": {"target": "smithy.api#String"}
                    }
                },
                "ns#Service": {
                    "type": "service",
                    "traits": {
                        "smithy.api#title": "A title",
                        "smithy.rules#endpointRuleSet": {
                            "parameters": {
                                "Region": {"type": "String", "documentation": "Prose."}
                            }
                        },
                        "smithy.rules#endpointTests": {
                            "testCases": [{"documentation": "Prose.", "params": {}}]
                        }
                    }
                }
            }
        });
        assert_eq!(prose(&model).len(), 9);
        strip(&mut model);
        assert_eq!(prose(&model), Vec::<String>::new());
        let expected = json!({
            "smithy": "2.0",
            "shapes": {
                "ns#Op": {
                    "type": "operation",
                    "traits": {"smithy.api#optionalAuth": {}}
                },
                "ns#Name": {
                    "type": "string",
                    "traits": {
                        "smithy.api#length": {"min": 1, "max": 128},
                        "smithy.api#pattern": "^\\w+$",
                        "smithy.api#sensitive": {}
                    }
                },
                "ns#Pool": {
                    "type": "structure",
                    "members": {
                        "Name": {
                            "target": "ns#Name",
                            "traits": {"smithy.api#required": {}}
                        },
                        "Status": {
                            "target": "smithy.api#String",
                            "traits": {"smithy.api#deprecated": {"since": "1"}}
                        },
                        "documentation": {"target": "smithy.api#String"}
                    }
                },
                "ns#Service": {
                    "type": "service",
                    "traits": {
                        "smithy.rules#endpointRuleSet": {
                            "parameters": {"Region": {"type": "String"}}
                        },
                        "smithy.rules#endpointTests": {"testCases": [{"params": {}}]}
                    }
                }
            }
        });
        // Same keys in the same order, not only equal maps.
        assert_eq!(render(&model).unwrap(), render(&expected).unwrap());
    }

    #[test]
    fn traits_left_empty_are_dropped() {
        let mut model = json!({"shapes": {"ns#A": {
            "type": "string",
            "traits": {"smithy.api#documentation": "Prose."}
        }}});
        strip(&mut model);
        assert_eq!(model, json!({"shapes": {"ns#A": {"type": "string"}}}));
    }
}
