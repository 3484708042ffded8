//! Waymark's domain: the action plan, its rules and calculations. No IO, no
//! async, no SQL: functions over values, shared by the CLI, the API and the pages.

pub mod access;
pub mod audit;
pub mod baseline;
pub mod check;
pub mod export;
pub mod identity;
pub mod import;
pub mod lifecycle;
pub mod limits;
pub mod model;
pub mod priority;
pub mod quarter;
pub mod raid;
pub mod report;
pub mod schedule;
pub mod search;
pub mod sso;
pub mod text;
pub mod update;

pub use model::*;
pub use quarter::{Quarter, QuarterConvention, QuarterRange};
