import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs real programs with swift-subprocess: environment cleared (only a fixed PATH and the
/// given variables), standard input closed so nothing can wait on a terminal, a hard timeout.
public struct SubprocessCommandRunner: CommandRunner {
    public static let searchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public init() {}

    public func isAvailable(_ program: String) -> Bool {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) }
        return Self.searchPath.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
        }
    }

    public func run(_ argv: [String], environment: [String: String], timeout: Duration, outputLimit: Int) async throws(CommandError) -> CommandResult {
        guard let program = argv.first else { throw CommandError(argv: argv, message: "empty command") }
        var variables = ["PATH": Self.searchPath, "LC_ALL": "C"]
        for (key, value) in environment { variables[key] = value }
        let env = variables
        do {
            return try await withThrowingTaskGroup(of: CommandResult?.self) { group in
                group.addTask {
                    var custom: [Environment.Key: String] = [:]
                    for (key, value) in env { custom[Environment.Key(rawValue: key)!] = value }
                    let executable: Executable = program.hasPrefix("/") ? .path(FilePath(program)) : .name(program)
                    // Its own process group: a terminal's Ctrl-C goes to ctfix, which lets the
                    // program finish (the current step) and then stops the run cleanly.
                    var platform = PlatformOptions()
                    platform.processGroupID = 0
                    // Standard output is streamed and cut at the limit (the rest is read and
                    // dropped, so the program never blocks on a full pipe).
                    let result = try await Subprocess.run(
                        executable,
                        arguments: Arguments(Array(argv.dropFirst())),
                        environment: .custom(custom),
                        platformOptions: platform,
                        input: .none,
                        output: .sequence,
                        error: .string(limit: 1 << 20)
                    ) { execution in
                        var collected: [UInt8] = []
                        var truncated = false
                        for try await buffer in execution.standardOutput {
                            buffer.withUnsafeBytes { raw in
                                let room = outputLimit - collected.count
                                if room >= raw.count {
                                    collected.append(contentsOf: raw)
                                } else {
                                    if room > 0 { collected.append(contentsOf: raw.prefix(room)) }
                                    truncated = true
                                }
                            }
                        }
                        return (String(decoding: collected, as: UTF8.self), truncated)
                    }
                    let status: Int32
                    switch result.terminationStatus {
                    case .exited(let code): status = code
                    case .signaled(let signal): status = 128 + signal
                    }
                    return CommandResult(exitStatus: status,
                                         standardOutput: result.closureResult.0,
                                         standardError: result.standardError,
                                         outputTruncated: result.closureResult.1)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first ?? CommandResult(exitStatus: 124, standardError: "timed out after \(timeout)", timedOut: true)
            }
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError(argv: argv, message: "\(error)")
        }
    }
}
