//! Validation before send: each item against the JSON Schema that schemars derives from the
//! generated model (the same schema `cargo xtask generate` writes to `schema/`).

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;

use crate::error::{Error, Invalid, Op};
use crate::send::Runtime;

/// Compiled validators, one per model type, built on first use.
#[derive(Default)]
pub(crate) struct Validators {
    by_type: Mutex<HashMap<TypeId, Arc<jsonschema::Validator>>>,
}

impl Validators {
    fn get<T: JsonSchema + 'static>(&self) -> Result<Arc<jsonschema::Validator>, Error> {
        let mut map = self
            .by_type
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(validator) = map.get(&TypeId::of::<T>()) {
            return Ok(Arc::clone(validator));
        }
        let schema = SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<T>()
            .to_value();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| {
                Error::Config(format!(
                    "the JSON Schema of `{}` does not compile: {e}",
                    T::schema_name()
                ))
            })?;
        let validator = Arc::new(validator);
        map.insert(TypeId::of::<T>(), Arc::clone(&validator));
        Ok(validator)
    }
}

impl Runtime {
    /// Whether this client validates before sending.
    pub fn validates_before_send(&self) -> bool {
        self.settings.validate
    }

    /// Every schema problem of every item, indexed from `first_index`.
    pub fn problems<T: Serialize + JsonSchema + 'static>(
        &self,
        items: &[T],
        first_index: usize,
    ) -> Result<Vec<Invalid>, Error> {
        let validator = self.validators.get::<T>()?;
        let mut problems = Vec::new();
        for (offset, item) in items.iter().enumerate() {
            let index = first_index + offset;
            let value = match serde_json::to_value(item) {
                Ok(value) => value,
                Err(e) => {
                    problems.push(Invalid {
                        index,
                        pointer: String::new(),
                        message: format!("cannot be encoded as JSON: {e}"),
                    });
                    continue;
                }
            };
            for error in validator.iter_errors(&value) {
                problems.push(Invalid {
                    index,
                    pointer: error.instance_path().to_string(),
                    message: error.to_string(),
                });
            }
        }
        Ok(problems)
    }

    /// Before sending: fails with [`Error::Invalid`] if the body breaks the JSON Schema of `S`
    /// (unless validation before send is off). For a list body (`per_item`), each problem is
    /// filed under its item's index with a pointer inside the item.
    pub fn check_before_send<S: JsonSchema + 'static, B: Serialize + ?Sized>(
        &self,
        op: &Op,
        body: &B,
        per_item: bool,
    ) -> Result<(), Error> {
        if !self.settings.validate {
            return Ok(());
        }
        let validator = self.validators.get::<S>()?;
        let value = serde_json::to_value(body).map_err(|source| Error::Encode {
            op: op.clone(),
            source,
        })?;
        let problems: Vec<Invalid> = validator
            .iter_errors(&value)
            .map(|error| {
                let path = error.instance_path().to_string();
                let (index, pointer) = match per_item.then(|| split_index(&path)).flatten() {
                    Some((index, rest)) => (index, rest.to_owned()),
                    None => (0, path),
                };
                Invalid {
                    index,
                    pointer,
                    message: error.to_string(),
                }
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid {
                op: op.clone(),
                problems,
            })
        }
    }
}

/// `/3/email` -> `(3, "/email")`.
fn split_index(path: &str) -> Option<(usize, &str)> {
    let rest = path.strip_prefix('/')?;
    let (head, tail) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    Some((head.parse().ok()?, tail))
}
