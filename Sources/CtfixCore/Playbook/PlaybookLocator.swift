import Foundation

/// Finds playbooks by name, as on-call types them (`ctfix run table-full.yaml`, or just
/// `table-full`), from any directory: a path that exists wins; otherwise the playbook
/// directories in order, the first hit wins and any later one it shadows is reported.
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
    }

    public var directories: [Directory]

    public init(directories: [Directory]) {
        self.directories = directories
    }

    /// The standard search list: `$CTFIX_PLAYBOOKS` (colon-separated), `/etc/ctfix/playbooks`,
    /// the installed share directory next to the executable (`../share/ctfix/playbooks`), and
    /// the source checkout the executable was built in.
    public static func standard(environment: [String: String], executable: String = CommandLine.arguments.first ?? "") -> PlaybookLocator {
        var directories: [Directory] = []
        for path in (environment["CTFIX_PLAYBOOKS"] ?? "").split(separator: ":") where !path.isEmpty {
            directories.append(Directory(path: String(path), origin: "CTFIX_PLAYBOOKS"))
        }
        directories.append(Directory(path: "/etc/ctfix/playbooks", origin: "system"))
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        directories.append(Directory(path: binary.appendingPathComponent("../share/ctfix/playbooks").standardized.path, origin: "installed"))
        var candidate = binary
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                directories.append(Directory(path: candidate.appendingPathComponent("playbooks").path, origin: "checkout"))
                break
            }
            candidate = candidate.deletingLastPathComponent()
        }
        return PlaybookLocator(directories: directories)
    }

    /// The file a user meant: the argument itself when it exists, else `NAME`/`NAME.yaml`
    /// in the directories. Nil when nothing matches.
    public func resolve(_ argument: String) -> (path: String, shadowed: [String])? {
        if FileManager.default.fileExists(atPath: argument) { return (argument, []) }
        guard !argument.contains("/") else { return nil }
        let names = argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") ? [argument] : [argument + ".yaml", argument + ".yml"]
        var hits: [String] = []
        for directory in directories {
            for name in names {
                let path = directory.path + "/" + name
                if FileManager.default.fileExists(atPath: path) { hits.append(path); break }
            }
        }
        guard let first = hits.first else { return nil }
        return (first, Array(hits.dropFirst()))
    }

    /// Every playbook in the directories, first occurrence of a name winning.
    public func list() -> [Entry] {
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
                    entry.summary = try PlaybookLoader.load(path: path).summary
                } catch {
                    entry.error = error.errors.first?.description ?? "invalid"
                }
                entries.append(entry)
            }
        }
        return entries
    }
}
