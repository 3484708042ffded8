//! The form layer: a record's fields declared once (name, label, kind, the
//! limit from `waymark_core::limits`, the message when a required one is
//! empty), and what pages and API handlers do with any such declaration: read
//! the fields from a posted form or a JSON body, check them, and turn them
//! into the store's input with one [`FieldError`] per wrong field.
//!
//! A record is a struct made by [`form!`](crate::form!) (its fields, each an
//! `Option<String>`: `None` is "not given") and a [`Form`] impl saying what
//! the store takes and the rules beyond each field's own declaration. The
//! page side (a POST that saves and redirects, or shows the page again with
//! the errors) is `pages::form`; the OpenAPI document reads the same
//! declarations (`api::openapi`).

use serde_json::Value;
use waymark_core::limits::TextField;

use crate::error::{ApiError, FieldError};

/// What kind of value a field holds, and so how it is read and checked.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text within its declared limit.
    Text(TextField),
    /// Text in a format the record's own rules read (a number, quarters, codes, a date).
    Formatted,
    /// Several values in one text, parted by the separator; JSON may send an
    /// array of them.
    List(&'static str),
    /// One of a list of values (a select or radios); JSON sends a string.
    Choice(fn() -> Vec<&'static str>),
    /// A checkbox: `true` or `false`; JSON sends a boolean.
    Flag,
}

/// One field of a form or request body.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The name in forms and JSON bodies (the struct field's name).
    pub name: &'static str,
    /// What the form calls it.
    pub label: &'static str,
    pub kind: Kind,
    /// The message when it is left empty, for a field that must hold a value.
    pub required: Option<&'static str>,
    /// The record always has a value here (a default, if not given): a JSON
    /// `null` cannot clear it.
    pub always_set: bool,
}

impl Field {
    pub const fn text(limit: TextField, label: &'static str) -> Field {
        Field::of(Kind::Text(limit), label)
    }

    pub const fn formatted(label: &'static str) -> Field {
        Field::of(Kind::Formatted, label)
    }

    pub const fn choice(values: fn() -> Vec<&'static str>, label: &'static str) -> Field {
        Field::of(Kind::Choice(values), label)
    }

    pub const fn flag(label: &'static str) -> Field {
        Field::of(Kind::Flag, label)
    }

    pub const fn list(separator: &'static str, label: &'static str) -> Field {
        Field::of(Kind::List(separator), label)
    }

    const fn of(kind: Kind, label: &'static str) -> Field {
        Field {
            name: "",
            label,
            kind,
            required: None,
            always_set: false,
        }
    }

    /// It must hold a value; `message` says so when it is empty.
    pub const fn required(self, message: &'static str) -> Field {
        Field {
            required: Some(message),
            ..self
        }
    }

    /// The record always has a value here: `null` cannot clear it.
    pub const fn always_set(self) -> Field {
        Field {
            always_set: true,
            ..self
        }
    }

    /// Its wire name (the `form!` macro gives each field its struct field's name).
    pub const fn named(self, name: &'static str) -> Field {
        Field { name, ..self }
    }

    /// The declared checks of one value (already trimmed): required, limit.
    fn check(&self, value: &str) -> Option<FieldError> {
        if value.is_empty() {
            return self.required.map(|m| FieldError::new(self.name, m));
        }
        match self.kind {
            Kind::Text(limit) => limit
                .check(value)
                .err()
                .map(|e| FieldError::new(self.name, e.message)),
            Kind::Flag if !matches!(value, "true" | "false") => {
                Some(FieldError::new(self.name, "Choose true or false"))
            }
            _ => None,
        }
    }
}

/// A record's fields by name: made by [`form!`](crate::form!), never by hand.
pub trait Fields: Default + Clone + Send + 'static {
    /// The fields, in the order the form shows them (and its error summary lists them).
    const FIELDS: &'static [Field];
    fn slot(&mut self, name: &str) -> Option<&mut Option<String>>;
    fn get(&self, name: &str) -> Option<&str>;
}

/// A record a form or body edits: what the store takes, and the rules beyond
/// each field's own declaration.
pub trait Form: Fields {
    /// What the store's write method takes.
    type Input: Send + 'static;

    /// The record's own rules (formats, choices, fields that go together),
    /// reading values with [`Form::text`]. The declared checks have run
    /// already; their errors come first and a field is named once.
    fn checked(&self) -> Result<Self::Input, Vec<FieldError>>;

    /// Where a field's error goes in the error summary: the order of
    /// [`Fields::FIELDS`] (a name it does not declare goes last).
    fn place(field: &str) -> usize {
        position::<Self>(field)
    }

    /// A store refusal (a name already taken, say) as the page shows it
    /// beside its field.
    fn conflict(e: FieldError) -> FieldError {
        e
    }

    /// A field's value, trimmed; `""` when not given.
    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_string()
    }

    /// A flag's value (`true` when set).
    fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.trim() == "true")
    }

    /// Every check, declared and the record's own: the store's input, or one
    /// error per wrong field in form order.
    fn validate(&self) -> Result<Self::Input, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Self::FIELDS
            .iter()
            .filter_map(|f| f.check(&self.text(f.name)))
            .collect();
        match self.checked() {
            Ok(input) if errors.is_empty() => return Ok(input),
            Ok(_) => {}
            Err(more) => {
                for e in more {
                    if !errors.iter().any(|had| had.field == e.field) {
                        errors.push(e);
                    }
                }
            }
        }
        sort_errors::<Self>(&mut errors);
        Err(errors)
    }

    /// The fields of a posted form (its pairs, in order). A checkbox is
    /// absent when not ticked: a flag reads as `false` then.
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut values = Self::default();
        for field in Self::FIELDS {
            let posted = pairs.iter().find(|(k, _)| k == field.name).map(|(_, v)| v);
            let value = match field.kind {
                Kind::Flag => Some(posted.is_some_and(|v| !v.is_empty()).to_string()),
                _ => posted.cloned(),
            };
            if let Some(slot) = values.slot(field.name) {
                *slot = value;
            }
        }
        values
    }

    /// The fields of a JSON body (an object): strings for text and choices,
    /// booleans for flags; `null` or left out is "not given". Any other name
    /// or type is an error naming the field.
    fn from_json(body: &axum::body::Bytes) -> Result<Self, ApiError> {
        let object: serde_json::Map<String, Value> = crate::api::parse_body(body)?;
        let mut values = Self::default();
        let mut errors = Vec::new();
        for (key, value) in object {
            let Some(field) = Self::FIELDS.iter().find(|f| f.name == key) else {
                errors.push(FieldError::new(&key, format!("unknown field `{key}`")));
                continue;
            };
            let text = match (field.kind, value) {
                (_, Value::Null) => None,
                (Kind::Flag, Value::Bool(b)) => Some(b.to_string()),
                (Kind::Flag, _) => {
                    errors.push(FieldError::new(&key, "must be true or false"));
                    continue;
                }
                (_, Value::String(s)) => Some(s),
                (_, _) => {
                    errors.push(FieldError::new(&key, "must be a string"));
                    continue;
                }
            };
            if let Some(slot) = values.slot(field.name) {
                *slot = text;
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// These values with those given in `patch` in their place (a PATCH on
    /// the stored record).
    fn overlay(mut self, mut patch: Self) -> Self {
        for field in Self::FIELDS {
            let given = patch.slot(field.name).and_then(Option::take);
            if given.is_some()
                && let Some(slot) = self.slot(field.name)
            {
                *slot = given;
            }
        }
        self
    }
}

/// Twice the place of a field in [`Fields::FIELDS`] (room for a field a
/// record reads its own way between two), or `usize::MAX` when not declared.
pub fn position<F: Fields>(field: &str) -> usize {
    F::FIELDS
        .iter()
        .position(|f| f.name == field)
        .map_or(usize::MAX, |i| i * 2)
}

/// Errors in the order of the form's fields (see [`Form::place`]).
pub fn sort_errors<F: Form>(errors: &mut [FieldError]) {
    errors.sort_by_key(|e| F::place(&e.field));
}

/// Declare a record's fields: a struct of `Option<String>` fields (documented
/// for the OpenAPI document as written) and its [`Fields`] impl, so the list
/// of names is written once.
///
/// ```text
/// form! {
///     /// A programme's fields.
///     pub struct ProgrammeFields {
///         name: Field::text(limits::PROGRAMME_NAME, "Name").required("Enter the programme's name"),
///         #[schema(value_type = Option<bool>)]
///         priority: Field::flag("This is one of the group's priorities"),
///     }
/// }
/// ```
#[macro_export]
macro_rules! form {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $decl:expr ),* $(,)?
        }
        $( extra { $( $(#[$xmeta:meta])* $xfield:ident : $xty:ty ),* $(,)? } )?
    ) => {
        #[derive(Debug, Clone, Default, utoipa::ToSchema)]
        $(#[$meta])*
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<String>, )*
            $($( $(#[$xmeta])* pub $xfield: $xty, )*)?
        }

        impl $crate::form::Fields for $name {
            const FIELDS: &'static [$crate::form::Field] = &[
                $( $decl.named(stringify!($field)), )*
            ];

            fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
                match name {
                    $( stringify!($field) => Some(&mut self.$field), )*
                    _ => None,
                }
            }

            fn get(&self, name: &str) -> Option<&str> {
                match name {
                    $( stringify!($field) => self.$field.as_deref(), )*
                    _ => None,
                }
            }
        }
    };
}
