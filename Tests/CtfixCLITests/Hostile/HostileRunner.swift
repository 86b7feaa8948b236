import CtfixCore
import Foundation

/// Runs generated hostile cases through the real `ctfix` (`validate`, `check --root`,
/// `run --dry-run --root`) and collects every way a case went wrong: killed by a signal, not
/// finished before the kill-timeout, an exit status outside the allowed set, or an error
/// without `file:line:col`. `validate` and `check` take several files per process; a batch
/// that dies is re-run one case at a time so the failure names its case.
struct HostileRunner: Sendable {
    struct Failure: Sendable, CustomStringConvertible {
        var testCase: String
        var hostileClass: String
        var command: String
        var problem: String
        var crashed: Bool
        var description: String { "\(testCase) via \(command): \(problem)" }
    }

    /// Generous: a hang is what the timeout catches, not slowness.
    static let batchTimeout = Duration.seconds(60)
    static let singleTimeout = Duration.seconds(30)
    static let batchSize = 25
    static let width = 3

    let directory: String
    let hosts: [String]
    let cases: [HostileCase]
    let paths: [String]

    init(_ cases: [HostileCase]) throws {
        directory = try TrustedScratch.directory("ctfix-hostile")
        var paths: [String] = []
        for (number, item) in cases.enumerated() {
            let path = "\(directory)/\(number)-\(item.hostileClass).yaml"
            guard FileManager.default.createFile(atPath: path, contents: Data(item.bytes)) else { throw CocoaError(.fileWriteUnknown) }
            chmod(path, 0o644)
            paths.append(path)
        }
        var hosts: [String] = []
        for worker in 0..<Self.width {
            let host = "\(directory)/host-\(worker)"
            try FileManager.default.copyItem(atPath: PackagePaths.root.appendingPathComponent("examples/hosts/ubuntu-table-full").path, toPath: host)
            hosts.append(host)
        }
        self.cases = cases
        self.paths = paths
        self.hosts = hosts
    }

    func removeFiles() { try? FileManager.default.removeItem(atPath: directory) }

    /// Every failure of every case, in case order per command.
    func run() async throws -> [Failure] {
        let plain = cases.indices.filter { cases[$0].settings.isEmpty }
        let batches = stride(from: 0, to: plain.count, by: Self.batchSize).map { Array(plain[$0..<min($0 + Self.batchSize, plain.count)]) }
        var jobs: [Job] = []
        for batch in batches { jobs += [.batch(batch, "validate"), .batch(batch, "check")] }
        for index in cases.indices {
            if !cases[index].settings.isEmpty { jobs.append(.single(index, "check")) }
            jobs.append(.single(index, "run"))
        }
        return try await withThrowingTaskGroup(of: [Failure].self) { group in
            for worker in 0..<Self.width {
                let mine = stride(from: worker, to: jobs.count, by: Self.width).map { jobs[$0] }
                group.addTask {
                    var found: [Failure] = []
                    for job in mine {
                        switch job {
                        case .batch(let indices, let command): found += try await batch(indices, command: command, host: hosts[worker])
                        case .single(let index, let command): found += try await single(index, command: command, host: hosts[worker])
                        }
                    }
                    return found
                }
            }
            var failures: [Failure] = []
            for try await found in group { failures += found }
            return failures
        }
    }

    enum Job: Sendable {
        case batch([Int], String)
        case single(Int, String)
    }

    func argv(_ command: String, _ indices: [Int], host: String?) -> [String] {
        switch command {
        case "validate": ["validate"] + indices.map { paths[$0] }
        case "check": ["check", "--root", host!] + indices.flatMap { cases[$0].settings } + indices.map { paths[$0] }
        default: ["run", "--dry-run", "--root", host!] + indices.flatMap { cases[$0].settings } + indices.map { paths[$0] }
        }
    }

    func batch(_ indices: [Int], command: String, host: String? = nil) async throws -> [Failure] {
        let result: CommandResult
        do {
            result = try await CtfixBinary.run(argv(command, indices, host: host), timeout: Self.batchTimeout)
        } catch {
            result = CommandResult(exitStatus: 125, standardError: "\(error)")
        }
        if result.exitStatus == 125 || Self.terminationProblem(result) != nil {
            var failures: [Failure] = []
            for index in indices { failures += try await single(index, command: command, host: host) }
            return failures
        }
        return indices.flatMap { judge($0, command: command, result: result, alone: false) }
    }

    func single(_ index: Int, command: String, host: String? = nil) async throws -> [Failure] {
        let result: CommandResult
        do {
            result = try await CtfixBinary.run(argv(command, [index], host: host), timeout: Self.singleTimeout)
        } catch {
            // The runner keeps at most 1 MiB of standard error: more is a flood, not a message.
            return [Failure(testCase: cases[index].description, hostileClass: cases[index].hostileClass, command: command,
                            problem: "\(error)".prefix(300).description, crashed: false)]
        }
        return judge(index, command: command, result: result, alone: true)
    }

    static func terminationProblem(_ result: CommandResult) -> (String, Bool)? {
        if result.timedOut { return ("did not finish before the kill-timeout (hang)", true) }
        if result.exitStatus >= 128 { return ("killed by signal \(result.exitStatus - 128) (exit \(result.exitStatus))", true) }
        return nil
    }

    /// Checks one case's part of a result.
    func judge(_ index: Int, command: String, result: CommandResult, alone: Bool) -> [Failure] {
        let item = cases[index], path = paths[index]
        func failure(_ problem: String, crashed: Bool = false) -> [Failure] {
            [Failure(testCase: item.description, hostileClass: item.hostileClass, command: command, problem: problem, crashed: crashed)]
        }
        if let (problem, crashed) = Self.terminationProblem(result) { return failure(problem, crashed: crashed) }
        let output = result.standardOutput + result.standardError
        // check answers UNKNOWN (3) for anything it cannot evaluate, as a monitoring plugin must;
        // a malformed `--set` (no '=') is a usage error (64) for run.
        let invalid: Set<Int32> = command == "check" ? [3] : item.settings.isEmpty ? [65, 66] : [64, 65]
        let valid: Set<Int32> = command == "check" ? [0, 2] : [0]
        guard invalid.union(valid).contains(result.exitStatus) else {
            return failure("exit \(result.exitStatus), expected one of \(invalid.union(valid).sorted()): \(output.prefix(300))")
        }
        let positioned = Self.hasPosition(output, path: path)
        if alone {
            if valid.contains(result.exitStatus) {
                return item.mayBeValid ? [] : failure("accepted (exit \(result.exitStatus)): \(output.prefix(300))")
            }
            if !item.settings.isEmpty {
                let named = output.contains("--set") || output.contains("parameter")
                return named ? [] : failure("a bad --set without a message naming --set or the parameter: \(output.prefix(300))")
            }
            return positioned ? [] : failure("no '\(path):LINE:COL: error' in the output: \(output.prefix(300))")
        }
        if positioned || item.mayBeValid && output.contains(path) { return [] }
        return failure(item.mayBeValid ? "neither accepted nor refused with a position"
                       : "no '\(path):LINE:COL: error' in the output of the batch")
    }

    static func hasPosition(_ output: String, path: String) -> Bool {
        let pattern = NSRegularExpression.escapedPattern(for: path) + ":[0-9]+:[0-9]+: error"
        return output.range(of: pattern, options: .regularExpression) != nil
    }
}
