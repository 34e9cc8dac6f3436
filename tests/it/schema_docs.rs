//! The schema is the API's manual: every type, field, argument, input
//! field and enum value carries a description (what `graphql-schema-linter`
//! checks as `types-have-descriptions`, `fields-have-descriptions`,
//! `arguments-have-descriptions`, `enum-values-have-descriptions`).

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

fn undescribed() -> Vec<String> {
    let sdl = grassroots::graphql::sdl();
    let doc = parse_schema(&sdl).expect("the SDL parses");
    let mut out = Vec::new();
    let blank = |d: &Option<async_graphql::Positioned<String>>| {
        d.as_ref().is_none_or(|d| d.node.trim().is_empty())
    };
    for def in doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else {
            continue;
        };
        let ty = ty.node;
        let name = ty.name.node.to_string();
        if !blank(&ty.description) {
        } else if !matches!(ty.kind, TypeKind::Scalar) || name == "Date" || name == "Upload" {
            out.push(format!("type {name}"));
        }
        match ty.kind {
            TypeKind::Object(o) => {
                for f in o.fields {
                    let f = f.node;
                    if blank(&f.description) {
                        out.push(format!("field {name}.{}", f.name.node));
                    }
                    for a in f.arguments {
                        if blank(&a.node.description) {
                            out.push(format!(
                                "argument {name}.{}({})",
                                f.name.node, a.node.name.node
                            ));
                        }
                    }
                }
            }
            TypeKind::Interface(i) => {
                for f in i.fields {
                    if blank(&f.node.description) {
                        out.push(format!("field {name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in e.values {
                    if blank(&v.node.description) {
                        out.push(format!("enum value {name}.{}", v.node.value.node));
                    }
                }
            }
            TypeKind::InputObject(i) => {
                for f in i.fields {
                    if blank(&f.node.description) {
                        out.push(format!("input field {name}.{}", f.node.name.node));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_type_field_argument_and_enum_value_is_described() {
    let missing = undescribed();
    assert!(
        missing.is_empty(),
        "{} without a description:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
