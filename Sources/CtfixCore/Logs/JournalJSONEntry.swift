import Foundation

/// One `journalctl -o json` entry. journald writes `MESSAGE` as a string, or as an array of
/// bytes when the text is not valid UTF-8 or holds control characters; both are accepted.
struct JournalJSONEntry: Sendable, Equatable {
    var time: Date?
    var secondsSinceBoot: Double?
    var message: String
    /// True for the kernel's own entries: `_TRANSPORT=kernel` and `SYSLOG_FACILITY=0`.
    var isKernel: Bool
    /// `SYSLOG_FACILITY`, when the entry has one.
    var facility: Int?

    init(time: Date?, secondsSinceBoot: Double? = nil, message: String, isKernel: Bool = true) {
        self.time = time
        self.secondsSinceBoot = secondsSinceBoot
        self.message = message
        self.isKernel = isKernel
    }

    /// Decodes one JSON line; nil when it is not a JSON object with a message.
    init?(line: UnsafeBufferPointer<UInt8>) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: line), options: []),
              let fields = object as? [String: Any] else { return nil }
        guard let message = Self.text(fields["MESSAGE"]) else { return nil }
        self.message = message
        self.time = Self.text(fields["__REALTIME_TIMESTAMP"]).flatMap(Double.init)
            .map { Date(timeIntervalSince1970: $0 / 1_000_000) }
        self.secondsSinceBoot = (Self.text(fields["_SOURCE_MONOTONIC_TIMESTAMP"]) ?? Self.text(fields["__MONOTONIC_TIMESTAMP"]))
            .flatMap(Double.init).map { $0 / 1_000_000 }
        // journald writes both fields on every record it reads from /dev/kmsg. `_TRANSPORT`
        // is trusted (clients cannot set `_` fields); the kmsg facility tells the kernel's
        // records from those user space wrote to /dev/kmsg, which journald also files under
        // `_TRANSPORT=kernel` (and `journalctl -k` shows). `SYSLOG_IDENTIFIER=kernel` or
        // `SYSLOG_FACILITY=0` alone is whatever the sender chose (`logger -t kernel`,
        // `logger --journald`), so an entry without both is not the kernel's.
        let facility = Self.text(fields["SYSLOG_FACILITY"]).flatMap { Int($0) }
        self.facility = facility
        isKernel = Self.text(fields["_TRANSPORT"]) == "kernel" && facility == 0
    }

    /// A field's value as text: strings as they are, byte arrays decoded, numbers printed.
    static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String:
            return string
        case let array as [Any]:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(array.count)
            for element in array {
                guard let number = element as? NSNumber, let byte = UInt8(exactly: number.intValue) else { return nil }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        case let number as NSNumber:
            return number.stringValue
        default:
            return nil
        }
    }

    /// Parses `journalctl -o json` output: one entry per line; lines that are not entries are
    /// skipped and counted.
    static func parseOutput(_ output: String) -> (entries: [JournalJSONEntry], skipped: Int) {
        var entries: [JournalJSONEntry] = []
        var skipped = 0
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            var text = String(line)
            let entry = text.withUTF8 { JournalJSONEntry(line: $0) }
            if let entry { entries.append(entry) } else { skipped += 1 }
        }
        return (entries, skipped)
    }
}
