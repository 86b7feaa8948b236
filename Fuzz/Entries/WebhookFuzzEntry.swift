import CtfixCore
import Foundation

/// Bytes as a webhook request body: `StrictJSON`, `WebhookPayload.decode` (which `ctfix serve`
/// runs on every POST), then for each alert the intake's pure decisions: host matching and the
/// alert parameter policy on every label value.
///
/// Invariants: the strict validator accepts only JSON (everything it accepts, Foundation's
/// lenient parser also reads; everything Foundation refuses, it refuses), and never a body with
/// a repeated key in one object; a decoded payload respects `PayloadLimits` and has only
/// `firing`/`resolved` statuses; an error names a place inside the body (`line L, column C`
/// within it, or a `$` path); an alert is taken for this host only when its host label names
/// it; a label value accepted for a parameter is on the stricter side of its default.
enum WebhookFuzzEntry {
    static let hostName = "app-12.example.com"
    static let addresses = ["192.0.2.12", "2001:db8::12"]

    static func check(_ bytes: [UInt8], _ violations: inout Violations) {
        let data = Data(bytes)
        let lenient = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        var strictAccepted = true
        do {
            try StrictJSON.validate(data)
        } catch {
            strictAccepted = false
            checkPlace(error.message, bytes, &violations)
        }
        if strictAccepted {
            violations.expect(lenient != nil, "StrictJSON accepts a body Foundation cannot read: \(quoted(String(decoding: bytes, as: UTF8.self)))")
            violations.expect(lenient == nil || !DuplicateKeys.found(in: lenient, body: bytes), "StrictJSON accepts a body with a repeated key")
        }
        let payload: WebhookPayload
        do {
            payload = try WebhookPayload.decode(data)
        } catch {
            checkPlace(error.message, bytes, &violations)
            return
        }
        violations.expect(strictAccepted, "the decoder accepts a body StrictJSON refuses")
        checkPayload(payload, &violations)
    }

    static func checkPayload(_ payload: WebhookPayload, _ violations: inout Violations) {
        let limits = PayloadLimits()
        violations.expect(payload.alerts.count <= limits.maxAlerts, "\(payload.alerts.count) alerts accepted")
        violations.expect(payload.status == .firing || payload.status == .resolved, "payload status \(payload.status.text) accepted")
        let filter = HostAlertFilter()
        for (index, alert) in payload.alerts.enumerated() {
            violations.expect(alert.status == .firing || alert.status == .resolved, "alert \(index) status \(alert.status.text) accepted")
            violations.expect(alert.labels.count <= limits.maxLabels, "alert \(index) has \(alert.labels.count) labels")
            for (name, value) in alert.labels {
                violations.expect(!name.isEmpty && name.utf8.count <= limits.maxNameBytes, "alert \(index) label name \(quoted(name)) accepted")
                violations.expect(value.utf8.count <= limits.maxLabelValueBytes, "alert \(index) label \(name) of \(value.utf8.count) bytes accepted")
                for parameter in ExpressionFuzzEntry.parameters {
                    ExpressionFuzzEntry.checkParameter(parameter, value, &violations)
                }
            }
            if filter.rejection(of: alert.labels, host: hostName, addresses: addresses) == nil {
                let value = filter.labels.lazy.compactMap { alert.labels[$0] }.first ?? ""
                let named = value.lowercased().contains("app-12") || addresses.contains { HostAlertFilter.sameHost(value, $0) }
                violations.expect(named, "alert \(index) with host label \(quoted(value)) taken for \(hostName)")
            }
        }
    }

    /// `line L, column C: …` must lie inside the body; a field path starts with `$`.
    static func checkPlace(_ message: String, _ bytes: [UInt8], _ violations: inout Violations) {
        violations.expect(!message.isEmpty, "payload error without a message")
        guard message.hasPrefix("line ") else { return }
        let numbers = message.dropFirst(5).split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return violations.fail("unreadable place in \(quoted(message))") }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard numbers[0] >= 1, numbers[0] <= lines.count else {
            return violations.fail("error line \(numbers[0]) outside the body's \(lines.count) lines: \(quoted(message))")
        }
        let width = lines[numbers[0] - 1].count
        violations.expect(numbers[1] >= 1 && numbers[1] <= width + 1,
                          "error column \(numbers[1]) outside line \(numbers[0]) (\(width) bytes): \(quoted(message))")
    }
}

/// Foundation keeps one value of a repeated key, so a repeat shows as a missing member: the
/// objects it read must hold as many members as the body has `:` separators outside strings.
enum DuplicateKeys {
    static func found(in object: Any?, body: [UInt8]) -> Bool {
        members(object) != separators(body)
    }

    static func members(_ object: Any?) -> Int {
        switch object {
        case let dictionary as [String: Any]: dictionary.count + dictionary.values.reduce(0) { $0 + members($1) }
        case let array as [Any]: array.reduce(0) { $0 + members($1) }
        default: 0
        }
    }

    static func separators(_ body: [UInt8]) -> Int {
        var count = 0, inString = false, escaped = false
        for byte in body {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ":") {
                count += 1
            }
        }
        return count
    }
}
