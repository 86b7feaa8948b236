import ArgumentParser
import CtfixCore

/// `ctfix status`: argument parsing only; `StatusCommand` does the work.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The host's conntrack picture at a glance: count/max, buckets, memory per entry and the budget for raising max, timeouts.",
        discussion: "Exit status: 0 when the conntrack count and max could be read, 3 when conntrack is not present or unreadable."
    )

    @OptionGroup var host: HostOptions

    func run() async throws {
        let ctx = try host.context()
        let status = await StatusCommand(json: host.json).run(ctx)
        throw status.exitCode
    }
}
