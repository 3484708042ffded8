-- The work-package lifecycle (waymark_core::lifecycle) and the plan's own status.
--
-- A package stored as not started is agreed work not yet begun: approved.
-- work_package.status has no CHECK constraint (0001); its index
-- (work_package_status) holds the text and follows the UPDATE; the status
-- counts are cached in memory only, keyed by store_generation, which the next
-- write bumps. The column's DEFAULT still says 'not_started' (SQLite cannot
-- change a default without rebuilding the table): every insert names the
-- status, so the default is never used.
UPDATE work_package SET status = 'approved' WHERE status = 'not_started';

-- Baselines froze the plan as JSON; their packages' statuses move the same way
-- (waymark_core::Status also reads 'not_started' as approved when thawing).
UPDATE baseline
   SET plan_json = replace(plan_json, '"status":"not_started"', '"status":"approved"')
 WHERE plan_json LIKE '%"status":"not_started"%';

-- The plan: a draft until approved (existing plans too: nobody has approved
-- them in Waymark yet, and approving takes the baseline), then superseded,
-- optionally naming the plan that took its place (no foreign key, which
-- ALTER TABLE cannot add with a default: deleting a plan clears the
-- superseded_by that name it, in the store's delete_plan).
ALTER TABLE plan ADD COLUMN status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'approved', 'superseded'));
ALTER TABLE plan ADD COLUMN superseded_by INTEGER;
