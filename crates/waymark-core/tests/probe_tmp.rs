#[test]
fn probe() {
    let path = std::env::var("PROBE").unwrap_or_default();
    let fmt: waymark_core::import::Format = std::env::var("FMT")
        .unwrap_or("plan-text".into())
        .parse()
        .unwrap_or(waymark_core::import::Format::PlanText);
    let bytes = std::fs::read(&path).unwrap_or_default();
    match waymark_core::import::import(&bytes, fmt, &Default::default()) {
        Ok(i) => {
            for d in &i.diagnostics {
                println!("{d}");
            }
            println!("{}", waymark_core::export::to_json(&i.plan));
        }
        Err(e) => println!("error: {e}"),
    }
}
