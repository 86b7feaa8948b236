import Foundation

/// Finds playbooks by name, as on-call types them (`ctfix run table-full`), from any directory.
/// An argument with a `/` or ending in `.yaml`/`.yml` is a path, used as given; anything else
/// is a name, looked up only in the playbook directories, in order (never the current
/// directory, so a file planted there cannot stand in for a shipped playbook): the first hit
/// wins and any later one it shadows is reported.
public struct PlaybookLocator: Sendable {
    /// One directory searched, and why it is in the list.
    public struct Directory: Sendable, Equatable, Codable {
        public var path: String
        /// `CTFIX_PLAYBOOKS`, `system`, `installed` or `checkout`.
        public var origin: String
    }

    /// One playbook found.
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var path: String
        public var origin: String
        public var summary: String?
        /// Same-named playbooks in later directories that this one hides.
        public var shadows: [String]
        /// Set when the file does not validate.
        public var error: String?
        /// Set when ctfix, running as root, refuses the file (see `PlaybookTrust`): why, and the fix.
        public var refused: String?
    }

    public var directories: [Directory]

    public init(directories: [Directory]) {
        self.directories = directories
    }

    /// The standard search list: `$CTFIX_PLAYBOOKS` (colon-separated), `/etc/ctfix/playbooks`,
    /// the installed share directory next to the executable (`../share/ctfix/playbooks`), and
    /// the source checkout the executable was built in.
    public static func standard(environment: [String: String], executable: String = currentExecutable) -> PlaybookLocator {
        var directories: [Directory] = []
        for path in (environment["CTFIX_PLAYBOOKS"] ?? "").split(separator: ":") where !path.isEmpty {
            directories.append(Directory(path: String(path), origin: "CTFIX_PLAYBOOKS"))
        }
        directories.append(Directory(path: "/etc/ctfix/playbooks", origin: "system"))
        // Plain path strings (`ExecutablePath`), not `URL`: the same directories, cheaper.
        let binary = ExecutablePath.parent(ExecutablePath.resolved(executable))
        directories.append(Directory(path: ExecutablePath.lexical(binary + "/../share/ctfix/playbooks"), origin: "installed"))
        var candidate = binary
        for _ in 0..<5 {
            if ExecutablePath.exists(ExecutablePath.joined(candidate, "Package.swift")) {
                directories.append(Directory(path: ExecutablePath.joined(candidate, "playbooks"), origin: "checkout"))
                break
            }
            candidate = ExecutablePath.parent(candidate)
        }
        return PlaybookLocator(directories: directories)
    }

    /// The running binary's real path. `argv[0]` is only what the shell was given: `ctfix` typed
    /// from `$PATH` (as `/usr/bin/ctfix` from the package is run) would put the "installed"
    /// directory under the current directory, and the shipped playbooks would not be found.
    public static var currentExecutable: String {
        if let path = ExecutablePath.linkTarget("/proc/self/exe"), path.hasPrefix("/") {
            return path
        }
        let first = CommandLine.arguments.first ?? ""
        if first.containsASCII("/") { return first }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(first)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return first
    }

    /// True when `argument` is a path (it has a `/` or ends in `.yaml`/`.yml`), false for a name.
    /// Any `/` byte makes it a path, even with a combining mark after it (Foundation's search
    /// did not see that one, and the "name" then held a `/`: a path into a playbook directory).
    public static func isPath(_ argument: String) -> Bool {
        argument.containsASCII("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
    }

    /// The file a user meant: a path as given (whether or not it exists; loading says so), or
    /// the first `NAME.yaml`/`NAME.yml` in the directories. Nil when a name matches nothing.
    public func resolve(_ argument: String) -> (path: String, shadowed: [String])? {
        if Self.isPath(argument) { return (argument, []) }
        var hits: [String] = []
        for directory in directories {
            for name in [argument + ".yaml", argument + ".yml"] {
                let path = directory.path + "/" + name
                if ExecutablePath.exists(path) { hits.append(path); break }
            }
        }
        guard let first = hits.first else { return nil }
        return (first, Array(hits.dropFirst()))
    }

    static let notFoundPrefix = "no playbook named"

    /// The error for a name found nowhere: every directory searched, with its origin.
    public func notFound(_ name: String) -> Diagnostic {
        let searched = directories.map { "\($0.path) (\($0.origin))" }.joined(separator: ", ")
        return Diagnostic(file: name, line: 1, column: 1, message: "\(Self.notFoundPrefix) '\(name)' in the playbook directories "
            + "(searched \(searched.isEmpty ? "none" : searched)); a name is never looked up in the current directory: "
            + "give a path such as ./\(name).yaml to use a file there")
    }

    /// Every playbook in the directories, first occurrence of a name winning; each is loaded
    /// under `trust`, so a file ctfix would refuse to run is listed as refused.
    public func list(trust: PlaybookTrust = .process()) -> [Entry] {
        var entries: [Entry] = []
        for directory in directories {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            for file in files {
                let path = directory.path + "/" + file
                let name = (file as NSString).deletingPathExtension
                if let index = entries.firstIndex(where: { $0.name == name }) {
                    entries[index].shadows.append(path)
                    continue
                }
                var entry = Entry(name: name, path: path, origin: directory.origin, summary: nil, shadows: [], error: nil)
                do {
                    entry.summary = try PlaybookLoader.load(path: path, trust: trust).summary
                } catch {
                    let first = error.errors.first
                    if let first, first.message.hasPrefix(PlaybookTrust.Violation.prefix) {
                        entry.refused = first.message
                    } else {
                        entry.error = first?.description ?? "invalid"
                    }
                }
                entries.append(entry)
            }
        }
        return entries
    }
}
