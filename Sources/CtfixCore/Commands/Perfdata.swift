/// Nagios performance data from an evaluated predicate tree, so a monitoring system graphs
/// the same numbers ctfix judged: `conntrack_usage=93%;75;90 conntrack_entries=243000;;;0;262144 log_matches=3`.
enum Perfdata {
    /// node-mixin's `NodeHighNumberConntrackEntriesUsed` warns above 75%.
    static let usageWarningPercent = 75.0

    static func render(_ result: PredicateResult) -> String {
        var items: [String] = []
        var seen: Set<String> = []
        for leaf in result.leaves {
            switch leaf.kind {
            case "ratio" where leaf.readings.count >= 2:
                let numerator = leaf.readings[0], denominator = leaf.readings[1]
                guard denominator.value > 0 else { continue }
                let isConntrack = numerator.name.contains("conntrack_count")
                let label = isConntrack ? "conntrack_usage" : "ratio_\(sanitize(numerator.name))"
                guard seen.insert(label).inserted else { continue }
                let percent = numerator.value / denominator.value * 100
                let critical = leaf.threshold.map { formatNumber(($0 * 100 * 10).rounded() / 10) } ?? ""
                // The mixin's 75% warning only below the critical threshold: Nagios reads a
                // warning above critical as a range that never warns.
                let warns = isConntrack && (leaf.threshold.map { $0 * 100 > usageWarningPercent } ?? true)
                let warning = warns ? formatNumber(usageWarningPercent) : ""
                items.append("\(label)=\(formatNumber((percent * 10).rounded() / 10))%;\(warning);\(critical)")
                if isConntrack, seen.insert("conntrack_entries").inserted {
                    items.append("conntrack_entries=\(formatNumber(numerator.value));;;0;\(formatNumber(denominator.value))")
                }
            case "log":
                let label = seen.contains("log_matches") ? "log_matches_\(seen.count)" : "log_matches"
                seen.insert(label)
                items.append("\(label)=\(leaf.count ?? 0)")
            case "counter":
                // The largest increase of any namespace (the one that decided), as a count.
                let increases = leaf.readings.filter { $0.unit == "events" }
                guard let top = increases.max(by: { $0.value < $1.value }),
                      let columns = top.name.split(separator: " ").first else { continue }
                let label = sanitize(String(columns)) + "_increase"
                guard seen.insert(label).inserted else { continue }
                items.append("\(label)=\(formatNumber(top.value));;\(leaf.threshold.map(formatNumber) ?? "")")
            case "value":
                guard let reading = leaf.readings.first else { continue }
                let label = sanitize(reading.name)
                guard seen.insert(label).inserted else { continue }
                let unit = reading.unit == "bytes" ? "B" : ""
                items.append("\(label)=\(formatNumber(reading.value))\(unit)")
            default:
                continue
            }
        }
        return items.joined(separator: " ")
    }

    /// Perfdata labels: letters, digits and underscores only.
    static func sanitize(_ name: String) -> String {
        let last = name.split(separator: ".").last.map(String.init) ?? name
        return String(last.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
