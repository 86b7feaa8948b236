import Foundation

/// What `ctfix status` shows beside each runtime value: the value the key will have after the
/// next boot (from the sysctl files in `sysctl --system` order, and `modprobe.d` or the kernel
/// command line for the hash size) and the file:line that sets it. A runtime value that a
/// reboot would undo is the surprise this exists to prevent.
public struct ConntrackBootValues: Sendable, Equatable, Encodable {
    public struct Entry: Sendable, Equatable, Encodable {
        public var key: String
        public var runtime: String?
        /// Nil: no file sets it; the kernel default (or the module's) applies at boot.
        public var boot: String?
        /// "FILE:LINE" of the setting that wins.
        public var source: String?
        /// Earlier settings it overrides, "FILE:LINE (VALUE)".
        public var overridden: [String]

        /// Every key always present (null when empty), as `KernelFact` does.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(runtime, forKey: .runtime)
            try container.encode(boot, forKey: .boot)
            try container.encode(source, forKey: .source)
            try container.encode(overridden, forKey: .overridden)
        }
        enum CodingKeys: String, CodingKey { case key, runtime, boot, source, overridden }
    }

    public var entries: [Entry]

    /// Every conntrack sysctl ctfix knows that exists here: max and the established timeout
    /// always, the other timeouts when a boot file sets them; then the hash size.
    public static func read(_ fs: any FileSystem) -> ConntrackBootValues {
        let config = SysctlBootConfig.read(fs)
        var entries: [Entry] = []
        var groups = [ConntrackKeys.max, ConntrackKeys.establishedTimeout]
        groups += ConntrackKeys.otherTimeouts.map(ConntrackKeys.timeoutKeys)
        for (index, group) in groups.enumerated() {
            guard let key = group.compactMap({ try? SysctlKey($0) }).first(where: { fs.exists($0.path) }) else { continue }
            let runtime = (try? fs.readText(key.path))?.trimmed(.whitespacesAndNewlines)
            let settings = config.settings(of: key.dottedName)
            guard index < 2 || !settings.isEmpty else { continue }
            let winner = settings.last
            entries.append(Entry(key: key.dottedName, runtime: runtime, boot: winner?.value, source: winner?.place,
                                 overridden: settings.dropLast().map { "\($0.place) (\($0.value))" }))
        }
        if let path = ConntrackKeys.hashsizePaths.first(where: { fs.exists($0) }) {
            let module = String(path.split(separator: "/")[2])
            let runtime = (try? fs.readText(path))?.trimmed(.whitespacesAndNewlines)
            if ConntrackBootFacts.isBuiltIn(module, fs) == true {
                let booted = ConntrackBootFacts.commandLineHashsize(module, fs)
                entries.append(Entry(key: "\(module).hashsize", runtime: runtime, boot: booted,
                                     source: booted == nil ? nil : "/proc/cmdline (built in: the kernel command line)", overridden: []))
            } else {
                let options = ConntrackBootFacts.hashsizeOptions(module, fs)
                entries.append(Entry(key: "\(module) hashsize", runtime: runtime, boot: options.last?.value,
                                     source: options.last.map { "\($0.file):\($0.line)" },
                                     overridden: options.dropLast().map { "\($0.file):\($0.line) (\($0.value))" }))
            }
        }
        return ConntrackBootValues(entries: entries)
    }

    /// The block `ctfix status` prints.
    public var textLines: [String] {
        guard !entries.isEmpty else { return [] }
        var lines = ["runtime and after the next boot (sysctl.d and sysctl.conf in sysctl --system order; modprobe.d)"]
        for entry in entries {
            let runtime = entry.runtime ?? "?"
            var boot: String
            if let value = entry.boot, let source = entry.source {
                boot = "\(value) from \(source)"
                if value != runtime { boot += "  (differs: a reboot changes it)" }
            } else {
                boot = "kernel default (no file sets it)"
            }
            lines.append("  \(entry.key): runtime \(runtime), after boot \(boot)")
            if !entry.overridden.isEmpty { lines.append("    overrides \(entry.overridden.joined(separator: ", "))") }
        }
        return lines
    }
}
