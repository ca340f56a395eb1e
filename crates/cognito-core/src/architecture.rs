//! Tests that guard the invariants `docs/architecture.md` states for this crate: the
//! layers of its modules (no module imports from a layer above it, so there is no import
//! circle), and no knowledge of the wire (URL paths, the server's address).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crate's top-level modules, lowest layer first. A module may use modules of its
/// own layer or of layers below it, never above.
const LAYERS: &[&[&str]] = &[
    &[
        "context", "errors", "ids", "time", "messages", "lambda", "upstream",
    ],
    &["state"],
    &["durable"],
    &["store"],
    &["codes", "compromised", "triggers"],
    &["delivery"],
    &["ops", "seed"],
    &["service"],
];

/// Strings that belong to the wire, which only `cognito-http` may know.
const WIRE: &[&str] = &["/_cognito", ":9229", "X-Amz-Target", "__type"];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's text without its inline test module (`#[cfg(test)] mod tests { ... }`,
/// always last in this crate's files); test files are left out altogether.
fn code_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if name == "tests.rs" || name == "testing.rs" || name == "architecture.rs" {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Some(match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_string(),
        None => text,
    })
}

/// The top-level module a file belongs to.
fn module_of(src: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_str()
        .unwrap();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a file's code names through `crate::`.
fn uses_of(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').collect()
        } else {
            vec![rest]
        };
        for name in names {
            let name: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&name) {
                out.insert(name);
            }
        }
    }
    out
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn modules_use_only_their_layer_and_the_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let modules: BTreeSet<String> = LAYERS
        .iter()
        .flat_map(|l| l.iter().map(|m| m.to_string()))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let module = module_of(&src, path);
        let Some(code) = code_of(path) else { continue };
        if module == "lib" {
            continue;
        }
        assert!(
            layer(&module).is_some(),
            "{module} is in no layer of LAYERS: place it there"
        );
        for used in uses_of(&code, &modules) {
            if used != module {
                edges.entry(module.clone()).or_default().insert(used);
            }
        }
    }
    let mut wrong = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            if layer(to) > layer(from) {
                wrong.push(format!("{from} uses {to}, a layer above it"));
            }
        }
    }
    // Within a layer, no circle either.
    for (from, tos) in &edges {
        for to in tos {
            if edges.get(to).is_some_and(|back| back.contains(from)) {
                wrong.push(format!("{from} and {to} use each other"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_crate_knows_nothing_of_the_wire() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut found = Vec::new();
    for path in &files {
        let Some(code) = code_of(path) else { continue };
        for (n, line) in code.lines().enumerate() {
            for wire in WIRE {
                if line.contains(wire) {
                    found.push(format!("{}:{}: {wire}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
