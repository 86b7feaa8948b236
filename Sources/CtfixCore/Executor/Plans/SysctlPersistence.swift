import Foundation

extension SysctlAction {
    /// Why persistence cannot be planned safely: the whole action is refused (a planted
    /// symlink at a file ctfix would replace).
    struct PersistRefusal: Error { var reason: String }

    /// Steps that keep the value across reboots. The boot files are read in the order
    /// `sysctl --system` applies them (`SysctlBootConfig`): when ctfix's file would be the last
    /// to set the key, the key's line there is edited (other lines untouched); when a file
    /// applied later wins (a `99-` file, `/etc/sysctl.conf`), that file's line is edited in
    /// place instead, if it is an administrator's file under `/etc`; otherwise nothing is
    /// persisted and the plan says why and what to do by hand. For conntrack keys of a
    /// loadable module, the module goes in `/etc/modules-load.d/` so the key exists when
    /// systemd-sysctl applies the file (never for a built-in module: the next boot would log
    /// "Failed to find module").
    func persistSteps(_ persist: Persist, key: String, value: Double, context: PlanContext,
                      notes: inout [String]) throws(PersistRefusal) -> [PlannedStep] {
        let fs = context.fileSystem
        var file = persist.file
        if file.hasPrefix("/etc/sysctl.d/"), !fs.exists("/etc/sysctl.d") {
            notes.append("no /etc/sysctl.d on this host (older distribution): persisting in /etc/sysctl.conf")
            file = "/etc/sysctl.conf"
        }
        let valueText = formatNumber(value)
        var steps: [PlannedStep] = []
        if let step = try sysctlFileStep(file: file, key: key, valueText: valueText, context: context, notes: &notes) {
            steps.append(step)
        }
        if let module = persist.modulesLoad, key.containsLiteral("conntrack") {
            let moduleName = key.containsLiteral("ip_conntrack") ? "ip_conntrack" : module
            if ConntrackBootFacts.isBuiltIn(moduleName, fs) == true {
                notes.append("\(moduleName) is built into this kernel: no modules-load.d entry (its keys exist from boot)")
            } else if !fs.exists("/etc/modules-load.d") {
                notes.append("no /etc/modules-load.d (not systemd): make sure \(moduleName) is loaded before the sysctl file is applied at boot")
            } else {
                let loadFile = persist.modulesLoadFile ?? "/etc/modules-load.d/ctfix-conntrack.conf"
                if fs.isSymbolicLink(loadFile) { throw PersistRefusal(reason: "\(loadFile) is a symbolic link; ctfix never writes through one") }
                let existing = context.plannedContent(of: loadFile) ?? ""
                let lines = existing.split(separator: "\n").map { $0.trimmed(.whitespaces) }
                if !lines.contains(moduleName) {
                    let prefix = existing.isEmpty ? "# Written by ctfix: load \(moduleName) early so its sysctl keys apply at boot.\n" : (existing.hasSuffix("\n") ? existing : existing + "\n")
                    if let step = context.fileStep(loadFile, after: prefix + moduleName + "\n") { steps.append(step) }
                }
            }
        }
        if key.containsLiteral("conntrack") { notes += ConntrackBootFacts.otherOwners(of: key, fs) }
        return steps
    }

    /// The edit that makes `key` boot as `valueText`: ctfix's own file, or the later file that
    /// would override it; nil (with the reason in the notes) when neither can be edited.
    func sysctlFileStep(file: String, key: String, valueText: String, context: PlanContext,
                        notes: inout [String]) throws(PersistRefusal) -> PlannedStep? {
        let fs = context.fileSystem
        if fs.isSymbolicLink(file) {
            throw PersistRefusal(reason: "\(file) is a symbolic link; ctfix never writes through one (remove it or choose another persist file)")
        }
        let content = context.plannedContent(of: file)
        let header = content == nil ? "# Written by ctfix (playbook \(context.playbookName), run \(context.runID)).\n" : ""
        let edited = Self.settingKey(key, to: valueText, in: content ?? "", header: header)
        let config = SysctlBootConfig.read(fs, extraFiles: [file]) { path in path == file ? edited : context.plannedContent(of: path) }
        notes += config.notes.filter { $0.contains(file) || $0.contains(SysctlBootConfig.mainFile) }
        guard let winner = config.bootSetting(of: key) else {
            // ctfix's file is not applied at boot at all (masked by a same-named file earlier in the order).
            return refusedPersist(key: key, valueText: valueText, file: file, why: "\(file) is not applied at boot (masked by a file of the same name)", notes: &notes)
        }
        let others = config.settings(of: key).filter { $0.file != winner.file }.map { "\($0.place) (\($0.value))" }
        if winner.file == file {
            if !others.isEmpty { notes.append("also set, applied earlier and overridden: \(others.joined(separator: ", "))") }
            notes.append("after the next boot: \(key) = \(valueText) (from \(winner.place))")
            return context.fileStep(file, after: edited)
        }
        let why = "\(winner.place) sets \(key) = \(winner.value) and is applied after \(file) at boot"
        var problem: String?
        if winner.isGlob { problem = "its key '\(winner.keyText)' is a pattern that sets other keys too" }
        else if !SysctlBootConfig.isAdministratorFile(winner.file) { problem = "it is not an administrator's file under /etc (/run is regenerated at boot, /usr/lib belongs to a package)" }
        else if fs.isSymbolicLink(winner.file) { problem = "it is a symbolic link; ctfix never writes through one" }
        else if let info = try? fs.info(winner.file), !info.isWritable { problem = "it is not writable" }
        else if let offset = context.invalidUTF8Offset(of: winner.file) { problem = "it is not UTF-8 (byte \(offset))" }
        if let problem {
            return refusedPersist(key: key, valueText: valueText, file: file, why: "\(why); \(problem)", notes: &notes)
        }
        guard let current = context.plannedContent(of: winner.file) else {
            return refusedPersist(key: key, valueText: valueText, file: file, why: "\(why); it cannot be read", notes: &notes)
        }
        notes.append("\(why): editing its line in place instead of writing \(file)")
        let earlier = config.settings(of: key).filter { $0.file != winner.file && $0.file != file }.map { "\($0.place) (\($0.value))" }
        if !earlier.isEmpty { notes.append("also set: \(earlier.joined(separator: ", "))") }
        notes.append("after the next boot: \(key) = \(valueText) (from \(winner.place))")
        return context.fileStep(winner.file, after: Self.replacingValue(of: key, with: valueText, in: current))
    }

    private func refusedPersist(key: String, valueText: String, file: String, why: String, notes: inout [String]) -> PlannedStep? {
        let config = "\(key) = \(valueText)"
        notes.append("not persisted: \(why). Manual step: set '\(config)' in the file that wins at boot (or override it with a file of the same name in /etc/sysctl.d), then check with 'sysctl --system'")
        return nil
    }

    /// The file with the value of every literal (not pattern) assignment of `key` replaced,
    /// keeping each line's spelling, `-` prefix and spacing before the `=`.
    static func replacingValue(of key: String, with value: String, in content: String) -> String {
        let wanted = SysctlBootConfig.keyComponents(key)
        let lines = content.split(separator: "\n", omittingEmptySubsequences: false).map { raw -> String in
            let line = String(raw)
            let trimmed = line.trimmed(.whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"), let equals = line.firstIndex(of: "=") else { return line }
            var name = line[..<equals].trimmed(.whitespaces)
            if name.hasPrefix("-") { name.removeFirst() }
            guard SysctlBootConfig.keyComponents(name) == wanted else { return line }
            let spacing = line[line.index(after: equals)...].prefix(while: { $0 == " " || $0 == "\t" })
            return String(line[...equals]) + spacing + value
        }
        return lines.joined(separator: "\n")
    }

    /// The file with every assignment of `key` set to `value` (`key = value`, `key=value`,
    /// dotted or slashed), or a line appended when there is none. Comments stay.
    static func settingKey(_ key: String, to value: String, in content: String, header: String = "") -> String {
        let slashed = key.replacingASCII(".", with: "/") // a SysctlKey's dotted name: ASCII
        var lines = content.isEmpty ? [] : content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var found = false
        for index in lines.indices {
            let trimmed = lines[index].trimmed(.whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var name = trimmed[..<equals].trimmed(.whitespaces)
            if name.hasPrefix("-") { name.removeFirst() }
            guard name == key || name == slashed else { continue }
            lines[index] = "\(key) = \(value)"
            found = true
        }
        if !found { lines.append("\(key) = \(value)") }
        return header + lines.joined(separator: "\n") + "\n"
    }
}
