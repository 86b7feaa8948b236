import Foundation

/// A child process timed from spawn to exit with `posix_spawn` and `wait4`: no exit polling
/// (Foundation's `Process` rounds a short child up to its 50 ms polling steps).
enum Spawned {
    /// The peak RSS (KiB) of `argv`, as GNU time measures it (`/usr/bin/time -f %M`). Not this
    /// process's `wait4`: a child spawned from here inherits this process's high-water mark at
    /// `exec` (the kernel keeps the larger of the old and new `maxrss`), so it would never read
    /// below the benchmark's own ≈18 MiB; time's fork starts from time's 2 MiB.
    static func peakRSS(_ argv: [String], acceptingStatus: Set<Int32> = [0], environment: [String: String]? = nil) throws -> Int {
        let output = NSTemporaryDirectory() + "ctfix-bench-rss-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: output) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw BenchmarkError("/usr/bin/time not installed (apt-get install time)") }
        _ = try run(["/usr/bin/time", "-q", "-f", "%M", "-o", output] + argv, acceptingStatus: acceptingStatus, environment: environment)
        guard let kib = Int(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? "") else {
            throw BenchmarkError("no peak RSS from /usr/bin/time")
        }
        return kib
    }

    /// Spawns `argv`, waits, and returns its wall time (ms) and `ru_maxrss` (KiB; see `peakRSS`).
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
