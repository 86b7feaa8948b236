import Foundation

extension ConntrackSnapshot {
    /// The at-a-glance block `ctfix status` prints: one labelled line per fact, numbers first,
    /// where they came from after, and the reason in place of a value that could not be read.
    public var textLines: [String] {
        var lines = [headline]
        func row(_ label: String, _ text: String) {
            lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + text)
        }
        // Without conntrack every sysctl is missing for the same reason: say it once.
        let absent = era.value == nil && count.value == nil
        func missing<Value>(_ fact: KernelFact<Value>, isConntrackSysctl: Bool = true) -> String {
            absent && isConntrackSysctl ? "unknown (conntrack not present)" : "unknown: \(fact.missingReason ?? "not read")"
        }

        if let count = count.value, let max = max.value {
            let percent = usage.map { " = \(ValueText.percent($0)) full" } ?? ""
            row("entries", "\(formatNumber(count)) / \(formatNumber(max))\(percent)   (\(self.count.key ?? "?"), \(self.max.key ?? "?"))")
        } else {
            row("entries", count.value.map { "\(formatNumber($0)) (max \(missing(max)))" } ?? "unknown: \(count.missingReason ?? "not read")")
        }
        if let note = max.note { row("", note) }

        var bucketText = buckets.value.map { formatNumber($0) } ?? missing(buckets)
        if let size = hashsize.value { bucketText += "  (hashsize \(formatNumber(size)))" }
        if let count = count.value, let bucketCount, bucketCount > 0 {
            bucketText += "  \(formatNumber((count / bucketCount * 100).rounded() / 100)) entries per bucket"
        }
        row("hash buckets", bucketText)

        if let size = entrySize.value {
            row("entry size", "\(formatNumber(size)) bytes" + (entrySize.note.map { "  (\($0))" } ?? ""))
        }
        let memory = entriesMemory
        if let used = memory.value, let count = count.value, let size = entrySize.value {
            let buckets = bucketCount.map { " + \(formatNumber($0)) buckets × 8 B" } ?? ""
            row("entry memory", "\(ValueText.bytes(used))  (\(formatNumber(count)) × \(formatNumber(size)) B\(buckets))")
        } else {
            row("entry memory", missing(memory, isConntrackSysctl: false))
        }

        if let available = memAvailable.value {
            let total = memTotal.value.map { " of \(ValueText.bytes($0)) total" } ?? ""
            row("memory", "MemAvailable \(ValueText.bytes(available))\(total)" + (memAvailable.note.map { "  (\($0))" } ?? ""))
        } else {
            row("memory", missing(memAvailable, isConntrackSysctl: false))
        }
        if let budget {
            let share = formatNumber(budget.share * 100) + "%"
            var text = "max could go to \(formatNumber(budget.maxWithinBudget)) within \(share) of MemAvailable"
            text += " (\(ValueText.bytes(budget.budgetBytes)) at \(formatNumber(budget.bytesPerEntry)) bytes per entry)"
            if let max = max.value, max > budget.maxWithinBudget {
                text += "; the current max \(formatNumber(max)) is already beyond it"
            }
            if nonInitialNamespace.value == true {
                text += "; max is read-only in this namespace: raise it on the host"
            }
            row("budget", text)
        } else {
            row("budget", "unknown: needs the entry count, the entry size and MemAvailable")
        }

        if let established = establishedTimeout.value {
            row("timeouts", "tcp established \(ValueText.of(established, unit: "seconds"))")
        } else {
            row("timeouts", "tcp established \(missing(establishedTimeout))")
        }
        for chunk in stride(from: 0, to: timeouts.count, by: 4) {
            let text = timeouts[chunk..<Swift.min(chunk + 4, timeouts.count)]
                .map { "\($0.name.replacingOccurrences(of: "_timeout", with: "").replacingOccurrences(of: "_", with: " ")) \(formatNumber($0.seconds)) s" }
                .joined(separator: ", ")
            row("", text)
        }
        return lines
    }

    /// "conntrack: nf_conntrack, built into the kernel, initial network namespace".
    var headline: String {
        var parts: [String] = []
        parts.append(era.value?.rawValue ?? "not present (\(era.missingReason ?? "?"))")
        switch module.value {
        case .loadable?:
            parts.append("loadable module" + (moduleUsers.value.map { " (\(formatNumber($0)) users)" } ?? ""))
        case .builtIn?: parts.append("built into the kernel (cannot be unloaded)")
        case .notLoaded?: parts.append("module not loaded")
        case nil: parts.append("module state unknown")
        }
        switch nonInitialNamespace.value {
        case true?: parts.append("non-initial network namespace (max, buckets and hashsize are read-only here)")
        case false?: parts.append("initial network namespace")
        case nil: break
        }
        return "conntrack: " + parts.joined(separator: ", ")
    }
}
