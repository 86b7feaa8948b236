import Foundation

/// A child process timed from spawn to exit with `posix_spawn` and `wait4`: no exit polling
/// (Foundation's `Process` rounds a short child up to its 50 ms polling steps), and the
/// child's own peak RSS from the kernel (`ru_maxrss`, the same figure as its `VmHWM`).
enum Spawned {
    /// Spawns `argv`, waits, and returns its wall time (ms) and peak RSS (KiB, `ru_maxrss`).
    static func run(_ argv: [String], acceptingStatus: Set<Int32> = [0], environment: [String: String]? = nil) throws -> (Double, Int) {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let cEnvironment = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { cEnvironment?.forEach { free($0) } }
        let start = ContinuousClock.now
        let spawned = cEnvironment.map { posix_spawn(&pid, argv[0], &actions, nil, cArguments, $0) } ?? posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw BenchmarkError("cannot run \(argv[0])") }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw BenchmarkError("wait4 failed") }
        let elapsed = ContinuousClock.now - start
        let exitStatus = (status >> 8) & 0xff
        guard status & 0x7f == 0, exitStatus == 0 || acceptingStatus.contains(exitStatus) else {
            throw BenchmarkError("\(argv.joined(separator: " ")) ended with status \(status)")
        }
        return (elapsed.seconds * 1000, usage.ru_maxrss)
    }
}
