//! One throwaway PostgreSQL cluster: initdb, start, psql, stop.

use crate::postgres_install::find_bin_dir;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Instant;
use tempfile::TempDir;

/// Why a sandbox operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The machine lacks something the sandbox needs.
    #[error("{0}")]
    Setup(String),
    /// A PostgreSQL program failed; the text holds its output.
    #[error("{0}")]
    Command(String),
    /// A local file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What we were doing.
        context: String,
        /// The OS error.
        source: std::io::Error,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SandboxError {
    let context = context.into();
    move |source| SandboxError::Io { context, source }
}

/// How to reach a cluster: a Unix socket for local work, TCP on 127.0.0.1 with
/// a password for anything that must cross a network stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAddress {
    /// Folder holding the server's Unix socket.
    pub socket_dir: PathBuf,
    /// Port of both the socket and the TCP listener.
    pub port: u16,
    /// Superuser name.
    pub user: String,
    /// Superuser password, needed over TCP only (the socket trusts local users).
    pub password: String,
    /// The CA that signed the server's TLS certificate (for `verify-ca`/`verify-full`).
    pub ca_file: PathBuf,
}

impl ClusterAddress {
    /// URL over the Unix socket, as the superuser, without a password.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{}@localhost:{}/{}?host={}",
            self.user,
            self.port,
            database,
            self.socket_dir.display()
        )
    }

    /// URL over TCP to 127.0.0.1, with the superuser's password.
    pub fn tcp_url(&self, database: &str) -> String {
        format!(
            "postgres://{}:{}@127.0.0.1:{}/{}",
            self.user, self.password, self.port, database
        )
    }

    /// Serializes the address for an environment variable.
    pub fn to_env_value(&self) -> String {
        format!(
            "socket_dir={};port={};user={};password={};ca_file={}",
            self.socket_dir.display(),
            self.port,
            self.user,
            self.password,
            self.ca_file.display()
        )
    }

    /// Parses what [`ClusterAddress::to_env_value`] wrote.
    pub fn from_env_value(value: &str) -> Result<Self, SandboxError> {
        let mut socket_dir = None;
        let mut port = None;
        let mut user = None;
        let mut password = None;
        let mut ca_file = None;
        for part in value.split(';') {
            match part.split_once('=') {
                Some(("socket_dir", v)) => socket_dir = Some(PathBuf::from(v)),
                Some(("port", v)) => port = v.parse().ok(),
                Some(("user", v)) => user = Some(v.to_owned()),
                Some(("password", v)) => password = Some(v.to_owned()),
                Some(("ca_file", v)) => ca_file = Some(PathBuf::from(v)),
                _ => {}
            }
        }
        match (socket_dir, port, user, password, ca_file) {
            (Some(socket_dir), Some(port), Some(user), Some(password), Some(ca_file)) => Ok(ClusterAddress {
                socket_dir,
                port,
                user,
                password,
                ca_file,
            }),
            _ => Err(SandboxError::Setup(format!("Malformed sandbox address: {value}"))),
        }
    }
}

/// A running PostgreSQL cluster in a temporary folder.
#[derive(Debug)]
pub struct Cluster {
    address: ClusterAddress,
    bin_dir: PathBuf,
    /// Set when we own the cluster: its folder, removed when this is dropped.
    _folder: Option<TempDir>,
    data_dir: Option<PathBuf>,
    run_as: Option<String>,
    watchdog: Option<Child>,
    server_version_num: OnceLock<u32>,
}

impl Cluster {
    /// Creates and starts a new cluster. It stops when dropped or when this
    /// process dies, whichever comes first.
    pub fn start() -> Result<Self, SandboxError> {
        let bin_dir = find_bin_dir()?;
        let run_as = if running_as_root() {
            Some("postgres".to_owned())
        } else {
            None
        };
        let root = tempfile::Builder::new()
            .prefix("fluxdesk-pg-")
            .tempdir()
            .map_err(io_error("Cannot create a temporary folder for PostgreSQL"))?;
        let root_path = root.path().to_path_buf();
        let data_dir = root_path.join("data");
        let password = uuid::Uuid::new_v4().simple().to_string();
        let password_file = root_path.join("superuser-password");
        std::fs::write(&password_file, format!("{password}\n"))
            .map_err(io_error("Cannot write the superuser password file"))?;
        crate::certificates::write_certificates(&root_path)?;
        if let Some(user) = &run_as {
            run(Command::new("chown")
                .arg("-R")
                .arg(format!("{user}:{user}"))
                .arg(&root_path))?;
        }

        let started = Instant::now();
        let mut cluster = Cluster {
            address: ClusterAddress {
                socket_dir: root_path.clone(),
                port: 0,
                user: "postgres".to_owned(),
                password,
                ca_file: root_path.join(crate::certificates::CA_FILE),
            },
            bin_dir,
            _folder: Some(root),
            data_dir: Some(data_dir.clone()),
            run_as,
            watchdog: None,
            server_version_num: OnceLock::new(),
        };
        run(cluster
            .pg_command("initdb")
            .arg("-D")
            .arg(&data_dir)
            .args(["-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", password_file.display())))?;

        // The port is picked by binding and releasing it; retry if another
        // process grabs it in between.
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            match cluster.start_server(port) {
                Ok(()) => {
                    cluster.address.port = port;
                    last_error = None;
                    break;
                }
                Err(error) => last_error = Some(error),
            }
        }
        if let Some(error) = last_error {
            return Err(error);
        }
        cluster.watchdog = cluster.spawn_watchdog().ok();
        eprintln!(
            "fluxdesk-sandbox: PostgreSQL cluster on port {} ready in {:.2} s",
            cluster.address.port,
            started.elapsed().as_secs_f64()
        );
        Ok(cluster)
    }

    /// Uses a cluster somebody else started and will stop.
    pub fn attach(address: ClusterAddress) -> Result<Self, SandboxError> {
        Ok(Cluster {
            address,
            bin_dir: find_bin_dir()?,
            _folder: None,
            data_dir: None,
            run_as: None,
            watchdog: None,
            server_version_num: OnceLock::new(),
        })
    }

    fn start_server(&self, port: u16) -> Result<(), SandboxError> {
        let root = self.address.socket_dir.clone();
        // pg_stat_statements is preloaded, as on a monitored server; tests
        // create the extension in the databases that need it.
        let settings = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB \
             -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
             -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}",
            root.display(),
            cert = root.join(crate::certificates::SERVER_CERT_FILE).display(),
            key = root.join(crate::certificates::SERVER_KEY_FILE).display(),
        );
        let data_dir = self.data_dir.clone().expect("only owned clusters are started");
        run(self
            .pg_command("pg_ctl")
            .arg("-D")
            .arg(&data_dir)
            .arg("-l")
            .arg(root.join("postgres.log"))
            .args(["-w", "-t", "60", "-o", &settings, "start"]))
        .map_err(|error| {
            let log = std::fs::read_to_string(root.join("postgres.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            SandboxError::Command(format!("{error}\nserver log:\n{}", tail.join("\n")))
        })
        .map(drop)
    }

    /// Stops the server now if we own it. Safe to call twice.
    pub fn stop(&mut self) {
        if let Some(data_dir) = self.data_dir.take() {
            let _ = self
                .pg_command("pg_ctl")
                .arg("-D")
                .arg(&data_dir)
                .args(["-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }

    /// A watchdog outliving us in its own session: once this process is gone,
    /// it stops the server and removes the folder.
    fn spawn_watchdog(&self) -> Result<Child, SandboxError> {
        let data_dir = self.data_dir.as_ref().expect("owned cluster");
        let pg_ctl = self.bin_dir.join("pg_ctl");
        let stop = match &self.run_as {
            Some(user) => format!(
                "runuser -u {user} -- '{}' -D '{}' -m immediate -w stop",
                pg_ctl.display(),
                data_dir.display()
            ),
            None => format!(
                "'{}' -D '{}' -m immediate -w stop",
                pg_ctl.display(),
                data_dir.display()
            ),
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{root}'",
            pid = std::process::id(),
            root = self.address.socket_dir.display()
        );
        let mut command = if Path::new("/usr/bin/setsid").exists() {
            let mut command = Command::new("/usr/bin/setsid");
            command.arg("sh");
            command
        } else {
            Command::new("sh")
        };
        command
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io_error("Cannot start the cluster watchdog"))
    }

    /// How to reach the cluster.
    pub fn address(&self) -> &ClusterAddress {
        &self.address
    }

    /// A psql command for `database` over the Unix socket, unaligned and
    /// tuples-only, reading SQL from stdin: for baselines that keep one psql
    /// session open.
    pub fn psql_session(&self, database: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join("psql"));
        command
            .args(["-X", "-q", "-A", "-t", "-f", "-"])
            .arg("-d")
            .arg(database)
            .env("PGHOST", &self.address.socket_dir)
            .env("PGPORT", self.address.port.to_string())
            .env("PGUSER", &self.address.user)
            .env("PGAPPNAME", "fluxdesk-baseline");
        command
    }

    /// Runs SQL (one or many statements) with psql against `database`,
    /// stopping at the first error. Returns psql's output.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, SandboxError> {
        let mut child = Command::new(self.bin_dir.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg("-d")
            .arg(database)
            .env("PGHOST", &self.address.socket_dir)
            .env("PGPORT", self.address.port.to_string())
            .env("PGUSER", &self.address.user)
            .env("PGAPPNAME", "fluxdesk-sandbox")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io_error("Cannot run psql"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(sql.as_bytes())
                .map_err(io_error("Cannot send SQL to psql"))?;
        }
        let output = child
            .wait_with_output()
            .map_err(io_error("psql did not finish"))?;
        check(output, "psql").map(|stdout| stdout.trim().to_owned())
    }

    /// Creates database `name`, optionally as a copy of `template`.
    pub fn create_database(&self, name: &str, template: Option<&str>) -> Result<(), SandboxError> {
        let sql = match template {
            // FILE_COPY copies the files instead of WAL-logging every block:
            // much faster for a template holding a million rows. PostgreSQL
            // 14 has no STRATEGY clause and always copies files.
            Some(template) => format!(
                "CREATE DATABASE {} TEMPLATE {}{}",
                quote(name),
                quote(template),
                if self.server_version_num()? >= 150_000 {
                    " STRATEGY FILE_COPY"
                } else {
                    ""
                }
            ),
            None => format!("CREATE DATABASE {}", quote(name)),
        };
        self.psql("postgres", &sql).map(drop)
    }

    /// Drops every database whose name starts with `prefix`, ending the
    /// sessions still connected to them; returns how many.
    pub fn drop_databases_named(&self, prefix: &str) -> Result<usize, SandboxError> {
        let pattern = prefix.replace('_', "\\_");
        let names = self.psql(
            "postgres",
            &format!("SELECT datname FROM pg_database WHERE datname LIKE '{pattern}%'"),
        )?;
        let names: Vec<&str> = names
            .lines()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect();
        for name in &names {
            self.psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote(name)),
            )?;
        }
        Ok(names.len())
    }

    /// The server's version as a number, e.g. 150018 for 15.18.
    pub fn server_version_num(&self) -> Result<u32, SandboxError> {
        if let Some(version) = self.server_version_num.get() {
            return Ok(*version);
        }
        let text = self.psql("postgres", "SHOW server_version_num")?;
        let version = text
            .parse()
            .map_err(|_| SandboxError::Command(format!("Unexpected server_version_num: {text}")))?;
        Ok(*self.server_version_num.get_or_init(|| version))
    }

    /// Whether database `name` exists.
    pub fn database_exists(&self, name: &str) -> Result<bool, SandboxError> {
        let sql = format!(
            "SELECT count(*) FROM pg_database WHERE datname = '{}'",
            name.replace('\'', "''")
        );
        Ok(self.psql("postgres", &sql)? == "1")
    }

    fn pg_command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(path);
                command
            }
            None => Command::new(path),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16, SandboxError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io_error("Cannot find a free TCP port"))?;
    let port = listener
        .local_addr()
        .map_err(io_error("Cannot read the free port"))?
        .port();
    Ok(port)
}

fn run(command: &mut Command) -> Result<String, SandboxError> {
    let program = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(io_error(format!("Cannot run {program}")))?;
    check(output, &program)
}

fn check(output: Output, program: &str) -> Result<String, SandboxError> {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(SandboxError::Command(format!(
            "{program} failed ({}):\n{}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}
