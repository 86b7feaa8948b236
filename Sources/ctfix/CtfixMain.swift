import CtfixCLI

/// The `ctfix` executable: the command line without the HTTP server (`ctfix serve` execs
/// `ctfix-serve`, see `ServeLauncher`). `--json` errors as JSON, `check` errors as Nagios
/// lines (`JSONAwareMain`).
@main
enum CtfixMain {
    static func main() async { await JSONAwareMain.run() }
}
