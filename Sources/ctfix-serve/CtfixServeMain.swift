import CtfixCLI
import CtfixServer

/// The `ctfix-serve` executable: the same command line as `ctfix`, with the Alertmanager
/// webhook receiver linked in. `ctfix serve …` replaces itself with `ctfix-serve serve …`
/// (`ServeLauncher`); nothing else runs it.
@main
enum CtfixServeMain {
    static func main() async {
        ServeLauncher.server = { request, ctx in
            await ServeCommand(configPath: request.configPath, listen: request.listen,
                               auditLogPath: request.auditLogPath, insecureNoAuth: request.insecureNoAuth).run(ctx)
        }
        await JSONAwareMain.run()
    }
}
