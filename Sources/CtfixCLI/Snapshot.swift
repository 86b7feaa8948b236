import ArgumentParser
import CtfixCore
import Foundation

struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Capture what playbooks read into DIR, for review elsewhere with --root DIR.",
        discussion: """
        Captures the conntrack sysctls, memory and slab figures, module state, sysctl and module \
        config files, a kernel-log tail and the capture time (ctfix-snapshot.json). DIR must be \
        new or empty. Exit status: 0 captured, 12 the manifest could not be written, 64 DIR not \
        usable. See docs/snapshot.md.
        """
    )

    @Argument(help: "A new (or empty) directory to capture into.", completion: .directory)
    var directory: String

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: ArgumentHelp("Keep this many MiB of the kernel log.", valueName: "MIB"))
    var logTail: Int = 4

    func run() async throws {
        guard logTail > 0, logTail <= 1024 else {
            throw ValidationError("--log-tail: must be between 1 and 1024 MiB, found \(logTail)")
        }
        let ctx = try host.context()
        throw await SnapshotCommand(directory: directory, logTailBytes: logTail << 20, json: host.json).run(ctx).exitCode
    }
}
