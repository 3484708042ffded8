//! Package lists: filters, order, paging by offset or by cursor (keyset).

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use waymark_core::search::{SearchText, Term};
use waymark_core::{Quarter, Status};

use super::cache::{Count, Probe};
use super::{SqliteStore, WP_COLUMN_COUNT, WP_COLUMNS, wp_row};
use crate::{
    COUNT_LIMIT, Cursor, CursorValue, Page, PlanId, Result, SortKey, StoreError, WorkPackageQuery,
    WorkPackageRow,
};

/// The FTS5 query for search text: every term required; a word as a word
/// prefix (`"appl"*`), a reference or code as a phrase of whole words
/// (`"10 4 3"`: adjacent, in order). Words hold only letters and digits, so
/// quoting them is enough.
pub(super) fn fts_query(text: &SearchText) -> String {
    text.terms()
        .iter()
        .map(|t| match t {
            Term::Prefix(w) => format!("\"{w}\"*"),
            Term::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A list's filters as SQL over `work_package wp`, in two forms with the same
/// arguments in the same order: `where_in` lets SQLite start from a small
/// filtered set (`wp.id IN (…)`); `where_probe` tests one row at a time
/// (`EXISTS (…)`), for walking an index in the list's order and for asking
/// whether one package is in the list.
pub(super) struct Filter {
    pub where_in: String,
    pub where_probe: String,
    pub args: Vec<Value>,
    /// The search, as an FTS5 query; not in the clauses above.
    pub fts: Option<String>,
    /// A filter names a smaller set than the plan on its own (a section, a
    /// quarter, a register entry, a programme): a count starts from it.
    pub narrowed: bool,
}

/// Every list's first term: its plan.
const PLAN_TERM: &str = "wp.plan_id = ?";

/// The open statuses ([`Status::is_open`]) as an SQL list: `'proposed', …`.
fn open_statuses() -> String {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Matches of a search, as the FROM of a query driven by the index: SQLite
/// reads the matching rows and sorts them, never the rest of the plan.
const MATCHES_FIRST: &str = "(SELECT rowid AS id FROM work_package_search WHERE work_package_search MATCH ?) m CROSS JOIN work_package wp ON wp.id = m.id";
/// The search as a test of one row.
const MATCH_PROBE: &str = "EXISTS (SELECT 1 FROM work_package_search WHERE work_package_search MATCH ? AND rowid = wp.id)";

/// Below this many index matches a search reads its matches and sorts them;
/// from it, a search walks the list in order and tests each row, stopping when
/// the page is full (a common word fills a page within a few hundred rows).
const DENSE_MATCHES: i64 = 2000;

impl Filter {
    /// `overdue`: the quarter `q.overdue_on` falls in, in the plan's
    /// convention (the store reads it: [`SqliteStore::overdue_quarter`]).
    pub fn of(plan: PlanId, q: &WorkPackageQuery, overdue: Option<Quarter>) -> Filter {
        let mut f = Filter {
            where_in: String::from(PLAN_TERM),
            where_probe: String::from(PLAN_TERM),
            args: vec![Value::Integer(plan.0)],
            fts: q.text.as_ref().map(fts_query),
            narrowed: false,
        };
        // `narrows`: the clause names a smaller set than the plan on its own.
        let mut add = |narrows: bool, inn: &str, probe: &str, args: &[Value]| {
            f.narrowed |= narrows;
            f.where_in.push_str(" AND ");
            f.where_in.push_str(inn);
            f.where_probe.push_str(" AND ");
            f.where_probe.push_str(probe);
            f.args.extend_from_slice(args);
        };
        if let Some(s) = q.section {
            add(
                true,
                "wp.section_id = ?",
                "wp.section_id = ?",
                &[Value::Integer(s.0)],
            );
        }
        if let Some(qr) = q.quarter {
            // The quarter's packages read once from its index (a set), not a
            // probe of each package the list walks.
            add(
                true,
                "wp.id IN (SELECT work_package_id FROM delivery_target WHERE quarter = ?)",
                "EXISTS (SELECT 1 FROM delivery_target d WHERE d.work_package_id = wp.id AND d.quarter = ?)",
                &[Value::Integer(i64::from(qr.index()))],
            );
        }
        if let Some(s) = q.status {
            add(
                false,
                "wp.status = ?",
                "wp.status = ?",
                &[Value::Text(s.as_str().into())],
            );
        }
        if let Some(r) = q.rag {
            add(
                false,
                "wp.rag = ?",
                "wp.rag = ?",
                &[Value::Text(r.as_str().into())],
            );
        }
        if let Some(code) = &q.influence {
            add(
                true,
                "wp.id IN (SELECT wpi.work_package_id FROM work_package_influence wpi JOIN influence i ON i.id = wpi.influence_id WHERE i.plan_id = ? AND i.code = ?)",
                "EXISTS (SELECT 1 FROM work_package_influence wpi JOIN influence i ON i.id = wpi.influence_id WHERE wpi.work_package_id = wp.id AND i.plan_id = ? AND i.code = ?)",
                &[Value::Integer(plan.0), Value::Text(code.as_str().into())],
            );
        }
        if let Some(item) = q.related_item {
            add(
                true,
                "wp.id IN (SELECT work_package_id FROM work_package_related WHERE related_item_id = ?)",
                "EXISTS (SELECT 1 FROM work_package_related r WHERE r.work_package_id = wp.id AND r.related_item_id = ?)",
                &[Value::Integer(item.0)],
            );
        }
        if let Some(before) = overdue.filter(|_| q.overdue_on.is_some()) {
            let clause = format!(
                "wp.final_quarter < ? AND wp.status IN ({})",
                open_statuses()
            );
            add(
                false,
                &clause,
                &clause,
                &[Value::Integer(i64::from(before.index()))],
            );
        }
        if let Some(day) = q.no_note_since {
            let clause = format!(
                "wp.status IN ({}) AND NOT EXISTS (SELECT 1 FROM progress_note n WHERE n.work_package_id = wp.id AND n.date >= ?)",
                open_statuses()
            );
            add(false, &clause, &clause, &[Value::Text(day.to_string())]);
        }
        if let Some(p) = q.programme {
            add(
                true,
                "wp.id IN (SELECT work_package_id FROM programme_work_package WHERE programme_id = ?)",
                "EXISTS (SELECT 1 FROM programme_work_package m WHERE m.work_package_id = wp.id AND m.programme_id = ?)",
                &[Value::Integer(p.0)],
            );
        }
        f
    }

    /// The probe a package write keeps this list's count with; none for a
    /// search (testing one row against a prefix costs the whole prefix's
    /// expansion, more than counting again after the write).
    fn delta_probe(&self) -> Option<Probe> {
        self.fts.is_none().then(|| self.probe())
    }

    /// The probe that tells whether one package (the first argument) is in the list.
    fn probe(&self) -> Probe {
        let mut args = self.args.clone();
        let mut sql = format!(
            "SELECT COUNT(*) FROM work_package wp WHERE wp.id = ? AND {}",
            self.where_probe
        );
        if let Some(fts) = &self.fts {
            sql.push_str(" AND ");
            sql.push_str(MATCH_PROBE);
            args.push(Value::Text(fts.clone()));
        }
        Probe { sql, args }
    }
}

/// How a list is read: all of it by its filters, a search's matches first, or
/// the list's order first, testing each row against the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Filters,
    MatchesFirst,
    OrderFirst,
}

impl Access {
    /// FROM and WHERE, with their arguments.
    fn sql(self, f: &Filter) -> (String, String, Vec<Value>) {
        match (self, &f.fts) {
            (Access::MatchesFirst, Some(fts)) => {
                let mut args = vec![Value::Text(fts.clone())];
                args.extend(f.args.iter().cloned());
                (MATCHES_FIRST.into(), f.where_in.clone(), args)
            }
            (Access::OrderFirst, Some(fts)) => {
                let mut args = f.args.clone();
                args.push(Value::Text(fts.clone()));
                (
                    "work_package wp".into(),
                    format!("{} AND {MATCH_PROBE}", f.where_in),
                    args,
                )
            }
            _ => ("work_package wp".into(), f.where_in.clone(), f.args.clone()),
        }
    }
}

/// Sorting by status: open work first, in lifecycle order, then what is done,
/// then what will not be done.
const STATUS_RANK: &str = "CASE wp.status WHEN 'proposed' THEN 0 WHEN 'approved' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'on_hold' THEN 3 WHEN 'delivered' THEN 4 WHEN 'closed' THEN 5 WHEN 'rejected' THEN 6 ELSE 7 END";

/// The sort keys of an order, each with its direction (`true`: descending).
/// Every order ends in the package id, so no two rows tie and a cursor names
/// one place. No key is ever NULL.
fn order_keys(sort: SortKey, desc: bool) -> Vec<(&'static str, bool)> {
    let tail = [
        ("wp.section_position", false),
        ("wp.position", false),
        ("wp.id", false),
    ];
    let mut keys = match sort {
        SortKey::Plan => {
            return vec![
                ("wp.section_position", desc),
                ("wp.position", desc),
                ("wp.id", desc),
            ];
        }
        SortKey::Title => return vec![("wp.title COLLATE NOCASE", desc), ("wp.id", false)],
        SortKey::Delivery => vec![
            ("(wp.final_quarter IS NULL)", false),
            ("COALESCE(wp.final_quarter, 0)", desc),
        ],
        SortKey::Status => vec![(STATUS_RANK, desc)],
        SortKey::Progress => vec![("wp.progress", desc)],
        SortKey::Owner => vec![("wp.owner COLLATE NOCASE", desc)],
    };
    keys.extend(tail);
    keys
}

/// `ORDER BY` for the keys, or for the reverse order.
fn order_by(keys: &[(&str, bool)], reverse: bool) -> String {
    keys.iter()
        .map(|(expr, desc)| {
            let dir = if *desc != reverse { "DESC" } else { "ASC" };
            format!("{expr} {dir}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows strictly after the key (before it when `reverse`), in the keys' order.
/// One row-value comparison when every key runs the same way (SQLite seeks an
/// index with it); otherwise the expanded form.
fn keyset(keys: &[(&str, bool)], key: &[CursorValue], reverse: bool) -> (String, Vec<Value>) {
    let value = |v: &CursorValue| match v {
        CursorValue::Int(i) => Value::Integer(*i),
        CursorValue::Text(t) => Value::Text(t.clone()),
    };
    let op = |desc: bool| if desc != reverse { "<" } else { ">" };
    if keys.iter().all(|(_, d)| *d == keys[0].1) {
        let exprs: Vec<&str> = keys.iter().map(|(e, _)| *e).collect();
        let marks = vec!["?"; keys.len()].join(", ");
        let sql = format!("({}) {} ({marks})", exprs.join(", "), op(keys[0].1));
        return (sql, key.iter().map(value).collect());
    }
    let mut ors = Vec::new();
    let mut args = Vec::new();
    for i in 0..keys.len() {
        let mut ands: Vec<String> = Vec::new();
        for j in 0..i {
            ands.push(format!("{} = ?", keys[j].0));
            args.push(value(&key[j]));
        }
        ands.push(format!("{} {} ?", keys[i].0, op(keys[i].1)));
        args.push(value(&key[i]));
        ors.push(format!("({})", ands.join(" AND ")));
    }
    (format!("({})", ors.join(" OR ")), args)
}

/// The count of a list: `SELECT COUNT(*)` over its filters (up to
/// [`COUNT_LIMIT`] + 1 when a search walks the list in order).
///
/// When a filter names a smaller set than the plan (a section's thousand
/// packages), the plan's term is kept out of the index choice (`+wp.plan_id`):
/// SQLite's statistics from a sampled `ANALYZE`, or none, rate "this plan"
/// as selective as "this section", and it counted a section by walking the
/// whole plan's index (60 to 140 ms on 100,000 packages, where the section's
/// own index takes 0.2 ms).
fn count_sql(f: &Filter, access: Access) -> (String, Vec<Value>) {
    let (from, clause, args) = access.sql(f);
    let clause = for_counting(f, clause);
    let sql = if access == Access::OrderFirst {
        format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {clause} LIMIT {})",
            COUNT_LIMIT + 1
        )
    } else {
        format!("SELECT COUNT(*) FROM {from} WHERE {clause}")
    };
    (sql, args)
}

/// A list's clause for counting its rows (see [`count_sql`]).
fn for_counting(f: &Filter, mut clause: String) -> String {
    if f.narrowed && clause.starts_with(PLAN_TERM) {
        clause.insert(0, '+');
    }
    clause
}

/// FNV-1a: a fingerprint that stays the same across builds and restarts.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The list a query asks for, without where it starts: cursors are made for it.
fn list_fingerprint(
    plan: PlanId,
    q: &WorkPackageQuery,
    overdue: Option<Quarter>,
    per_page: u32,
) -> u64 {
    let text = q.text.as_ref().map(SearchText::as_str);
    fingerprint(&format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}|{per_page}",
        plan.0,
        q.section,
        q.quarter.map(|x| x.index()),
        q.status,
        q.rag,
        q.influence.as_ref().map(|c| c.as_str()),
        q.related_item,
        q.programme,
        text,
        q.sort,
        q.descending,
        overdue.map(|x| x.index()),
        q.no_note_since.map(|d| d.to_string())
    ))
}

fn key_of(values: &[Value]) -> rusqlite::Result<Vec<CursorValue>> {
    values
        .iter()
        .map(|v| match v {
            Value::Integer(i) => Ok(CursorValue::Int(*i)),
            Value::Text(t) => Ok(CursorValue::Text(t.clone())),
            other => Err(super::corrupt(format!("sort key {other:?}"))),
        })
        .collect()
}

impl SqliteStore {
    /// How to read a list: a search that matches few rows reads its matches
    /// and sorts them; one that matches many walks the list's order (when an
    /// index gives that order) and stops at a full page.
    fn access(&self, c: &Connection, f: &Filter, sort: SortKey) -> Result<Access> {
        let Some(fts) = &f.fts else {
            return Ok(Access::Filters);
        };
        // The match set is read once per generation (a prefix query costs its
        // whole expansion every time it runs).
        let matches = self.cache.matches(c, fts)?.len() as i64;
        Ok(if matches >= DENSE_MATCHES && sort == SortKey::Plan {
            Access::OrderFirst
        } else {
            Access::MatchesFirst
        })
    }

    /// The number of packages in a list, cached (see `cache`). A search that
    /// matches many rows is counted up to [`COUNT_LIMIT`] (and then "more").
    fn total(&self, c: &Connection, f: &Filter, access: Access) -> Result<Count> {
        let (sql, args) = count_sql(f, access);
        let bounded = access == Access::OrderFirst;
        let key = format!("{sql}\u{1f}{args:?}");
        if let (Access::OrderFirst, Some(fts)) = (access, &f.fts) {
            // Count matches walking the list, up to the limit.
            let walk = format!(
                "SELECT wp.id FROM work_package wp WHERE {}",
                for_counting(f, f.where_in.clone())
            );
            return self.cache.package_count(c, key, f.delta_probe(), |c| {
                let set = self.cache.matches(c, fts)?;
                let mut stmt = c.prepare_cached(&walk)?;
                let mut rows = stmt.query(params_from_iter(&f.args))?;
                let mut n = 0i64;
                while let Some(r) = rows.next()? {
                    if set.contains(&r.get::<_, i64>(0)?) {
                        n += 1;
                        if n > COUNT_LIMIT as i64 {
                            break;
                        }
                    }
                }
                Ok(if n > COUNT_LIMIT as i64 {
                    Count {
                        n: COUNT_LIMIT as i64,
                        lower_bound: true,
                    }
                } else {
                    Count {
                        n,
                        lower_bound: false,
                    }
                })
            });
        }
        self.cache.package_count(c, key, f.delta_probe(), |c| {
            let n: i64 = c
                .prepare_cached(&sql)?
                .query_row(params_from_iter(&args), |r| r.get(0))?;
            Ok(if bounded && n > COUNT_LIMIT as i64 {
                Count {
                    n: COUNT_LIMIT as i64,
                    lower_bound: true,
                }
            } else {
                Count {
                    n,
                    lower_bound: false,
                }
            })
        })
    }

    /// The quarter an overdue filter's day falls in, in the plan's convention.
    pub(super) fn overdue_quarter(
        &self,
        plan: PlanId,
        q: &WorkPackageQuery,
    ) -> Result<Option<Quarter>> {
        let Some(day) = q.overdue_on else {
            return Ok(None);
        };
        let convention = self.read(|c| super::plan_convention(c, plan))?;
        Ok(Some(Quarter::containing(day, convention)))
    }

    /// Packages in a list (cached; kept up to date by package writes), with
    /// whether the number is only a lower bound.
    pub(super) fn list_total(
        &self,
        c: &Connection,
        plan: PlanId,
        q: &WorkPackageQuery,
        overdue: Option<Quarter>,
    ) -> Result<u64> {
        let f = Filter::of(plan, q, overdue);
        let access = self.access(c, &f, q.sort)?;
        Ok(self.total(c, &f, access)?.n as u64)
    }

    /// Packages in a plan (cached; kept up to date by package writes).
    pub(super) fn package_total(&self, c: &Connection, plan: PlanId) -> Result<u64> {
        let f = Filter::of(plan, &WorkPackageQuery::default(), None);
        Ok(self.total(c, &f, Access::Filters)?.n as u64)
    }

    pub(super) fn list_packages(
        &self,
        plan: PlanId,
        q: &WorkPackageQuery,
    ) -> Result<Page<WorkPackageRow>> {
        let overdue = self.overdue_quarter(plan, q)?;
        let filter = Filter::of(plan, q, overdue);
        let keys = order_keys(q.sort, q.descending);
        let per_page = q.per_page.clamp(1, 500);
        let list = list_fingerprint(plan, q, overdue, per_page);
        let (page, backward, keyset_sql, keyset_args, offset) = match &q.cursor {
            Some(cursor) => {
                if cursor.list != list || cursor.key.len() != keys.len() {
                    return Err(StoreError::Invalid {
                        field: "cursor",
                        message: "this cursor belongs to another list (other filters, order or page size); start again from the first page".into(),
                    });
                }
                let (sql, values) = keyset(&keys, &cursor.key, cursor.backward);
                (cursor.page, cursor.backward, Some(sql), values, 0)
            }
            None => {
                let page = q.page.max(1);
                let offset = u64::from(page - 1) * u64::from(per_page);
                (page, false, None, Vec::new(), offset)
            }
        };
        let key_columns: Vec<&str> = keys.iter().map(|(e, _)| *e).collect();
        self.read(|c| {
            let access = self.access(c, &filter, q.sort)?;
            let total = self.total(c, &filter, access)?;
            let (from, mut clause, mut args) = match access {
                // Walk the list in order against the search's match set (read
                // once), then read just the rows of the page.
                Access::OrderFirst => Access::Filters.sql(&filter),
                _ => access.sql(&filter),
            };
            if let Some(sql) = &keyset_sql {
                clause.push_str(" AND ");
                clause.push_str(sql);
                args.extend(keyset_args.iter().cloned());
            }
            let (clause, args, offset) = match (access, &filter.fts) {
                (Access::OrderFirst, Some(fts)) => {
                    let set = self.cache.matches(c, fts)?;
                    let walk = format!(
                        "SELECT wp.id FROM {from} WHERE {clause} ORDER BY {}",
                        order_by(&keys, backward)
                    );
                    let mut stmt = c.prepare_cached(&walk)?;
                    let mut rows = stmt.query(params_from_iter(&args))?;
                    let mut skip = offset;
                    let mut ids = Vec::with_capacity(per_page as usize + 1);
                    while let Some(r) = rows.next()? {
                        let id: i64 = r.get(0)?;
                        if !set.contains(&id) {
                            continue;
                        }
                        if skip > 0 {
                            skip -= 1;
                            continue;
                        }
                        ids.push(id.to_string());
                        if ids.len() > per_page as usize {
                            break;
                        }
                    }
                    (
                        "wp.id IN (SELECT value FROM json_each(?))".to_string(),
                        vec![Value::Text(format!("[{}]", ids.join(",")))],
                        0,
                    )
                }
                _ => (clause, args, offset),
            };
            let mut items = Vec::with_capacity(per_page as usize + 1);
            let mut row_keys = Vec::with_capacity(per_page as usize + 1);
            // An exact count of none, or a page past the end, has no rows to
            // look for: a filter that matches nothing would otherwise walk
            // the whole plan to find so (the dashboard's "due next quarter"
            // of a plan whose deliveries are all past).
            let past_end = !total.lower_bound
                && (total.n == 0 || (keyset_sql.is_none() && offset >= total.n as u64));
            if !past_end {
                let sql = format!(
                    "SELECT {WP_COLUMNS}, {} FROM {from} WHERE {clause} ORDER BY {} LIMIT {} OFFSET {offset}",
                    key_columns.join(", "),
                    order_by(&keys, backward),
                    per_page + 1
                );
                let mut stmt = c.prepare_cached(&sql)?;
                let mut rows = stmt.query(params_from_iter(&args))?;
                while let Some(r) = rows.next()? {
                    items.push(wp_row(r)?);
                    let values = (0..keys.len())
                        .map(|i| r.get::<_, Value>(WP_COLUMN_COUNT + i))
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    row_keys.push(values);
                }
            }
            let more = items.len() > per_page as usize;
            items.truncate(per_page as usize);
            row_keys.truncate(per_page as usize);
            if backward {
                items.reverse();
                row_keys.reverse();
            }
            let cursor = |values: &[Value], page: u32, backward: bool| -> Result<Cursor> {
                Ok(Cursor {
                    list,
                    page,
                    backward,
                    key: key_of(values)?,
                })
            };
            // Going forward, `more` says a next page exists; going back, an
            // earlier one (and the page we came from follows this one).
            let (has_next, has_previous) = if backward {
                (true, more || page > 1)
            } else {
                (more, page > 1)
            };
            let next_cursor = match row_keys.last() {
                Some(k) if has_next => Some(cursor(k, page.saturating_add(1), false)?),
                _ => None,
            };
            let previous_cursor = match row_keys.first() {
                Some(k) if has_previous => Some(cursor(k, (page - 1).max(1), true)?),
                _ => None,
            };
            Ok(Page {
                items,
                total: total.n as u64,
                total_is_lower_bound: total.lower_bound,
                page,
                per_page,
                next_cursor,
                previous_cursor,
            })
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_from_its_text() {
        let c = Cursor {
            list: 0xdead_beef,
            page: 901,
            backward: true,
            key: vec![
                CursorValue::Int(-3),
                CursorValue::Text("Review. Café | 3.1".into()),
                CursorValue::Int(90_001),
            ],
        };
        assert_eq!(c.to_string().parse::<Cursor>(), Ok(c));
        for bad in ["", "zz", "7631", "v1.1.n.1", &"x".repeat(99)] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }

    /// How SQLite would run a list's count, on an empty store (no
    /// statistics, as for a plan built through the API).
    fn count_plan(q: &WorkPackageQuery) -> String {
        let store = SqliteStore::open(":memory:").unwrap();
        let f = Filter::of(PlanId(1), q, None);
        let (sql, args) = count_sql(&f, Access::Filters);
        store
            .read(|c| {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let steps = stmt
                    .query_map(params_from_iter(&args), |r| r.get::<_, String>(3))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(steps.join(" | "))
            })
            .unwrap()
    }

    #[test]
    fn a_narrowed_list_is_counted_from_its_own_index_not_the_whole_plan() {
        let section = WorkPackageQuery {
            section: Some(crate::SectionId(3)),
            ..WorkPackageQuery::default()
        };
        let plan = count_plan(&section);
        assert!(plan.contains("work_package_section"), "{plan}");
        let related = WorkPackageQuery {
            related_item: Some(crate::RelatedItemId(3)),
            ..WorkPackageQuery::default()
        };
        let plan = count_plan(&related);
        assert!(!plan.contains("(plan_id=?)"), "{plan}");
        // The plan alone, or by status: the plan's own indexes.
        let status = WorkPackageQuery {
            status: Some(Status::InProgress),
            ..WorkPackageQuery::default()
        };
        let plan = count_plan(&status);
        assert!(
            plan.contains("work_package_status (plan_id=? AND status=?)"),
            "{plan}"
        );
    }

    #[test]
    fn mixed_directions_expand_the_keyset() {
        let keys = order_keys(SortKey::Progress, true);
        let key = vec![
            CursorValue::Int(40),
            CursorValue::Int(2),
            CursorValue::Int(5),
            CursorValue::Int(9),
        ];
        let (sql, args) = keyset(&keys, &key, false);
        assert!(
            sql.starts_with("((wp.progress < ?) OR (wp.progress = ? AND wp.section_position > ?)"),
            "{sql}"
        );
        assert_eq!(args.len(), 10);
        let (sql, _) = keyset(&order_keys(SortKey::Plan, false), &key[..3], true);
        assert_eq!(sql, "(wp.section_position, wp.position, wp.id) < (?, ?, ?)");
    }
}
