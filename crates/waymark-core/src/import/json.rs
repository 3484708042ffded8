//! Reading the JSON document `waymark export --format json` writes.

use serde::Deserialize;

use super::build::complete_registers;
use super::{Diagnostic, ImportError, Imported, Severity};
use crate::model::{Plan, Programme};
use crate::schedule;

#[derive(Deserialize)]
struct Document {
    #[serde(flatten)]
    plan: Plan,
    /// Names of priority programmes; `programmes[].priority` says the same.
    #[serde(default)]
    priorities: Vec<String>,
}

pub(crate) fn read(text: &str) -> Result<Imported, ImportError> {
    let doc: Document = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("invalid JSON")
            .to_string(),
    })?;
    let mut plan = doc.plan;
    for name in doc.priorities {
        match plan
            .programmes
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(&name))
        {
            Some(p) => p.priority = true,
            None => plan.programmes.push(Programme {
                name,
                priority: true,
                description: String::new(),
                work_packages: Vec::new(),
            }),
        }
    }
    let mut diagnostics = Vec::new();
    let refs: std::collections::HashSet<_> = plan.work_packages().map(|(r, _, _)| r).collect();
    if refs.len() != plan.work_package_count() {
        return Err(ImportError::Syntax {
            line: 1,
            column: 1,
            message: "two work packages in one section share a number".into(),
        });
    }
    let mut kept = Vec::new();
    for dep in std::mem::take(&mut plan.dependencies) {
        let problem = if !refs.contains(&dep.predecessor) || !refs.contains(&dep.successor) {
            Some(format!(
                "dependency {} → {} names a work package that does not exist",
                dep.predecessor, dep.successor
            ))
        } else {
            schedule::check_new_dependency(&kept, &dep)
                .err()
                .map(|e| e.to_string())
        };
        match problem {
            Some(message) => diagnostics.push(Diagnostic {
                line: 1,
                column: 1,
                severity: Severity::Warning,
                message: format!("{message}; kept in the plan's notes"),
            }),
            None => kept.push(dep),
        }
    }
    for d in &diagnostics {
        if !plan.notes.is_empty() {
            plan.notes.push('\n');
        }
        plan.notes.push_str(&d.message);
    }
    plan.dependencies = kept;
    for p in &mut plan.programmes {
        p.work_packages.retain(|r| refs.contains(r));
    }
    complete_registers(&mut plan);
    Ok(Imported { plan, diagnostics })
}
