import CtfixCore
import Foundation
import Testing

/// The systemd units in `examples/deploy/systemd`: hardened as docs/deploy.md explains, and
/// accepted by systemd's own parser (`systemd-analyze verify`) when the machine has it.
@Suite struct DeploySystemdTests {
    static let units = ["ctfix-watch.service", "ctfix-serve.service"]

    static func unit(_ name: String) throws -> SystemdUnitFile {
        try SystemdUnitFile(text: DeployFiles.text("systemd/\(name)"))
    }

    @Test(arguments: units)
    func hardeningIsWhatTheDocsSay(name: String) throws {
        let unit = try Self.unit(name)
        #expect(unit.value("Service", "ProtectSystem") == "strict")
        // sysctl writes need /proc/sys writable; module_unload and /dev/kmsg stay possible.
        #expect(unit.value("Service", "ProtectKernelTunables") == "no")
        #expect(unit.value("Service", "ProtectKernelLogs") == "no")
        #expect(unit.value("Service", "ProtectKernelModules") == "no")
        #expect(unit.value("Service", "ProcSubset") == "all")
        #expect(unit.value("Service", "NoNewPrivileges") == "yes")
        #expect(unit.value("Service", "PrivateTmp") == "yes")
        #expect(unit.value("Service", "ProtectHome") == "yes")
        #expect(Set(unit.words("Service", "CapabilityBoundingSet"))
                == ["CAP_SYSLOG", "CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN", "CAP_SYS_MODULE"])
        #expect(!unit.words("Service", "CapabilityBoundingSet").contains("CAP_SYS_ADMIN"))
        // Where ctfix writes: state and audit log, the lock in /run, persisted sysctls.
        #expect(unit.value("Service", "StateDirectory") == "ctfix")
        #expect(unit.value("Service", "LogsDirectory") == "ctfix")
        let writable = unit.words("Service", "ReadWritePaths")
        for path in ["/run", "/etc/sysctl.d", "-/etc/modules-load.d", "-/etc/modprobe.d"] {
            #expect(writable.contains(path), "ReadWritePaths lacks \(path)")
        }
        #expect(unit.words("Service", "DeviceAllow") == ["/dev/kmsg", "r"])
        #expect(unit.value("Install", "WantedBy") == "multi-user.target")
    }

    @Test func commandsAreTheInstalledBinary() throws {
        let watch = try Self.unit("ctfix-watch.service").value("Service", "ExecStart")
        #expect(watch == "/usr/local/bin/ctfix watch table-full alloc-failure")
        let serve = try Self.unit("ctfix-serve.service").value("Service", "ExecStart")
        #expect(serve?.hasPrefix("/usr/local/bin/ctfix serve --config /etc/ctfix/serve.yaml --listen 127.0.0.1:") == true)
        // The playbooks the watch unit names are shipped ones (found by name after install).
        for name in ["table-full", "alloc-failure"] {
            #expect(FileManager.default.fileExists(atPath: ExampleHostsPaths.playbook(name)))
        }
    }

    @Test func serveAcceptsLoopbackOnlyAndWatchNoNetwork() throws {
        let serve = try Self.unit("ctfix-serve.service")
        #expect(serve.value("Service", "IPAddressDeny") == "any")
        #expect(serve.value("Service", "IPAddressAllow") == "localhost")
        let watch = try Self.unit("ctfix-watch.service")
        #expect(watch.value("Service", "IPAddressDeny") == "any")
        #expect(watch.value("Service", "IPAddressAllow") == nil)
    }

    @Test func aLineThatIsNotASettingIsReported() {
        #expect(throws: SystemdUnitFile.Malformed.self) { try SystemdUnitFile(text: "[Service]\nExecStart /bin/true\n") }
        #expect(throws: SystemdUnitFile.Malformed.self) { try SystemdUnitFile(text: "ExecStart=/bin/true\n") }
    }

    /// systemd's parser: unknown keys, bad values (a misspelt capability, `ProtectSystem=stric`)
    /// and a missing ExecStart binary are all reported on stderr; the units must produce none.
    @Test(.enabled(if: DeployTools.available("systemd-analyze"), "needs systemd-analyze (Debian package systemd)"),
          arguments: units)
    func systemdAnalyzeVerifyAcceptsIt(name: String) async throws {
        let directory = try DeployFiles.temporaryDirectory("ctfix-units")
        let text = try DeployFiles.text("systemd/\(name)")
            .replacingOccurrences(of: "/usr/local/bin/ctfix", with: try CtfixBinary.path())
        try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        let result = try await DeployTools.run([DeployTools.find("systemd-analyze")!, "verify", "--man=no", "\(directory)/\(name)"])
        #expect(result.exitStatus == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty, "\(result.standardError)")
    }

    @Test(.enabled(if: DeployTools.available("systemd-analyze"), "needs systemd-analyze (Debian package systemd)"))
    func systemdAnalyzeVerifyCatchesAMistake() async throws {
        let directory = try DeployFiles.temporaryDirectory("ctfix-units")
        let text = try DeployFiles.text("systemd/ctfix-watch.service")
            .replacingOccurrences(of: "/usr/local/bin/ctfix", with: try CtfixBinary.path())
            .replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystem=stric")
        try text.write(toFile: "\(directory)/broken.service", atomically: true, encoding: .utf8)
        let result = try await DeployTools.run([DeployTools.find("systemd-analyze")!, "verify", "--man=no", "\(directory)/broken.service"])
        #expect(result.standardError.contains("broken.service:"))
        #expect(result.standardError.contains("stric"))
    }
}
