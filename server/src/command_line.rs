//! What the words after `confab` ask for. The server itself is configured by `CONFAB_*`
//! variables; the words pick a one-off command, help or the version. Anything else is refused
//! before a database is opened, so a mistyped command never starts a server or writes data.

pub const USAGE: &str = "\
confab — the Confab chat server, configured by CONFAB_* environment variables (see the README)

Usage:
  confab                    serve the app and the API
  confab seed [--messages N] [--users N]
                            fill the configured database with made-up people, chats and messages
  confab migrate-to-postgres [--from sqlite://…] --to postgres://…
                            copy this installation's SQLite database into an empty PostgreSQL one
  confab bench-setup --out FILE [--users N] [--direct N] [--group N] [--groups N --size N] [--session-phone P]
                            people, chats and tokens for confab-bench
  confab --help | --version
";

#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    Serve,
    Help,
    Version,
    /// A one-off command and the words after it.
    Command(&'static str, Vec<String>),
}

/// Reads the words after `confab`; an error says what was not understood.
pub fn parse(args: &[String]) -> Result<Invocation, String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Invocation::Help);
    }
    let Some(first) = args.first() else { return Ok(Invocation::Serve) };
    let (name, options): (&'static str, &[&str]) = match first.as_str() {
        "help" => return Ok(Invocation::Help),
        "--version" | "-V" | "version" if args.len() == 1 => return Ok(Invocation::Version),
        "seed" => ("seed", &["--messages", "--users"]),
        "migrate-to-postgres" => ("migrate-to-postgres", &["--from", "--to"]),
        "bench-setup" => ("bench-setup", &["--out", "--users", "--direct", "--group", "--groups", "--size", "--session-phone"]),
        other => return Err(format!("unknown command `{other}`; `confab --help` lists the commands")),
    };
    let rest = &args[1..];
    if let Some(unknown) = rest.iter().find(|a| a.starts_with("--") && !options.contains(&a.as_str())) {
        return Err(format!("`confab {name}` has no option `{unknown}`; `confab --help` lists them"));
    }
    Ok(Invocation::Command(name, rest.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn no_words_serve_and_help_wins_anywhere() {
        assert_eq!(parse(&[]), Ok(Invocation::Serve));
        assert_eq!(parse(&words("--help")), Ok(Invocation::Help));
        assert_eq!(parse(&words("seed --help")), Ok(Invocation::Help));
        assert_eq!(parse(&words("migrate-to-postgres --to postgres://x -h")), Ok(Invocation::Help));
        assert_eq!(parse(&words("--version")), Ok(Invocation::Version));
    }

    #[test]
    fn commands_keep_their_words() {
        assert_eq!(parse(&words("seed --messages 2000")), Ok(Invocation::Command("seed", words("--messages 2000"))));
        assert_eq!(
            parse(&words("migrate-to-postgres --to postgres://db/confab")),
            Ok(Invocation::Command("migrate-to-postgres", words("--to postgres://db/confab")))
        );
    }

    #[test]
    fn unknown_commands_and_options_are_refused_by_name() {
        let refused = parse(&words("serve")).unwrap_err();
        assert!(refused.contains("unknown command `serve`"), "{refused}");
        let refused = parse(&words("seed --mesages 10")).unwrap_err();
        assert!(refused.contains("`confab seed` has no option `--mesages`"), "{refused}");
        assert!(parse(&words("--version extra")).is_err());
    }
}
