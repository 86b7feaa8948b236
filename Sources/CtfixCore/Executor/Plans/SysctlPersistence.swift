import Foundation

extension SysctlAction {
    /// Steps that keep the value across reboots: the key's line in a sysctl file (edited in
    /// place, other lines untouched) and, for conntrack keys, the module in
    /// `/etc/modules-load.d/` so the key exists when systemd-sysctl applies the file.
    func persistSteps(_ persist: Persist, key: String, value: Double, context: PlanContext, notes: inout [String]) -> [PlannedStep] {
        let fs = context.fileSystem
        var file = persist.file
        if file.hasPrefix("/etc/sysctl.d/"), !fs.exists("/etc/sysctl.d") {
            notes.append("no /etc/sysctl.d on this host (older distribution): persisting in /etc/sysctl.conf")
            file = "/etc/sysctl.conf"
        }
        var steps: [PlannedStep] = []
        let content = context.plannedContent(of: file)
        let header = content == nil ? "# Written by ctfix (playbook \(context.playbookName), run \(context.runID)).\n" : ""
        let edited = Self.settingKey(key, to: formatNumber(value), in: (content ?? "") , header: header)
        if let step = context.fileStep(file, after: edited) { steps.append(step) }

        if let module = persist.modulesLoad, key.contains("conntrack") {
            let moduleName = key.contains("ip_conntrack") ? "ip_conntrack" : module
            if !fs.exists("/etc/modules-load.d") {
                notes.append("no /etc/modules-load.d (not systemd): make sure \(moduleName) is loaded before the sysctl file is applied at boot")
            } else {
                let loadFile = persist.modulesLoadFile ?? "/etc/modules-load.d/ctfix-conntrack.conf"
                let existing = context.plannedContent(of: loadFile) ?? ""
                let lines = existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                if !lines.contains(moduleName) {
                    let prefix = existing.isEmpty ? "# Written by ctfix: load \(moduleName) early so its sysctl keys apply at boot.\n" : (existing.hasSuffix("\n") ? existing : existing + "\n")
                    if let step = context.fileStep(loadFile, after: prefix + moduleName + "\n") { steps.append(step) }
                }
            }
        }
        return steps
    }

    /// The file with every assignment of `key` set to `value` (`key = value`, `key=value`,
    /// dotted or slashed), or a line appended when there is none. Comments stay.
    static func settingKey(_ key: String, to value: String, in content: String, header: String = "") -> String {
        let slashed = key.replacingOccurrences(of: ".", with: "/")
        var lines = content.isEmpty ? [] : content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var found = false
        for index in lines.indices {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("-") { name.removeFirst() }
            guard name == key || name == slashed else { continue }
            lines[index] = "\(key) = \(value)"
            found = true
        }
        if !found { lines.append("\(key) = \(value)") }
        return header + lines.joined(separator: "\n") + "\n"
    }
}
