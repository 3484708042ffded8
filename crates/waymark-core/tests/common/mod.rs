//! What the fixture tests share: where the fixtures are, and comparing actual
//! output with an expected file (`UPDATE_EXPECT=1` writes it instead).

use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Reads a fixture, failing the test with the path when it cannot.
#[allow(dead_code)] // not every test crate reads fixtures itself
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Compares `actual` with the file at `path`, or writes it there when
/// `UPDATE_EXPECT` is set.
pub fn expect(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, actual).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run with UPDATE_EXPECT=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            // Equal as far as the shorter goes: they differ where it ends.
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the actual output at line {}:\nexpected: {:?}\n  actual: {:?}\n(run with UPDATE_EXPECT=1 to accept)",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}
