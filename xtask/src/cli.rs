//! Just enough argument parsing for a handful of subcommands: `--flag`, `--opt VALUE`,
//! `--opt=VALUE` and positionals. Plain std keeps `cargo xtask` quick to build.

use std::collections::BTreeMap;

/// Why a command did not succeed; decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong (exit 2, usage printed).
    Usage(String),
    /// The command ran and failed (exit 1).
    Failed(String),
}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure::Failed(s)
    }
}

/// Parsed arguments of one subcommand.
#[derive(Debug, Default)]
pub struct Args {
    flags: Vec<String>,
    options: BTreeMap<String, String>,
    pub positionals: Vec<String>,
}

impl Args {
    /// Parses `args` against the flags and value-taking options a subcommand accepts;
    /// anything else starting with `--` is a usage error.
    pub fn parse(args: &[String], flags: &[&str], options: &[&str]) -> Result<Args, Failure> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if arg == "--" {
                out.positionals.extend(it.by_ref().cloned());
                break;
            }
            let Some(name) = arg.strip_prefix("--") else {
                out.positionals.push(arg.clone());
                continue;
            };
            let (name, inline) = match name.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (name, None),
            };
            if flags.contains(&name) {
                if inline.is_some() {
                    return Err(Failure::Usage(format!("`--{name}` takes no value")));
                }
                out.flags.push(name.to_string());
            } else if options.contains(&name) {
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| Failure::Usage(format!("`--{name}` needs a value")))?,
                };
                if out.options.insert(name.to_string(), value).is_some() {
                    return Err(Failure::Usage(format!("`--{name}` given twice")));
                }
            } else {
                return Err(Failure::Usage(format!("unknown option `{arg}`")));
            }
        }
        Ok(out)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// At most `n` positionals.
    pub fn max_positionals(&self, n: usize) -> Result<(), Failure> {
        match self.positionals.get(n) {
            Some(extra) => Err(Failure::Usage(format!("unexpected argument `{extra}`"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, Failure> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        Args::parse(&args, &["json", "write"], &["format", "from"])
    }

    #[test]
    fn flags_options_and_positionals() {
        let a = parse(&["a", "--json", "--format", "md", "--from=x", "b"]).unwrap();
        assert!(a.flag("json") && !a.flag("write"));
        assert_eq!(
            (a.option("format"), a.option("from")),
            (Some("md"), Some("x"))
        );
        assert_eq!(a.positionals, ["a", "b"]);
        assert!(a.max_positionals(2).is_ok());
        assert!(matches!(a.max_positionals(1), Err(Failure::Usage(m)) if m.contains("`b`")));
    }

    #[test]
    fn usage_errors() {
        for (args, needle) in [
            (&["--nope"][..], "unknown option `--nope`"),
            (&["--format"][..], "needs a value"),
            (&["--json=1"][..], "takes no value"),
            (&["--from", "a", "--from", "b"][..], "given twice"),
        ] {
            match parse(args) {
                Err(Failure::Usage(m)) => assert!(m.contains(needle), "{m}"),
                other => panic!("{args:?}: {other:?}"),
            }
        }
        assert_eq!(parse(&["--", "--json"]).unwrap().positionals, ["--json"]);
    }
}
