import CtfixCore
import Foundation

/// Bytes as kernel-log text: each line (split at `\n`, as the scanner and `ctfix watch` split)
/// through `KernelLogLineParser`, in every format it recognises, journald JSON entries included.
///
/// Invariants: the message of a line in a plain format is the tail of that line's bytes (every
/// prefix removed, nothing invented) and the host is a piece of the line; times are finite,
/// seconds since boot finite and not negative, a year-less syslog time is not after `now` (plus
/// the stated slack); a kmsg record is the kernel's exactly when its facility is 0, a kmsg
/// dictionary line is never a kernel message; and parsing is deterministic: a fresh parser
/// and one that already read the other lines return the same result.
enum LogLineFuzzEntry {
    static let now = Date(timeIntervalSince1970: 1_731_056_098) // 2024-11-08T08:54:58Z
    static let bootTime = Date(timeIntervalSince1970: 1_730_000_000)
    static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    static func check(_ bytes: [UInt8], _ violations: inout Violations) {
        var shared = KernelLogLineParser(now: now, timeZone: timeZone, bootTime: bootTime)
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let lineBytes = Array(line)
            var fresh = KernelLogLineParser(now: now, timeZone: timeZone, bootTime: bootTime)
            let parsed = lineBytes.withUnsafeBufferPointer { fresh.parse(bytes: $0) }
            let again = lineBytes.withUnsafeBufferPointer { shared.parse(bytes: $0) }
            violations.expect(parsed == again, "parsing depends on earlier lines: \(parsed) vs \(again)")
            checkLine(lineBytes, parsed, &violations)
            if let text = String(validating: lineBytes, as: UTF8.self) {
                violations.expect(fresh.parse(text) == parsed, "parse(String) and parse(bytes:) differ for \(quoted(text))")
            }
        }
    }

    static func checkLine(_ bytes: [UInt8], _ line: KernelLogLine, _ violations: inout Violations) {
        let text = String(decoding: bytes, as: UTF8.self)
        var content = bytes
        if content.last == 0x0D { content.removeLast() }
        if line.format != .journalJSON, String(validating: bytes, as: UTF8.self) != nil {
            let message = Array(line.message.utf8)
            violations.expect(message.count <= content.count && Array(content.suffix(message.count)) == message,
                              "\(line.format) message \(quoted(line.message)) is not the end of the line \(quoted(text))")
            if let host = line.host {
                violations.expect(!host.isEmpty && text.contains(host), "\(line.format) host \(quoted(host)) is not in the line \(quoted(text))")
            }
        }
        if let time = line.time {
            violations.expect(time.timeIntervalSince1970.isFinite, "\(line.format) time is not finite in \(quoted(text))")
            if line.format == .rfc3164 {
                violations.expect(time.timeIntervalSince(now) <= 86_400 + 1,
                                  "year-less time \(time) inferred after now (\(now)) for \(quoted(text))")
            }
        }
        if let seconds = line.secondsSinceBoot {
            violations.expect(seconds.isFinite && seconds >= 0, "seconds since boot \(seconds) in \(quoted(text))")
        }
        switch line.format {
        case .kmsg:
            violations.expect(line.isKernel == (line.facility == 0),
                              "kmsg record with facility \(String(describing: line.facility)) has isKernel \(line.isKernel): \(quoted(text))")
        case .kmsgContinuation:
            violations.expect(!line.isKernel, "a kmsg dictionary line counts as a kernel message: \(quoted(text))")
        default:
            break
        }
    }
}
