//! The `confab` binary as an operator runs it: start-up messages, bad configuration, SIGTERM.
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    time::Duration,
};

fn confab(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confab"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CONFAB_DATA_DIR", data_dir)
        .env("CONFAB_LISTEN", "127.0.0.1:0")
        .env("CONFAB_LOG", "info")
        .current_dir(data_dir);
    cmd
}

#[test]
fn a_bad_variable_stops_start_up_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = confab(dir.path()).env("CONFAB_LISTEN", "not-an-address").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("CONFAB_LISTEN"), "{stderr}");
}

#[test]
fn help_and_a_mistyped_command_answer_without_starting_or_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let help = confab(dir.path()).args(["seed", "--help"]).output().unwrap();
    assert!(help.status.success());
    let usage = String::from_utf8_lossy(&help.stdout);
    for command in ["confab seed", "confab migrate-to-postgres", "CONFAB_"] {
        assert!(usage.contains(command), "{command}: {usage}");
    }
    let mistyped = confab(dir.path()).arg("sede").output().unwrap();
    assert_eq!(mistyped.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mistyped.stderr).contains("unknown command `sede`"));
    let bad_option = confab(dir.path()).args(["seed", "--mesages", "5"]).output().unwrap();
    assert_eq!(bad_option.status.code(), Some(2));
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing was written in the data directory");
}

/// Starts `confab` on the database at `url`, which must stop it: its exit code and stderr.
fn refused_start(url: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let output = confab(dir.path()).env("CONFAB_DATABASE_URL", url).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(8), "start-up took {:?} to give up", started.elapsed());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("s3cret"), "the password is not repeated: {stderr}");
    (output.status.code(), stderr)
}

#[test]
fn a_refused_postgres_connection_stops_start_up_at_once_saying_where_and_what_to_do() {
    let (code, stderr) = refused_start("postgres://confab:s3cret@127.0.0.1:1/chat");
    assert_eq!(code, Some(1), "{stderr}");
    for part in ["127.0.0.1:1", "database `chat`", "connection refused", "scripts/setup.sh --postgres"] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
}

#[test]
fn a_malformed_postgres_url_is_a_configuration_error() {
    let (code, stderr) = refused_start("postgres://confab:s3cret@127.0.0.1:port/chat");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("CONFAB_DATABASE_URL") && stderr.contains("not a PostgreSQL URL"), "{stderr}");
}

#[test]
fn a_wrong_postgres_login_stops_start_up_naming_the_user() {
    // The test PostgreSQL server (scripts/setup.sh --postgres), with a role it does not have.
    let admin: sqlx::postgres::PgConnectOptions = app::backend::store::scratch::postgres_admin_url().parse().unwrap();
    let url = format!("postgres://confab_no_such_role:s3cret@{}:{}/postgres", admin.get_host(), admin.get_port());
    let (code, stderr) = refused_start(&url);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("refused user `confab_no_such_role`"), "{stderr}");
    assert!(stderr.contains("Check the user and password in CONFAB_DATABASE_URL"), "{stderr}");
}

#[test]
fn it_prints_its_url_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = confab(dir.path()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("start-up line within 30 s");
        if let Some(rest) = line.split("Confab is ready at ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(std::time::Instant::now() < deadline, "still running 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    // The reader thread forwards lines until the child's stdout closes, so this waits for the last
    // lines instead of racing them.
    let logs: Vec<String> = rx.iter().collect();
    assert!(logs.iter().any(|l| l.contains("SIGTERM received")), "{logs:?}");
}

#[test]
fn seed_fills_a_database_once_and_names_the_people_to_log_in_as() {
    let dir = tempfile::tempdir().unwrap();
    let output = confab(dir.path()).args(["seed", "--messages", "500", "--users", "12"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("Seeded 12 people"), "{stdout}");
    assert!(stdout.contains("500 messages"), "{stdout}");
    assert!(stdout.contains("+4915100000001") && stdout.contains("demo"), "{stdout}");

    let again = confab(dir.path()).args(["seed"]).output().unwrap();
    assert!(!again.status.success(), "a second seed into the same database is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("seeded already"));
}
