//! The throwaway cluster is reachable only by the test process, sees none of its environment,
//! and is the only process the harness ever signals.

use std::{
    io::{BufRead, BufReader, Write},
    os::unix::fs::PermissionsExt,
    process::{Command, Stdio},
    time::Duration,
};

use postgres_store::harness::LocalCluster;
use sqlx::{Connection, PgConnection};

const SECRET: &str = "ES_HARNESS_TEST_SECRET";
const CHILD: &str = "child_starts_a_cluster_with_a_secret_in_its_environment";

fn start() -> LocalCluster {
    LocalCluster::start().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn cluster_directories_are_private() {
    let cluster = start();
    for dir in [cluster.dir().to_path_buf(), cluster.dir().join("sockets")] {
        let mode = std::fs::metadata(&dir)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(
            mode,
            0o700,
            "{} is mode {mode:o}; only the server's user may enter it",
            dir.display()
        );
    }
}

#[tokio::test]
async fn tcp_connections_need_the_random_password() {
    let cluster = tokio::task::spawn_blocking(start).await.expect("join");
    let url = cluster.tcp_url("postgres");
    let (userinfo, host) = url
        .strip_prefix("postgres://")
        .and_then(|rest| rest.split_once('@'))
        .expect("postgres://user:password@host/db");
    let password = userinfo
        .strip_prefix("postgres:")
        .expect("user postgres with a password");
    assert!(
        password.len() >= 32,
        "the password is too short to be random: {}",
        password.len()
    );
    let without = format!("postgres://postgres@{host}");
    assert!(
        PgConnection::connect(&without).await.is_err(),
        "TCP without the password was let in"
    );
    let wrong = format!("postgres://postgres:not-{password}@{host}");
    assert!(
        PgConnection::connect(&wrong).await.is_err(),
        "TCP with a wrong password was let in"
    );
    let admitted = PgConnection::connect(&url).await;
    assert!(
        admitted.is_ok(),
        "TCP with the cluster's password was refused: {admitted:?}"
    );
    assert!(
        !format!("{cluster:?}").contains(password),
        "Debug shows the password"
    );
}

#[test]
fn kill_signals_only_the_server_it_started() {
    let cluster = start();
    // A pid file that names another process (a stale file, or one written by someone else).
    let pid_file = cluster.dir().join("data.pid");
    let genuine = std::fs::read_to_string(&pid_file).expect("the server's pid file");
    std::fs::write(&pid_file, std::process::id().to_string()).expect("tamper");
    let refused = cluster.kill();
    assert!(
        matches!(&refused, Err(e) if e.to_string().contains("not the server this harness started")),
        "kill must refuse a process the harness did not start, got {refused:?}"
    );
    std::fs::write(&pid_file, genuine).expect("restore");
    assert!(cluster.postmaster_pid().is_ok());
}

#[test]
#[ignore = "helper: run in a child process by servers_see_none_of_the_callers_environment"]
fn child_starts_a_cluster_with_a_secret_in_its_environment() {
    assert!(std::env::var(SECRET).is_ok(), "the parent sets the secret");
    let cluster = start();
    let pid = cluster.postmaster_pid().expect("postmaster pid");
    println!("CLUSTER {pid}");
    std::io::stdout().flush().expect("flush");
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn servers_see_none_of_the_callers_environment() {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            CHILD,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SECRET, "hunter2-do-not-leak")
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
    let pid = line
        .split_once("CLUSTER ")
        .and_then(|(_, p)| p.trim().parse::<u32>().ok());
    let environ = pid.and_then(|pid| std::fs::read(format!("/proc/{pid}/environ")).ok());
    let _ = child.kill();
    let _ = child.wait();
    let environ = environ.expect("the postmaster's environment");
    let text = String::from_utf8_lossy(&environ);
    assert!(
        !text.contains(SECRET),
        "the server inherited the test process's environment: {text}"
    );
    assert!(
        !text.contains("hunter2"),
        "a secret of the test process reached the server"
    );
}
