import Foundation

/// One `journalctl -o json` entry. journald writes `MESSAGE` as a string, or as an array of
/// bytes when the text is not valid UTF-8 or holds control characters; both are accepted.
struct JournalJSONEntry: Sendable, Equatable {
    var time: Date?
    var secondsSinceBoot: Double?
    var message: String
    /// True for entries of the kernel transport (all of them under `journalctl -k`).
    var isKernel: Bool

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
        if let transport = Self.text(fields["_TRANSPORT"]) {
            isKernel = transport == "kernel"
        } else if let identifier = Self.text(fields["SYSLOG_IDENTIFIER"]) {
            isKernel = identifier == "kernel"
        } else {
            isKernel = true
        }
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
