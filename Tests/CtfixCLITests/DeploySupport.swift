import CtfixCore
import Foundation
import Yams

/// The fleet deployment examples under `examples/deploy/`, and the external tools that check
/// them for real (systemd-analyze, promtool, amtool, kubectl, ansible-playbook) when present.
enum DeployFiles {
    static let directory = PackagePaths.root.appendingPathComponent("examples/deploy")

    static func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    static func text(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    /// The file parsed with Yams into plain values (`[String: Any]`, `[Any]`, strings, numbers).
    static func yaml(_ relative: String) throws -> Any {
        guard let value = try Yams.load(yaml: text(relative)) else { throw NotAMapping(file: relative, path: "(empty document)") }
        return value
    }

    /// A YAML path that did not lead to the expected kind of node.
    struct NotAMapping: Error, CustomStringConvertible {
        var file: String
        var path: String
        var description: String { "\(file): \(path) is missing or not of the expected type" }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Navigates parsed YAML by keys and indexes, throwing with the path when a step is missing.
struct YAMLPath {
    var file: String
    var value: Any?
    var trail: String = ""

    subscript(_ key: String) -> YAMLPath {
        YAMLPath(file: file, value: (value as? [String: Any])?[key], trail: trail + "." + key)
    }

    subscript(_ index: Int) -> YAMLPath {
        let list = value as? [Any]
        return YAMLPath(file: file, value: list.flatMap { index < $0.count ? $0[index] : nil }, trail: trail + "[\(index)]")
    }

    func string() throws -> String {
        guard let text = value as? String else { throw DeployFiles.NotAMapping(file: file, path: trail) }
        return text
    }

    func list() throws -> [YAMLPath] {
        guard let items = value as? [Any] else { throw DeployFiles.NotAMapping(file: file, path: trail) }
        return items.indices.map { self[$0] }
    }

    func strings() throws -> [String] { try list().map { try $0.string() } }

    var exists: Bool { value != nil }
}

/// Programs the deployment tests use when the machine has them; each test that needs one is
/// skipped with the reason when it does not. `scripts/test.sh` puts promtool (from Debian's
/// `prometheus` package, unpacked, not installed as a service) under `.build/tools`.
enum DeployTools {
    static func find(_ name: String) -> String? {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        directories.append(PackagePaths.root.appendingPathComponent(".build/tools/prometheus/usr/bin").path)
        for directory in directories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func available(_ name: String) -> Bool {
        if find(name) == nil {
            print("skipping: \(name) not found (PATH, .build/tools)")
            return false
        }
        return true
    }

    /// Runs a tool with this process's environment (PATH, HOME) and a time limit, in a UTF-8
    /// locale (the runner's default is LC_ALL=C, which ansible-playbook refuses to start in).
    static func run(_ argv: [String], timeout: Duration = .seconds(120), in directory: String? = nil) async throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        if let directory {
            let quoted = argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
            return try await RealKernel.runner.run(["/bin/sh", "-c", "cd '\(directory)' && exec \(quoted)"],
                                                   environment: environment, timeout: timeout, outputLimit: 16 << 20)
        }
        return try await RealKernel.runner.run(argv, environment: environment, timeout: timeout, outputLimit: 16 << 20)
    }
}

/// A systemd unit file read the way systemd reads it: sections of `Key=Value` lines, comments
/// and blank lines skipped, repeated keys kept in order.
struct SystemdUnitFile {
    var sections: [String: [(key: String, value: String)]] = [:]

    struct Malformed: Error, CustomStringConvertible {
        var line: Int
        var text: String
        var description: String { "line \(line): not a section header or Key=Value: '\(text)'" }
    }

    init(text: String) throws {
        var current: String?
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast())
                sections[current!, default: []] = sections[current!] ?? []
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { throw Malformed(line: number + 1, text: line) }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: []].append((key, value))
        }
    }

    /// The last value of `key` (systemd's rule for single-valued settings).
    func value(_ section: String, _ key: String) -> String? { sections[section]?.last { $0.key == key }?.value }

    /// Every value of a list-valued setting, split on whitespace.
    func words(_ section: String, _ key: String) -> [String] {
        (sections[section] ?? []).filter { $0.key == key }.flatMap { $0.value.split(separator: " ").map(String.init) }
    }
}
