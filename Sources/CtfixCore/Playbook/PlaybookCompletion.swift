import Foundation

/// What a shell offers after `ctfix run ` (and `check`, `validate`, `watch`): the names `ctfix
/// list` would find, and, because a playbook argument may also be a path, the playbook files
/// (`*.yaml`, `*.yml`) and directories that start with the word typed. The shells' completion
/// scripts ask the binary (ArgumentParser's custom completion), so bash, zsh and fish offer the
/// same candidates, from the same search list as `run` itself.
public enum PlaybookCompletion {
    /// Candidates for `prefix`, names first. Reading a directory is all this does: no playbook is
    /// parsed or judged (completion must be instant and never refuse), and a name offered here
    /// can still be refused by `run` as root.
    public static func candidates(prefix: String, locator: PlaybookLocator, currentDirectory: String = FileManager.default.currentDirectoryPath) -> [String] {
        var result: [String] = []
        if !PlaybookLocator.isPath(prefix) {
            for name in names(locator: locator) where name.hasPrefix(prefix) && !result.contains(name) {
                result.append(name)
            }
        }
        for path in paths(prefix: prefix, currentDirectory: currentDirectory) where !result.contains(path) {
            result.append(path)
        }
        return result
    }

    /// Every playbook name in the locator's directories, sorted, each once.
    public static func names(locator: PlaybookLocator) -> [String] {
        var names = Set<String>()
        for directory in locator.directories {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                guard !file.hasPrefix("."), file.hasSuffix(".yaml") || file.hasSuffix(".yml"), isPrintable(file) else { continue }
                names.insert((file as NSString).deletingPathExtension)
            }
        }
        return names.sorted()
    }

    /// Playbook files and directories (with a trailing `/`) whose path starts with `prefix`,
    /// relative to `currentDirectory` unless `prefix` is absolute. Hidden entries only when the
    /// typed last component starts with a dot.
    public static func paths(prefix: String, currentDirectory: String) -> [String] {
        let typedDirectory: String
        let partial: String
        if let slash = prefix.lastIndex(of: "/") {
            typedDirectory = String(prefix[...slash])
            partial = String(prefix[prefix.index(after: slash)...])
        } else {
            typedDirectory = ""
            partial = prefix
        }
        var directory = typedDirectory.isEmpty ? currentDirectory : typedDirectory
        if directory.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            directory = home + directory.dropFirst()
        } else if !directory.hasPrefix("/") {
            directory = currentDirectory + "/" + directory
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var result: [String] = []
        for entry in entries where entry.hasPrefix(partial) {
            if entry.hasPrefix("."), !partial.hasPrefix(".") { continue }
            guard isPrintable(entry) else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                result.append(typedDirectory + entry + "/")
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                result.append(typedDirectory + entry)
            }
        }
        return result
    }

    /// A name with a control character (a newline splits one candidate into two in the shells'
    /// one-per-line protocol; an escape sequence would be drawn on the operator's terminal by the
    /// completion menu) is never offered.
    static func isPrintable(_ name: String) -> Bool {
        !name.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}
