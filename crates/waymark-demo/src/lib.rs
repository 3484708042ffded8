//! The demo data: the first customer's ICT strategy action plan (Children and
//! Young People's Services of a county council), as the plan-text file they
//! exported from their strategy document.
//!
//! `waymark demo` loads it, and the tests of every crate read the same bytes,
//! so what a newcomer sees is what the tests check. The file lives in `data/`
//! beside this crate; it is the customer's document unchanged.

/// The plan's file name, as import reports name it.
pub const CYPS_PLAN_FILE: &str = "cyps-ict-action-plan.txt";

/// Path of the plan's file in the source tree (for tests that run the CLI on it).
pub const CYPS_PLAN_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/cyps-ict-action-plan.txt");

/// The plan's bytes, exactly as the customer's file holds them.
pub const CYPS_PLAN: &[u8] = include_bytes!("../data/cyps-ict-action-plan.txt");

/// The title the demo gives the plan (the file has no title line of its own).
pub const CYPS_PLAN_TITLE: &str = "CYPS ICT strategy action plan";

/// The organisation the demo names as the plan's owner.
pub const CYPS_ORGANISATION: &str = "Children and Young People's Services";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_and_the_bytes_are_the_same_file() {
        let on_disk = std::fs::read(CYPS_PLAN_PATH);
        assert_eq!(on_disk.ok().as_deref(), Some(CYPS_PLAN));
        assert!(CYPS_PLAN_PATH.ends_with(CYPS_PLAN_FILE));
    }
}
