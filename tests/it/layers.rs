//! The layers of `src/`, bottom first, and the one rule between them: a
//! module imports only modules of lower layers (tests excepted). A new
//! module gets a line here; an import that climbs fails this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every top-level module of the crate and its layer (0 is the bottom).
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("ids", 1),
    ("domain", 2),
    ("auth", 3),
    ("limits", 4),
    ("db", 4),
    ("config", 5),
    ("metrics", 5),
    ("audit", 6),
    ("tree", 7),
    ("people", 8),
    ("accounts", 8),
    ("points", 9),
    ("service", 9),
    ("import", 10),
    ("report", 11),
    ("live", 11),
    ("demo", 11),
    ("graphql", 12),
    ("state", 13),
    ("http", 14),
    ("lib", 15),
    ("bench", 16),
    ("fuzzing", 16),
    ("cli", 17),
];

/// Items re-exported at the crate root, by the module that defines them.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("AppError", "error"),
    ("AppResult", "error"),
    ("Config", "config"),
    ("AppState", "state"),
    ("migrate", "state"),
    ("router", "http"),
    ("MAX_REQUEST_BYTES", "http"),
    ("with_concrete_conn", "db"),
    ("build_app", "lib"),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules `text` names through `crate::` (or `$crate::`).
fn imported(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(str::trim)
                .collect(),
            None => vec![rest],
        };
        for name in names {
            let ident: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if ident.is_empty() || ident == "self" {
                continue;
            }
            let module = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == ident)
                .map_or(ident.clone(), |(_, m)| (*m).to_owned());
            out.insert(module);
        }
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut climbs = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src/");
        let first = rel.components().next().expect("a path");
        let own = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if own == "main" {
            continue;
        }
        let own_layer = layer(&own).unwrap_or_else(|| panic!("src/{own} has no layer in LAYERS"));
        let text = std::fs::read_to_string(&file).expect("readable");
        // Unit tests may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for module in imported(code) {
            if module == own {
                continue;
            }
            let theirs = layer(&module).unwrap_or_else(|| {
                panic!(
                    "{} imports crate::{module}, which has no layer",
                    rel.display()
                )
            });
            if theirs >= own_layer {
                climbs.push(format!(
                    "{} (layer {own_layer}) imports crate::{module} (layer {theirs})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        climbs.is_empty(),
        "imports that climb:\n{}",
        climbs.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_root_imports() {
    let text = "use crate::{accounts, graphql::AppSchema};\nuse crate::AppState;\n$crate::db::x";
    let found: Vec<String> = imported(text).into_iter().collect();
    assert_eq!(found, ["accounts", "db", "graphql", "state"]);
}
