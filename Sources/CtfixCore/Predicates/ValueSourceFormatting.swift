import Foundation

/// Formats a reading's value with its unit, the way details show it ("180 entries",
/// "3156439040 bytes (2.9 GiB)").
public enum ValueText {
    public static func of(_ value: Double, unit: String) -> String {
        switch unit {
        case "": return formatNumber(value)
        case "bytes": return "\(formatNumber(value)) bytes (\(bytes(value)))"
        case "seconds": return "\(formatNumber(value)) s" + (value >= 120 ? " (\(DurationWords.of(seconds: value)))" : "")
        default: return "\(formatNumber(value)) \(unit)"
        }
    }

    /// Bytes in binary units with one decimal: "2.9 GiB", "312 B".
    public static func bytes(_ value: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var scaled = value, index = 0
        while abs(scaled) >= 1024, index < units.count - 1 { scaled /= 1024; index += 1 }
        if index == 0 { return "\(formatNumber(value)) B" }
        let text = formatNumber((scaled * 10).rounded() / 10)
        return "\(text) \(units[index])"
    }

    /// A ratio as a percentage: whole percents from 100%, one decimal from 10%, two below.
    public static func percent(_ ratio: Double) -> String {
        let pct = ratio * 100
        let decimals: Double = abs(pct) >= 100 ? 1 : abs(pct) >= 10 ? 10 : 100
        return formatNumber((pct * decimals).rounded() / decimals) + "%"
    }
}

/// Seconds as a person reads a timeout: "5d", "2h 30m", "45s".
public enum DurationWords {
    public static func of(seconds: Double) -> String {
        var rest = Int(seconds.rounded())
        var parts: [String] = []
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        if rest > 0 || parts.isEmpty { parts.append("\(rest)s") }
        return parts.prefix(2).joined(separator: " ")
    }
}
