-- Baselines (issue 11, governance): a named, frozen copy of a plan as it was
-- when an approver took it, to compare the plan with later. The copy is the
-- whole plan as JSON (waymark_core::Plan: every package's fields,
-- influences, related items, programmes, dependencies), never edited; its
-- package count is kept beside it for lists. A baseline goes with its plan.
CREATE TABLE baseline (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    taken_at_ms INTEGER NOT NULL,
    taken_by TEXT NOT NULL,
    package_count INTEGER NOT NULL,
    plan_json TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX baseline_plan ON baseline(plan_id, taken_at_ms);
