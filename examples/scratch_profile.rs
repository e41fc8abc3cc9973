use std::time::Instant;
fn hwm() -> String {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines().filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS")).collect::<Vec<_>>().join(" ")
}
fn main() {
    let path = std::path::Path::new("/tmp/big/domains.yaml");
    let t = Instant::now();
    let text = std::fs::read_to_string(path).unwrap();
    println!("read {:?} {}", t.elapsed(), hwm());
    let t = Instant::now();
    let mut n = 0;
    let mut p = yaml_rust2::parser::Parser::new_from_str(&text);
    loop { let (e, _) = p.next_token().unwrap(); n += 1; if e == yaml_rust2::parser::Event::StreamEnd { break; } }
    println!("events only {n} {:?} {}", t.elapsed(), hwm());
    let t = Instant::now();
    let root = orchestrator::config::yaml::parse(&text).unwrap().unwrap();
    println!("tree {:?} {}", t.elapsed(), hwm());
    drop(root);
    let t = Instant::now();
    let c = orchestrator::config::from_str(path, &text).unwrap();
    println!("from_str {:?} {}", t.elapsed(), hwm());
    let t = Instant::now();
    let plan = orchestrator::plan::build(&c, &Default::default()).unwrap();
    println!("plan {:?} {}", t.elapsed(), hwm());
    let t = Instant::now();
    let m = orchestrator::matrix::for_plan(&plan, 256);
    println!("matrix {:?} {} {}", t.elapsed(), hwm(), m.len());
    println!("sizes node {} account {}", std::mem::size_of::<orchestrator::config::yaml::Node>(), std::mem::size_of::<orchestrator::config::Account>());
}
