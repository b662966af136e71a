//! A contact parsed in place for the schema's yes/no check: strings borrow the contact's bytes
//! (unless they hold escapes) and objects are plain vectors, so checking a valid contact copies
//! no resume and allocates nothing per string. `jsonschema` validates it through its
//! custom-representation traits, so the verdict is the schema's, as for `serde_json::Value`.

use std::borrow::Cow;
use std::fmt;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node, NodeIdentity, Object};
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// One JSON value whose strings borrow the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum InPlace<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<InPlace<'a>>),
    Object(Vec<(Cow<'a, str>, InPlace<'a>)>),
}

/// Objects up to this many keys are checked for a repeated key by scanning; larger ones by
/// sorting, so that no input makes the check quadratic.
const SCAN_KEYS: usize = 16;

impl<'a> InPlace<'a> {
    /// Parses `text`. Any error (broken JSON, a key given twice) is `None`: the caller then
    /// parses it the slow way, which says what is wrong and where.
    pub fn parse(text: &'a [u8]) -> Option<Self> {
        serde_json::from_slice(text).ok()
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&InPlace<'a>> {
        match self {
            InPlace::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            InPlace::String(text) => Some(text),
            _ => None,
        }
    }

    /// Drops the member `key` of an object, if present.
    pub fn remove(&mut self, key: &str) {
        if let InPlace::Object(members) = self {
            members.retain(|(k, _)| k != key);
        }
    }

    fn to_value(&self) -> Value {
        match self {
            InPlace::Null => Value::Null,
            InPlace::Bool(b) => Value::Bool(*b),
            InPlace::Number(n) => Value::Number(n.clone()),
            InPlace::String(s) => Value::String(s.clone().into_owned()),
            InPlace::Array(items) => Value::Array(items.iter().map(InPlace::to_value).collect()),
            InPlace::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone().into_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

fn has_repeated_key(members: &[(Cow<'_, str>, InPlace<'_>)]) -> bool {
    if members.len() <= SCAN_KEYS {
        return members
            .iter()
            .enumerate()
            .any(|(i, (key, _))| members[..i].iter().any(|(k, _)| k == key));
    }
    let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_ref()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

impl<'de> Deserialize<'de> for InPlace<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(InPlaceVisitor)
    }
}

/// A key or string, borrowed when the parser can lend it.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

struct InPlaceVisitor;

impl<'de> Visitor<'de> for InPlaceVisitor {
    type Value = InPlace<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<InPlace<'de>, E> {
        Ok(InPlace::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<InPlace<'de>, E> {
        Ok(InPlace::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<InPlace<'de>, E> {
        Ok(InPlace::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<InPlace<'de>, E> {
        Number::from_f64(v)
            .map(InPlace::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<InPlace<'de>, E> {
        Ok(InPlace::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<InPlace<'de>, E> {
        Ok(InPlace::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<InPlace<'de>, E> {
        Ok(InPlace::String(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<InPlace<'de>, E> {
        Ok(InPlace::Null)
    }

    fn visit_none<E>(self) -> Result<InPlace<'de>, E> {
        Ok(InPlace::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InPlace<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(InPlace::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InPlace<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(Text(key)) = map.next_key()? {
            members.push((key, map.next_value()?));
        }
        if has_repeated_key(&members) {
            return Err(de::Error::custom("duplicate key"));
        }
        Ok(InPlace::Object(members))
    }
}

/// The representation's marker for `jsonschema`.
pub struct InPlaceJson;

impl Json for InPlaceJson {
    type Node<'a> = &'a InPlace<'a>;
    type PreparedKey = String;
    type StringBuffer = InPlace<'static>;

    // Objects are short vectors: one pass over the members beats a scan per property.
    const KEYS_PER_LOOKUP: usize = 8;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut InPlace<'static>,
        string: &str,
        f: impl FnOnce(Self::Node<'_>) -> T,
    ) -> T {
        *buffer = InPlace::String(Cow::Owned(string.to_owned()));
        f(buffer)
    }
}

impl<'a> Node<'a, InPlaceJson> for &'a InPlace<'a> {
    type Object = &'a [(Cow<'a, str>, InPlace<'a>)];
    type Array = &'a [InPlace<'a>];
    type Number = &'a Number;

    fn as_object(&self) -> Option<Self::Object> {
        match self {
            InPlace::Object(members) => Some(members),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Self::Array> {
        match self {
            InPlace::Array(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            InPlace::String(text) => Some(Cow::Borrowed(text.as_ref())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<&'a Number> {
        match self {
            InPlace::Number(number) => Some(number),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self {
            InPlace::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, InPlace::Null)
    }

    fn json_type(&self) -> JsonType {
        match self {
            InPlace::Null => JsonType::Null,
            InPlace::Bool(_) => JsonType::Boolean,
            InPlace::Number(_) => JsonType::Number,
            InPlace::String(_) => JsonType::String,
            InPlace::Array(_) => JsonType::Array,
            InPlace::Object(_) => JsonType::Object,
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(InPlace::to_value(self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(
            std::ptr::from_ref::<InPlace<'a>>(*self) as usize
        ))
    }
}

/// The members of an object, names borrowed.
pub struct Members<'a>(std::slice::Iter<'a, (Cow<'a, str>, InPlace<'a>)>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a InPlace<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Object<'a, InPlaceJson> for &'a [(Cow<'a, str>, InPlace<'a>)] {
    type Node = &'a InPlace<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn get(&self, key: &String) -> Option<&'a InPlace<'a>> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

impl<'a> Array<'a, InPlaceJson> for &'a [InPlace<'a>] {
    type Node = &'a InPlace<'a>;
    type ElementsIter = std::slice::Iter<'a, InPlace<'a>>;

    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn elements(&self) -> Self::ElementsIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = br#"{"a":"plain","b":"esc\"aped","c":[1,-2,3.5,true,null]}"#;
        let value = InPlace::parse(text).expect("parses");
        assert!(matches!(
            value.get("a"),
            Some(InPlace::String(Cow::Borrowed("plain")))
        ));
        assert!(matches!(value.get("b"), Some(InPlace::String(Cow::Owned(s))) if s == "esc\"aped"));
        let expected: Value = serde_json::from_slice(text).expect("parses");
        assert_eq!(value.to_value(), expected);
    }

    #[test]
    fn repeated_keys_are_refused_in_small_and_large_objects() {
        assert!(InPlace::parse(br#"{"a":1,"b":{"k":1,"k":2}}"#).is_none());
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let unique = format!("{{{}}}", many.join(","));
        assert!(InPlace::parse(unique.as_bytes()).is_some());
        let repeated = format!("{{{},\"k7\":0}}", many.join(","));
        assert!(InPlace::parse(repeated.as_bytes()).is_none());
    }
}
