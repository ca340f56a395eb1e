//! The model as the harness reads it: shapes and operations by name, with every
//! `@pattern` compiled once.
//!
//! Patterns keep ECMA-262 semantics: they are searched, not implicitly anchored, and the
//! one trailing look-behind of the model is checked as a separate "must not end with".

use std::collections::BTreeMap;

use regex::Regex;

use crate::smithy::{translate_pattern, Model, Operation, Shape};

/// A compiled `@pattern`.
#[derive(Debug)]
pub struct Pattern {
    /// The parsed pattern without the trailing look-behind, for sampling matching strings.
    pub hir: Option<regex_syntax::hir::Hir>,
    regex: Regex,
    not_ending: Option<Regex>,
}

impl Pattern {
    pub fn compile(source: &str) -> Result<Pattern, String> {
        let (translated, tail) = translate_pattern(source);
        let regex = Regex::new(&translated)
            .map_err(|e| format!("pattern {source:?} does not compile: {e}"))?;
        let not_ending = match tail {
            Some(t) => Some(
                Regex::new(&format!("(?:{t})$"))
                    .map_err(|e| format!("look-behind of {source:?} does not compile: {e}"))?,
            ),
            None => None,
        };
        Ok(Pattern {
            hir: regex_syntax::parse(&translated).ok(),
            regex,
            not_ending,
        })
    }

    pub fn matches(&self, s: &str) -> bool {
        self.regex.is_match(s) && !self.not_ending.as_ref().is_some_and(|r| r.is_match(s))
    }
}

/// The model plus compiled patterns.
#[derive(Debug)]
pub struct Schema {
    pub model: Model,
    patterns: BTreeMap<String, Pattern>,
}

impl Schema {
    pub fn new(model: Model) -> Result<Schema, String> {
        let mut patterns = BTreeMap::new();
        for shape in model.shapes.values() {
            if let Some(p) = &shape.constraints.pattern {
                patterns.insert(shape.name.clone(), Pattern::compile(p)?);
            }
        }
        Ok(Schema { model, patterns })
    }

    /// The shape named `name`, or an error naming it.
    pub fn shape(&self, name: &str) -> Result<&Shape, String> {
        self.model
            .shape(name)
            .ok_or_else(|| format!("the model has no shape {name}"))
    }

    /// The compiled pattern of the shape named `name`.
    pub fn pattern(&self, name: &str) -> Option<&Pattern> {
        self.patterns.get(name)
    }

    /// The operation named `name`, or an error naming it.
    pub fn operation(&self, name: &str) -> Result<&Operation, String> {
        self.model
            .operations
            .iter()
            .find(|o| o.name == name)
            .ok_or_else(|| format!("the model has no operation {name}"))
    }

    pub fn operations(&self) -> &[Operation] {
        &self.model.operations
    }
}

/// A member name as validation messages print it: the first letter lower-cased.
pub fn message_name(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The model every test reads.
    pub fn schema() -> &'static Schema {
        use std::sync::OnceLock;
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let model = Model::load(&crate::default_model_path()).unwrap();
            Schema::new(model).unwrap()
        })
    }

    #[test]
    fn every_pattern_compiles_and_the_model_has_153_operations() {
        let s = schema();
        assert_eq!(s.operations().len(), 153);
        assert!(s
            .pattern("UserPoolIdType")
            .unwrap()
            .matches("us-east-1_Abc"));
    }

    #[test]
    fn patterns_are_searched_and_lookbehind_is_kept() {
        let s = schema();
        let sms = s.pattern("SmsVerificationMessageType").unwrap();
        assert!(sms.matches("code {####} here"));
        assert!(!sms.matches("no code"));
        let bucket = s.pattern("S3BucketType").unwrap();
        assert!(bucket.matches("my-bucket"));
        assert!(!bucket.matches("my-bucket."));
    }

    #[test]
    fn message_names_lower_the_first_letter_only() {
        assert_eq!(message_name("UserPoolId"), "userPoolId");
        assert_eq!(message_name("SMSMfaSettings"), "sMSMfaSettings");
    }
}
