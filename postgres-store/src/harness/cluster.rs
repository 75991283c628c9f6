//! A throwaway PostgreSQL cluster from the binaries on this machine, optionally with a hot
//! standby streaming from it.
//!
//! Only the test process can reach it: connections go through a socket directory that only the
//! server's user (and root) can enter, and TCP, on loopback, takes a random password. Its
//! programs run with a cleared environment, so nothing of the test process (CI secrets
//! included) leaks into them.
//!
//! Cleanup does not depend on this process ending well: a tiny supervisor (`sh`) is started
//! first, with its stdin a pipe held by this process. When the pipe closes (normal exit, panic,
//! SIGKILL: the kernel closes our descriptors in every case) the supervisor stops the servers it
//! started (by the process ids it got when it started them, never from a `postmaster.pid` that
//! could name any process) and removes the whole directory. It runs in its own process group, so
//! a Ctrl-C aimed at the test run does not kill it before it has cleaned up.

use std::{
    fmt, fs,
    io::{Read, Write},
    net::TcpListener,
    os::unix::{
        fs::{MetadataExt, PermissionsExt},
        process::CommandExt,
    },
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use super::HarnessError;

/// What the supervisor runs. `$1` the cluster directory, `$2` the `postgres` binary. Each
/// `start <name>` line on stdin starts the server of data directory `$1/<name>` as a child of
/// this shell (so it is reaped here, never left a zombie of an absent init), logging to
/// `$1/<name>.log`, and writes its process id to `$1/<name>.pid`. End of input (the test process
/// is gone, however it ended) stops every server it started with an immediate shutdown, reaps
/// them and removes the directory.
const SUPERVISOR: &str = r#"
pids=""
while read -r command name; do
    if [ "$command" = start ]; then
        "$2" -D "$1/$name" >>"$1/$name.log" 2>&1 </dev/null &
        echo "$!" >"$1/$name.pid"
        pids="$pids $!"
    fi
done
for pid in $pids; do kill -QUIT "$pid" 2>/dev/null; done
i=0
while [ "$i" -lt 100 ]; do
    alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
    i=$((i + 1))
done
for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
wait
rm -rf "$1"
"#;

/// The data directory (and log and pid file) names of the two servers.
const PRIMARY: &str = "data";
const STANDBY: &str = "standby";

/// A PostgreSQL cluster in a private temporary directory, on a free loopback port, with its log
/// in a file; optionally with a hot standby streaming from it. Dropping it (or this process
/// ending in any way) stops the servers and removes the directory.
///
/// ```no_run
/// use postgres_store::harness::LocalCluster;
///
/// let cluster = LocalCluster::start()?;
/// println!("connect to {}", cluster.url("postgres"));
/// # Ok::<(), postgres_store::harness::HarnessError>(())
/// ```
pub struct LocalCluster {
    dir: PathBuf,
    sockets: PathBuf,
    bindir: PathBuf,
    port: u16,
    standby_port: Option<u16>,
    /// Of the `postgres` user, on TCP connections; never printed.
    password: String,
    /// The unprivileged user the servers run as when we are root.
    user: Option<(u32, u32)>,
    supervisor: Option<Child>,
}

impl fmt::Debug for LocalCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCluster")
            .field("dir", &self.dir)
            .field("port", &self.port)
            .field("standby_port", &self.standby_port)
            .field("password", &"***")
            .finish_non_exhaustive()
    }
}

/// How a cluster is set up.
#[derive(Clone, Copy)]
struct Setup {
    /// PostgreSQL's durable defaults (fsync on) rather than the fast test settings.
    durable: bool,
    /// A hot standby streaming from the primary.
    standby: bool,
}

impl LocalCluster {
    /// Starts a cluster tuned for tests: no fsync (fast, and nothing survives it anyway).
    pub fn start() -> Result<Self, HarnessError> {
        Self::start_with(Setup {
            durable: false,
            standby: false,
        })
    }

    /// Starts a cluster with PostgreSQL's durable defaults (fsync on), for crash tests and
    /// benchmarks.
    pub fn start_durable() -> Result<Self, HarnessError> {
        Self::start_with(Setup {
            durable: true,
            standby: false,
        })
    }

    /// Starts a test cluster and a hot standby streaming from it (on its own port), for
    /// readers on a replica. Databases created on the primary appear on the standby once it
    /// has replayed them.
    pub fn start_with_standby() -> Result<Self, HarnessError> {
        Self::start_with(Setup {
            durable: false,
            standby: true,
        })
    }

    fn start_with(setup: Setup) -> Result<Self, HarnessError> {
        let bindir = find_bindir()?;
        let user = unprivileged_user()?;
        let dir = std::env::temp_dir().join(format!(
            "es-postgres-{}-{}",
            std::process::id(),
            unique_suffix()
        ));
        private_dir(&dir, user)?;
        let sockets = dir.join("sockets");
        let mut supervisor = command("sh", user);
        supervisor
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("es-postgres-supervisor")
            .arg(&dir)
            .arg(bindir.join("postgres"))
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
            sockets,
            bindir,
            port: 0,
            standby_port: None,
            password: random_password()?,
            user,
            supervisor: Some(supervisor),
        };
        private_dir(&cluster.sockets, user)?;
        cluster.init(setup)?;
        cluster.start_server()?;
        if setup.standby {
            cluster.start_standby()?;
        }
        Ok(cluster)
    }

    /// `initdb` with trust on the private socket and a random password on TCP, then the
    /// harness's settings.
    fn init(&mut self, setup: Setup) -> Result<(), HarnessError> {
        let pwfile = self.dir.join("pwfile");
        write_private(&pwfile, self.password.as_bytes(), self.user)?;
        let data = self.dir.join(PRIMARY);
        let initdb = self.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "--auth-local=trust".as_ref(),
                "--auth-host=scram-sha-256".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        );
        let _ = fs::remove_file(&pwfile);
        initdb?;
        self.port = free_port()?;
        let mut settings = format!(
            "\n# es-postgres harness\nport = {}\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\nunix_socket_permissions = 0700\n\
             max_connections = 300\nshared_buffers = 64MB\nlogging_collector = off\n",
            self.port,
            self.sockets.display()
        );
        if !setup.durable {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        if setup.standby {
            settings.push_str("wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n");
        }
        append_to(&data.join("postgresql.conf"), &settings)
    }

    /// A base backup of the running primary as a streaming hot standby on its own port.
    fn start_standby(&mut self) -> Result<(), HarnessError> {
        let standby = self.dir.join(STANDBY);
        let port = self.port.to_string();
        self.run(
            "pg_basebackup",
            &[
                "-D".as_ref(),
                standby.as_os_str(),
                "-h".as_ref(),
                self.sockets.as_os_str(),
                "-p".as_ref(),
                port.as_ref(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-R".as_ref(),
                "-X".as_ref(),
                "stream".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        let standby_port = free_port()?;
        append_to(
            &standby.join("postgresql.conf"),
            &format!("\n# es-postgres harness standby\nport = {standby_port}\n"),
        )?;
        self.standby_port = Some(standby_port);
        self.launch(STANDBY, standby_port)
    }

    /// (Re)starts the primary on the existing data directory and waits until it accepts
    /// connections, e.g. after [`kill`](Self::kill). Asks again every few seconds, since
    /// backends of a killed postmaster may hold its shared memory for a moment.
    pub fn start_server(&mut self) -> Result<(), HarnessError> {
        self.launch(PRIMARY, self.port)
    }

    fn launch(&mut self, name: &str, port: u16) -> Result<(), HarnessError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.tell_supervisor(&format!("start {name}"))?;
            let asked = Instant::now();
            while asked.elapsed() < Duration::from_secs(3) {
                if self.is_ready(port) {
                    return Ok(());
                }
                thread::sleep(Duration::from_millis(50));
            }
            if Instant::now() >= deadline {
                return Err(HarnessError::Cluster(format!(
                    "the server {name} did not accept connections within a minute; its log {}:\n{}",
                    self.log_path_of(name).display(),
                    self.log_tail(name)
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

    fn is_ready(&self, port: u16) -> bool {
        self.command_in_cluster("pg_isready")
            .args(["-q", "-t", "1", "-U", "postgres", "-h"])
            .arg(&self.sockets)
            .arg("-p")
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    fn log_path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }

    fn log_tail(&self, name: &str) -> String {
        fs::read_to_string(self.log_path_of(name))
            .map(|log| {
                let lines: Vec<&str> = log.lines().collect();
                lines[lines.len().saturating_sub(20)..].join("\n")
            })
            .unwrap_or_default()
    }

    /// Kills the primary's postmaster with SIGKILL, as a crash would; its backends notice and
    /// exit. Only the process the supervisor started is signalled.
    pub fn kill(&self) -> Result<(), HarnessError> {
        let pid = self.postmaster_pid()?;
        let status = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .env_clear()
            .env("PATH", SAFE_PATH)
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

    /// Stops the primary cleanly (a fast shutdown of the process the supervisor started) and
    /// waits until it is gone; [`start_server`](Self::start_server) brings it back.
    pub fn stop_server(&self) -> Result<(), HarnessError> {
        let pid = self.postmaster_pid()?;
        let status = Command::new("kill")
            .arg("-INT")
            .arg(pid.to_string())
            .env_clear()
            .env("PATH", SAFE_PATH)
            .status()
            .map_err(|e| cluster_error(&self.dir, "cannot run kill", e))?;
        if !status.success() {
            return Err(HarnessError::Cluster(format!(
                "kill -INT {pid} failed ({status})"
            )));
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while is_running(pid) {
            if Instant::now() > deadline {
                return Err(HarnessError::Cluster(format!(
                    "the server {pid} did not stop within 30 s"
                )));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Sets the primary's transaction id epoch (`pg_resetwal --epoch`, server stopped): the
    /// 64-bit transaction ids then start at `epoch << 32`. For tests of what happens when a
    /// cluster's transaction ids are very large.
    pub fn set_xid_epoch(&self, epoch: u32) -> Result<(), HarnessError> {
        let data = self.dir.join(PRIMARY);
        let epoch = epoch.to_string();
        self.run(
            "pg_resetwal",
            &[
                "-e".as_ref(),
                epoch.as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
            ],
        )
    }

    /// The primary's postmaster process id: the one the supervisor started, checked to be its
    /// child (a stale or foreign id is refused rather than signalled).
    pub fn postmaster_pid(&self) -> Result<u32, HarnessError> {
        let text = fs::read_to_string(self.dir.join(format!("{PRIMARY}.pid")))
            .map_err(|e| cluster_error(&self.dir, "cannot read the server's process id", e))?;
        let pid: u32 = text.trim().parse().map_err(|_| {
            HarnessError::Cluster("the server's pid file holds no process id".into())
        })?;
        let supervisor = self
            .supervisor
            .as_ref()
            .map(Child::id)
            .ok_or_else(|| HarnessError::Cluster("the supervisor is gone".into()))?;
        if parent_of(pid) != Some(supervisor) {
            return Err(HarnessError::Cluster(format!(
                "process {pid} is not the server this harness started (its parent is not the supervisor {supervisor}); not signalling it"
            )));
        }
        Ok(pid)
    }

    /// The url of `database` on the primary: through the private socket directory.
    pub fn url(&self, database: &str) -> String {
        socket_url(&self.sockets, self.port, database)
    }

    /// The url of `database` on the hot standby, when the cluster has one.
    pub fn standby_url(&self, database: &str) -> Option<String> {
        self.standby_port
            .map(|port| socket_url(&self.sockets, port, database))
    }

    /// The url of `database` on the primary over TCP on loopback, with the cluster's random
    /// password in it (for tools that do not speak to sockets; do not log it).
    pub fn tcp_url(&self, database: &str) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/{database}",
            self.password, self.port
        )
    }

    /// The directory holding data, sockets and logs; removed when the cluster goes.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The primary's log file.
    pub fn log_path(&self) -> PathBuf {
        self.log_path_of(PRIMARY)
    }

    fn command_in_cluster(&self, program: &str) -> Command {
        let mut command = command(self.bindir.join(program), self.user);
        command.current_dir(&self.dir);
        command
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<(), HarnessError> {
        let output = self
            .command_in_cluster(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| cluster_error(&self.dir, &format!("cannot run {program}"), e))?;
        if output.status.success() {
            return Ok(());
        }
        Err(HarnessError::Cluster(format!(
            "{program} failed ({}): {}{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim(),
            self.log_tail(PRIMARY)
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

/// The PATH the harness's programs get: the system's own directories, nothing of the caller's.
const SAFE_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// A command with a cleared environment (PATH, locale and HOME only), run as `user` when given.
fn command(program: impl AsRef<std::ffi::OsStr>, user: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(program);
    command
        .env_clear()
        .env("PATH", SAFE_PATH)
        .env("LC_ALL", "C")
        .env("HOME", "/tmp");
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid);
    }
    command
}

/// A url through the socket directory `sockets` for the server on `port`.
fn socket_url(sockets: &Path, port: u16, database: &str) -> String {
    format!(
        "postgres://postgres@localhost/{database}?host={}&port={port}",
        sockets.display()
    )
}

/// Creates `dir` readable by its owner only (the server's user when we are root).
fn private_dir(dir: &Path, user: Option<(u32, u32)>) -> Result<(), HarnessError> {
    fs::create_dir(dir).map_err(|e| cluster_error(dir, "cannot create the directory", e))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| cluster_error(dir, "cannot make the directory private", e))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(dir, Some(uid), Some(gid))
            .map_err(|e| cluster_error(dir, "cannot hand the directory to postgres", e))?;
    }
    Ok(())
}

/// Writes `bytes` to a new file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8], user: Option<(u32, u32)>) -> Result<(), HarnessError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode_private()
        .open(path)
        .map_err(|e| cluster_error(path, "cannot create a private file", e))?;
    file.write_all(bytes)
        .map_err(|e| cluster_error(path, "cannot write a private file", e))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| cluster_error(path, "cannot hand a file to postgres", e))?;
    }
    Ok(())
}

/// `OpenOptions::mode(0o600)` under a name that says why.
trait PrivateMode {
    fn mode_private(&mut self) -> &mut Self;
}

impl PrivateMode for fs::OpenOptions {
    fn mode_private(&mut self) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(self, 0o600)
    }
}

fn append_to(path: &Path, text: &str) -> Result<(), HarnessError> {
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| cluster_error(path, "cannot write the server's settings", e))
}

/// 32 hex characters from the kernel's random source.
fn random_password() -> Result<String, HarnessError> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            HarnessError::Cluster(format!("cannot read /dev/urandom for a password: {e}"))
        })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The state and parent process id of `pid`, from `/proc`.
fn stat_of(pid: u32) -> Option<(char, u32)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: parse after it.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((state, parent))
}

/// The parent process id of `pid`.
fn parent_of(pid: u32) -> Option<u32> {
    stat_of(pid).map(|(_, parent)| parent)
}

/// Whether `pid` runs (exists and is not a zombie waiting for the supervisor to reap it).
fn is_running(pid: u32) -> bool {
    stat_of(pid).is_some_and(|(state, _)| state != 'Z')
}

/// The directory with `initdb`, `postgres`, `pg_isready` and `pg_basebackup`: where the
/// `initdb` found on PATH really lives (distributions link a few binaries into /usr/bin or
/// /usr/local/bin), else `pg_config --bindir`.
pub(crate) fn find_bindir() -> Result<PathBuf, HarnessError> {
    let complete = |dir: &Path| {
        [
            "initdb",
            "postgres",
            "pg_isready",
            "pg_basebackup",
            "pg_resetwal",
        ]
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
        .env_clear()
        .env("PATH", SAFE_PATH)
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
