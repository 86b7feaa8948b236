import Foundation

/// Writes a realistic Ubuntu-style `/var/log/kern.log` of a given size: classic syslog
/// timestamps (UTC, no year) and the kernel's `[uptime]` prefix, about five lines a second of
/// firewall drops, audit and TCP noise spanning days, an old table-full incident in the middle
/// and a current one (table-full lines with `net_ratelimit` notices) in the last 20 minutes.
///
/// Lines are assembled as bytes into an 8 MiB buffer and written in one call per buffer, so a
/// 1 GiB file takes seconds, not minutes.
struct SyntheticKernLog {
    /// The instant of the last line (the benchmark evaluates "now" just after it).
    static let end = Date(timeIntervalSince1970: 1_762_592_100) // 2025-11-08T08:55:00Z
    static let secondsPerLine = 0.2
    /// The current incident: its last 20 minutes of lines are table-full lines and notices.
    static let incidentLines = 20 * 60 * 5

    let size: Int

    /// Writes the file; returns the time of its last line.
    func write(to path: String) throws -> Date {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchError("cannot create \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchError("cannot write \(path)")
        }
        defer { try? handle.close() }
        let averageLength = Self.averageLineLength()
        let plannedLines = Int(Double(size) / averageLength)
        let start = Self.end.timeIntervalSince1970 - Double(plannedLines) * Self.secondsPerLine
        // Where the incidents are is decided by bytes, so they land where planned whatever
        // the exact line lengths: the current one at the end, an old one (5 minutes) halfway.
        let incidentBytes = Int(Double(Self.incidentLines) * averageLength)
        let oldIncident = (size / 2)..<(size / 2 + Int(1500 * averageLength))
        var buffer = ByteLineBuffer(capacity: 8 << 20)
        var written = 0
        var index = 0
        var time = start
        while written + buffer.count < size {
            time = start + Double(index) * Self.secondsPerLine
            let position = written + buffer.count
            let inIncident = position >= size - incidentBytes || oldIncident.contains(position)
            buffer.appendLine(index: index, time: time, incident: inIncident)
            index += 1
            if buffer.count >= (8 << 20) - 4096 {
                handle.write(buffer.data)
                written += buffer.count
                buffer.removeAll()
            }
        }
        handle.write(buffer.data)
        return Date(timeIntervalSince1970: time)
    }

    /// The mean length of the noise lines, measured over whole cycles of the generator.
    static func averageLineLength() -> Double {
        var buffer = ByteLineBuffer(capacity: 1 << 20)
        let lines = 17 * 200
        for index in 0..<lines { buffer.appendLine(index: index, time: 1_000_000, incident: false) }
        return Double(buffer.count) / Double(lines)
    }
}

/// Bytes of log lines being assembled.
struct ByteLineBuffer {
    private(set) var bytes: [UInt8]
    private var cachedDay = Int.min
    private var cachedDate: [UInt8] = []

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }
    var data: Data { Data(bytes) }
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(number: Int, width: Int = 0, pad: UInt8 = 0x30) {
        var value = max(number, 0)
        var length = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            length += 1
        }
        if length < width { bytes.append(contentsOf: repeatElement(pad, count: width - length)) }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0x30, count: length))
        var position = start + length - 1
        repeat {
            bytes[position] = UInt8(0x30 + value % 10)
            value /= 10
            position -= 1
        } while value > 0
    }

    /// `Nov  8 08:54:58 host kernel: [1000000.000000] `
    mutating func appendSyslogPrefix(time: Double, host: StaticString, uptime: Double) {
        let seconds = Int(time)
        let day = seconds / 86_400
        if day != cachedDay {
            cachedDay = day
            let (month, dayOfMonth) = Self.monthAndDay(daysSinceEpoch: day)
            let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            cachedDate = Array(names[month - 1].utf8) + [0x20] + (dayOfMonth < 10 ? [0x20] : [])
                + Array(String(dayOfMonth).utf8) + [0x20]
        }
        bytes.append(contentsOf: cachedDate)
        let clock = seconds % 86_400
        append(number: clock / 3600, width: 2)
        append(byte: 0x3A)
        append(number: clock % 3600 / 60, width: 2)
        append(byte: 0x3A)
        append(number: clock % 60, width: 2)
        append(byte: 0x20)
        append(host)
        append(" kernel: [")
        append(number: Int(uptime), width: 5, pad: 0x20)
        append(byte: 0x2E)
        append(number: Int((uptime - uptime.rounded(.down)) * 1_000_000), width: 6)
        append("] ")
    }

    /// One line: table-full lines and `net_ratelimit` notices during an incident, noise otherwise.
    mutating func appendLine(index: Int, time: Double, incident: Bool) {
        appendSyslogPrefix(time: time, host: "edge-fw-03", uptime: 1_000_000 + Double(index) * SyntheticKernLog.secondsPerLine)
        if incident, index % 10 == 0 {
            append("nf_conntrack: nf_conntrack: table full, dropping packet")
        } else if incident, index % 10 == 9 {
            append("net_ratelimit: ")
            append(number: 40 + index % 60)
            append(" callbacks suppressed")
        } else {
            appendNoise(index)
        }
        append(byte: 0x0A)
    }

    /// Everyday kernel chatter of a busy firewall.
    mutating func appendNoise(_ index: Int) {
        switch index % 17 {
        case 3:
            append("audit: type=1400 audit(")
            append(number: 1_700_000_000 + index)
            append(".412:")
            append(number: index % 100_000)
            append("): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.lxd.daemon\" name=\"/proc/")
            append(number: index % 32768)
            append("/mountinfo\" pid=")
            append(number: index % 32768)
            append(" comm=\"lxd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0")
        case 11:
            append("TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.")
        default:
            append("[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.")
            append(number: index % 250)
            append(" DST=198.51.100.7 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=")
            append(number: index % 65536)
            append(" DF PROTO=TCP SPT=")
            append(number: 1024 + index % 60000)
            append(" DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0")
        }
    }

    /// Gregorian month and day of a day count since 1970-01-01.
    static func monthAndDay(daysSinceEpoch days: Int) -> (Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        return (monthIndex < 10 ? monthIndex + 3 : monthIndex - 9, day)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
