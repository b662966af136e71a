//! Recursive types: a field that leads back to its own type without a `Vec` or map in between
//! gets a `Box`, so that the type has a finite size.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Field, TypeDef, TypeKind, TypeRef};

/// Marks every field that needs a `Box`.
pub fn box_recursive_fields(types: &mut BTreeMap<String, TypeDef>) {
    let edges: BTreeMap<String, BTreeSet<String>> = types
        .iter()
        .map(|(name, def)| (name.clone(), direct_refs(&def.kind)))
        .collect();
    for (owner, def) in types.iter_mut() {
        let mark = |field: &mut Field| {
            if let TypeRef::Named(target) = &field.ty {
                field.boxed = reaches(&edges, target, owner);
            }
        };
        match &mut def.kind {
            TypeKind::Struct(object) => object.fields.iter_mut().for_each(mark),
            TypeKind::Tagged { variants, .. } => {
                variants
                    .iter_mut()
                    .flat_map(|v| v.fields.iter_mut())
                    .for_each(mark);
            }
            _ => {}
        }
    }
}

/// Named types held by value (not behind a `Vec` or map).
fn direct_refs(kind: &TypeKind) -> BTreeSet<String> {
    let direct = |ty: &TypeRef| match ty {
        TypeRef::Named(name) => Some(name.clone()),
        _ => None,
    };
    match kind {
        TypeKind::Struct(object) => object.fields.iter().filter_map(|f| direct(&f.ty)).collect(),
        TypeKind::Tagged { variants, .. } => variants
            .iter()
            .flat_map(|v| &v.fields)
            .filter_map(|f| direct(&f.ty))
            .collect(),
        TypeKind::Untagged(variants) => variants.iter().filter_map(|v| direct(&v.ty)).collect(),
        TypeKind::Newtype { ty, .. } => direct(ty).into_iter().collect(),
        TypeKind::Enum(_) => BTreeSet::new(),
    }
}

fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node.clone()) {
            stack.extend(edges.get(&node).into_iter().flatten().cloned());
        }
    }
    false
}
