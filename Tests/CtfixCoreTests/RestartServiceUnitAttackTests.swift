import Foundation
import Testing
@testable import CtfixCore

/// `restart_service` is *disruptive*: it runs unattended without `--allow-destructive`. Its
/// unit may come from a parameter (`--set`, or an alert label under `serve`), so a value such
/// as `reboot.target` would turn it into a reboot that skipped the destructive gate. Restarting
/// a target or one of systemd's power services is never planned; ordinary services are.
@Suite struct RestartServiceUnitAttackTests {
    static let playbook = """
    version: 1
    name: restart-templated
    summary: Restarts the unit a parameter names.
    parameters:
      service:
        type: string
        default: nginx.service
        description: The unit to restart.
    detect:
      value:
        sysctl: net.ipv4.netfilter.ip_conntrack_max
        above: 0
    actions:
      - name: restart
        explain: Restart the named service.
        risk: disruptive
        restart_service:
          unit: ${service}
    """

    func run(service: String) async throws -> (RunReport, ScriptedCommandRunner) {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let commands = ScriptedCommandRunner(available: ["systemctl"]) { _ in CommandResult(exitStatus: 0) }
        let playbook = try PlaybookLoader.parse(Self.playbook, file: "test.yaml")
        let manifest = try SnapshotManifest.read(from: fs)
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(manifest?.capturedAt ?? Date()), commands: commands,
                               output: CapturedOutput(), environment: [:], isLiveHost: true)
        var options = RunOptions()
        options.skipVerifyDelay = true
        options.assumeYes = true
        options.settings = ["service": service]
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters(options.settings), options: options).run()
        return (report, commands)
    }

    @Test(arguments: ["reboot.target", "poweroff.target", "halt.target", "kexec.target", "soft-reboot.target",
                      "emergency.target", "rescue.target", "ctrl-alt-del.target", "shutdown.target",
                      "systemd-reboot.service", "systemd-poweroff", "systemd-halt.service", "systemd-kexec.service",
                      "systemd-soft-reboot.service", "systemd-suspend.service", "systemd-hibernate.service",
                      "Reboot.Target", "sleep.target", "multi-user.target", "init.scope", "user.slice", "home.mount", "dev-sda1.swap"])
    func aParameterCannotTurnARestartIntoAReboot(_ service: String) async throws {
        let (report, commands) = try await run(service: service)
        #expect(!commands.invocations.contains { $0.first == "systemctl" }, "\(service): \(commands.invocations)")
        #expect(report.actions.first?.status == .refused, "\(service): \(report.actions.map(\.status))")
    }

    @Test(arguments: ["nginx.service", "nginx", "getty@tty1.service", "docker.socket"])
    func ordinaryServicesStillRestart(_ service: String) async throws {
        let (_, commands) = try await run(service: service)
        #expect(commands.invocations == [["systemctl", "restart", service]])
    }
}
