//! A throwaway PostgreSQL cluster from the binaries on this machine.
//!
//! Cleanup does not depend on this process ending well: a tiny supervisor (`sh`) is started
//! first, with its stdin a pipe held by this process. When the pipe closes (normal exit, panic,
//! SIGKILL: the kernel closes our descriptors in every case) the supervisor stops the postmaster
//! with an immediate shutdown and removes the whole directory. It runs in its own process
//! group, so a Ctrl-C aimed at the test run does not kill it before it has cleaned up.

use std::{
    fs,
    io::Write,
    net::TcpListener,
    os::unix::{fs::MetadataExt, process::CommandExt},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use super::HarnessError;

/// What the supervisor runs. `$1` the cluster directory, `$2` its data directory, `$3` the
/// `postgres` binary, `$4` the log file. Each `start` line on stdin starts the server as a
/// child of this shell (so it is reaped here, never left a zombie of an absent init); end of
/// input (the test process is gone, however it ended) stops it with an immediate shutdown,
/// reaps it and removes the directory.
const SUPERVISOR: &str = r#"
while read -r command; do
    if [ "$command" = start ]; then
        "$3" -D "$2" >>"$4" 2>&1 </dev/null &
    fi
done
if [ -f "$2/postmaster.pid" ]; then
    pid=$(head -n 1 "$2/postmaster.pid")
    kill -QUIT "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null
fi
wait
rm -rf "$1"
"#;

/// A PostgreSQL cluster in a temporary directory, on a free loopback port, with a private
/// socket directory and its log in a file. Dropping it (or this process ending in any way)
/// stops the server and removes the directory.
///
/// ```no_run
/// use postgres_store::harness::LocalCluster;
///
/// let cluster = LocalCluster::start()?;
/// println!("connect to {}", cluster.url("postgres"));
/// # Ok::<(), postgres_store::harness::HarnessError>(())
/// ```
#[derive(Debug)]
pub struct LocalCluster {
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    bindir: PathBuf,
    port: u16,
    /// The unprivileged user the server runs as when we are root.
    user: Option<(u32, u32)>,
    supervisor: Option<Child>,
}

impl LocalCluster {
    /// Starts a cluster tuned for tests: no fsync (fast, and nothing survives it anyway).
    pub fn start() -> Result<Self, HarnessError> {
        Self::start_with(false)
    }

    /// Starts a cluster with PostgreSQL's durable defaults (fsync on), for crash tests.
    pub fn start_durable() -> Result<Self, HarnessError> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Self, HarnessError> {
        let bindir = find_bindir()?;
        let user = unprivileged_user()?;
        let dir = std::env::temp_dir().join(format!(
            "es-postgres-{}-{}",
            std::process::id(),
            unique_suffix()
        ));
        fs::create_dir(&dir).map_err(|e| cluster_error(&dir, "cannot create the directory", e))?;
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| cluster_error(&dir, "cannot hand the directory to postgres", e))?;
        }
        let data = dir.join("data");
        let sockets = dir.join("sockets");
        let log = dir.join("postgres.log");
        let mut supervisor = command("sh", user);
        supervisor
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("es-postgres-supervisor")
            .arg(&dir)
            .arg(&data)
            .arg(bindir.join("postgres"))
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let supervisor = supervisor
            .spawn()
            .map_err(|e| cluster_error(&dir, "cannot start the cleanup supervisor", e))?;
        // From here on, dropping `cluster` (also on an early error return) cleans up.
        let mut cluster = Self {
            dir,
            data,
            log,
            bindir,
            port: 0,
            user,
            supervisor: Some(supervisor),
        };
        fs::create_dir(&sockets)
            .map_err(|e| cluster_error(&cluster.dir, "cannot create the socket directory", e))?;
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&sockets, Some(uid), Some(gid))
                .map_err(|e| cluster_error(&cluster.dir, "cannot hand sockets to postgres", e))?;
        }
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                cluster.data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        )?;
        cluster.port = free_port()?;
        let mut settings = format!(
            "\n# es-postgres harness\nport = {}\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\nmax_connections = 300\nshared_buffers = 64MB\n\
             logging_collector = off\n",
            cluster.port,
            sockets.display()
        );
        if !durable {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        fs::OpenOptions::new()
            .append(true)
            .open(cluster.data.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(settings.as_bytes()))
            .map_err(|e| cluster_error(&cluster.dir, "cannot write postgresql.conf", e))?;
        cluster.start_server()?;
        Ok(cluster)
    }

    /// (Re)starts the server on the existing data directory and waits until it accepts
    /// connections, e.g. after [`kill`](Self::kill). Asks again every few seconds, since
    /// backends of a killed postmaster may hold its shared memory for a moment.
    pub fn start_server(&mut self) -> Result<(), HarnessError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.tell_supervisor("start")?;
            let asked = Instant::now();
            while asked.elapsed() < Duration::from_secs(3) {
                if self.is_ready() {
                    return Ok(());
                }
                thread::sleep(Duration::from_millis(50));
            }
            if Instant::now() >= deadline {
                return Err(HarnessError::Cluster(format!(
                    "the server did not accept connections within a minute; its log {}:\n{}",
                    self.log.display(),
                    self.log_tail()
                )));
            }
        }
    }

    fn tell_supervisor(&mut self, command: &str) -> Result<(), HarnessError> {
        let stdin = self
            .supervisor
            .as_mut()
            .and_then(|s| s.stdin.as_mut())
            .ok_or_else(|| HarnessError::Cluster("the supervisor is gone".into()))?;
        writeln!(stdin, "{command}")
            .and_then(|()| stdin.flush())
            .map_err(|e| cluster_error(&self.dir, "cannot talk to the supervisor", e))
    }

    fn is_ready(&self) -> bool {
        Command::new(self.bindir.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-t", "1", "-U", "postgres", "-p"])
            .arg(self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn log_tail(&self) -> String {
        fs::read_to_string(&self.log)
            .map(|log| {
                let lines: Vec<&str> = log.lines().collect();
                lines[lines.len().saturating_sub(20)..].join("\n")
            })
            .unwrap_or_default()
    }

    /// Kills the postmaster with SIGKILL, as a crash would; its backends notice and exit.
    pub fn kill(&self) -> Result<(), HarnessError> {
        let pid = self.postmaster_pid()?;
        let status = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status()
            .map_err(|e| cluster_error(&self.dir, "cannot run kill", e))?;
        if status.success() {
            Ok(())
        } else {
            Err(HarnessError::Cluster(format!(
                "kill -KILL {pid} failed ({status})"
            )))
        }
    }

    /// The postmaster's process id, from `postmaster.pid`.
    pub fn postmaster_pid(&self) -> Result<u32, HarnessError> {
        let text = fs::read_to_string(self.data.join("postmaster.pid"))
            .map_err(|e| cluster_error(&self.dir, "cannot read postmaster.pid", e))?;
        text.lines()
            .next()
            .and_then(|line| line.trim().parse().ok())
            .ok_or_else(|| HarnessError::Cluster("postmaster.pid holds no process id".into()))
    }

    /// The url of `database` on this cluster (user `postgres`, trust authentication).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The directory holding data, sockets and log; removed when the cluster goes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The server's log file.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<(), HarnessError> {
        let output = command(self.bindir.join(program), self.user)
            .args(args)
            .current_dir(&self.dir)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| cluster_error(&self.dir, &format!("cannot run {program}"), e))?;
        if output.status.success() {
            return Ok(());
        }
        let log_tail = self.log_tail();
        Err(HarnessError::Cluster(format!(
            "{program} failed ({}): {}{}\n{log_tail}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim(),
        )))
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        if let Some(mut supervisor) = self.supervisor.take() {
            // Closing its stdin is the signal; wait so the cleanup is done when drop returns.
            drop(supervisor.stdin.take());
            let _ = supervisor.wait();
        }
    }
}

fn command(program: impl AsRef<std::ffi::OsStr>, user: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(program);
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid).env("HOME", "/tmp");
    }
    command
}

/// The directory with `initdb`, `postgres` and `pg_isready`: where the `initdb` found on PATH
/// really lives (distributions link a few binaries into /usr/bin or /usr/local/bin), else
/// `pg_config --bindir`.
pub(crate) fn find_bindir() -> Result<PathBuf, HarnessError> {
    let complete = |dir: &Path| {
        ["initdb", "postgres", "pg_isready"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let from_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("initdb"))
        .filter(|initdb| initdb.is_file())
        .filter_map(|initdb| fs::canonicalize(initdb).ok())
        .filter_map(|initdb| initdb.parent().map(Path::to_path_buf))
        .find(|dir| complete(dir));
    if let Some(dir) = from_path {
        return Ok(dir);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| complete(dir));
    from_pg_config.ok_or(HarnessError::NoBinaries)
}

/// PostgreSQL refuses to run as root: then use the `postgres` user (uid, gid).
fn unprivileged_user() -> Result<Option<(u32, u32)>, HarnessError> {
    // /proc/self belongs to the process's effective user; no unsafe `geteuid` needed.
    let euid = fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1);
    if euid != 0 {
        return Ok(None);
    }
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&"postgres") && fields.len() > 3)
        .and_then(|fields| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
        .map(Some)
        .ok_or_else(|| {
            HarnessError::Cluster(
                "running as root, and PostgreSQL refuses to run as root, but there is no \
                 `postgres` user to run it as; create one (useradd --system postgres) or run \
                 the tests as an ordinary user"
                    .into(),
            )
        })
}

fn free_port() -> Result<u16, HarnessError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| HarnessError::Cluster(format!("cannot find a free loopback port: {e}")))
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos:x}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn cluster_error(dir: &Path, what: &str, error: std::io::Error) -> HarnessError {
    HarnessError::Cluster(format!("{what} ({}): {error}", dir.display()))
}
