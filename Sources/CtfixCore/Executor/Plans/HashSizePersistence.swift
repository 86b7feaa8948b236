import Foundation

extension SysctlAction {
    /// Persists a raised hash size the way the kernel reads it at boot: `options nf_conntrack
    /// hashsize=N` in `modprobe.d` for a loadable module; for a built-in one the kernel command
    /// line (`nf_conntrack.hashsize=N`), shown as a manual step because ctfix never edits the
    /// boot loader. Nil (with a note) when nothing is written.
    func hashSizePersistStep(module: String, wanted: Double, context: PlanContext,
                             notes: inout [String]) throws(PersistRefusal) -> PlannedStep? {
        let fs = context.fileSystem
        let value = formatNumber(wanted)
        if ConntrackBootFacts.isBuiltIn(module, fs) == true {
            var note = "\(module) is built into this kernel, so its hash size at boot comes from the kernel command line. Manual step: add '\(module).hashsize=\(value)' to the kernel command line (ctfix never edits the boot loader)"
            if let booted = ConntrackBootFacts.commandLineHashsize(module, fs) { note += "; the running kernel was booted with \(module).hashsize=\(booted)" }
            notes.append(note)
            return nil
        }
        let file = ConntrackBootFacts.modprobeFile
        guard fs.exists("/etc/modprobe.d") else {
            notes.append("no /etc/modprobe.d on this host: hash size not persisted. Manual step: add 'options \(module) hashsize=\(value)' to /etc/modprobe.conf")
            return nil
        }
        if fs.isSymbolicLink(file) {
            throw PersistRefusal(reason: "\(file) is a symbolic link; ctfix never writes through one")
        }
        let line = "options \(module) hashsize=\(value)"
        let existing = context.plannedContent(of: file)
        var lines = (existing ?? "# Written by ctfix: the conntrack hash size the module loads with at boot.\n")
            .split(separator: "\n").map(String.init)
            .filter { !($0.hasPrefix("options \(module) ") && $0.contains("hashsize=")) }
        lines.append(line)
        let after = lines.joined(separator: "\n") + "\n"
        let options = ConntrackBootFacts.hashsizeOptions(module, fs) { $0 == file ? after : context.plannedContent(of: $0) }
        if let last = options.last, last.file != file {
            notes.append("warning: \(last.file):\(last.line) sets \(module) hashsize=\(last.value) and is read after \(file): the module will load with \(last.value) at boot; change or remove that option")
        } else {
            notes.append("after the next boot: \(module) hashsize = \(value) (from \(file))")
        }
        return context.fileStep(file, after: after)
    }

    /// When the hash size is not raised: a `modprobe.d` option that disagrees with the running
    /// value would change it at the next module load.
    func hashSizeBootNotes(module: String, wanted: Double, context: PlanContext) -> [String] {
        let fs = context.fileSystem
        guard ConntrackBootFacts.isBuiltIn(module, fs) != true,
              let last = ConntrackBootFacts.hashsizeOptions(module, fs, content: context.plannedContent(of:)).last,
              Double(last.value) ?? -1 < wanted else { return [] }
        return ["warning: \(last.file):\(last.line) sets \(module) hashsize=\(last.value): the module will load with that at boot, below \(formatNumber(wanted))"]
    }
}
