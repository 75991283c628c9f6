//! The throwaway cluster goes away with its process, even when the process is SIGKILLed.

use std::{
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use postgres_store::harness::LocalCluster;

const CHILD: &str = "child_starts_a_cluster_and_waits_to_be_killed";

#[test]
#[ignore = "helper: run in a child process by sigkilled_process_leaves_no_server_or_directory"]
fn child_starts_a_cluster_and_waits_to_be_killed() {
    let cluster = LocalCluster::start().unwrap_or_else(|e| panic!("{e}"));
    let pid = cluster.postmaster_pid().expect("postmaster pid");
    println!("CLUSTER {pid} {}", cluster.dir().display());
    std::io::stdout().flush().expect("flush");
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn sigkilled_process_leaves_no_server_or_directory() {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            CHILD,
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child test process");
    let stdout = child.stdout.take().expect("child stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|line| line.contains("CLUSTER "));
    let Some(line) = line else {
        let _ = child.kill();
        panic!("the child test process did not report its cluster");
    };
    // libtest prints the test's name on the same line first.
    let (_, reported) = line.split_once("CLUSTER ").expect("marker");
    let mut fields = reported.split_whitespace();
    let pid: u32 = fields.next().and_then(|p| p.parse().ok()).expect("pid");
    let dir = PathBuf::from(fields.next().expect("dir"));
    let proc_entry = PathBuf::from(format!("/proc/{pid}"));
    assert!(
        dir.is_dir() && proc_entry.exists(),
        "the cluster runs before the kill"
    );

    child.kill().expect("SIGKILL the child"); // std's kill is SIGKILL
    child.wait().expect("reap the child");

    let deadline = Instant::now() + Duration::from_secs(20);
    while (dir.exists() || proc_entry.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !proc_entry.exists(),
        "postmaster {pid} outlived its SIGKILLed test process"
    );
    assert!(
        !dir.exists(),
        "{} outlived its SIGKILLed test process",
        dir.display()
    );
}
