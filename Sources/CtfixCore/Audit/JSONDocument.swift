/// A small JSON file that ctfix wrote and reads back (a snapshot's `ctfix-snapshot.json`, its
/// `ctfix-stat-samples.json`), read with the audit log's own parser (`JSONTextParser`) rather
/// than `JSONDecoder`: on the dry-run path JSONDecoder's first use (its protocol conformance
/// lookups and bridging) cost more than everything else these files need (docs/benchmarks.md).
///
/// Never looser than the JSONDecoder it replaced: every text it reads, JSONDecoder read to the
/// same value (JSONDocumentTests compare them on generated files). Stricter where the old
/// reader guessed: a key written twice is an error (JSONDecoder silently kept the first copy),
/// as are trailing commas, leading zeros, bad escapes in members that are not used, nesting
/// deeper than `maximumDepth`, and UTF-16 or UTF-32 text. A UTF-8 byte order mark is skipped,
/// as before. Bad syntax is reported with its line and column, a bad value with its member
/// path (`samples[2].taken_at`).
struct JSONDocument {
    /// Deeper than any file read this way needs (they nest two levels).
    static let maximumDepth = 64

    /// What is wrong with the text, for a message after the file's name.
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Parses one whole JSON text (RFC 8259, strictly; no key twice in an object).
    static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: bom) ? bom.count : 0
        let outcome: Result<JSONValue, Failure> = bytes.withUnsafeBufferPointer { whole in
            let buffer = UnsafeBufferPointer(rebasing: whole[start...])
            var parser = JSONTextParser(bytes: buffer, maximumDepth: maximumDepth)
            parser.rejectsDuplicateKeys = true
            if let value = parser.value(depth: 0) {
                parser.skipSpace()
                if parser.index == buffer.count { return .success(value) }
                return .failure(failure(at: parser.index, in: buffer, "text after the JSON value"))
            }
            let why: String = switch parser.failure {
            case .tooDeep: "nested more than \(maximumDepth) levels deep"
            case .duplicateKey(let key): "the key \"\(shown(key))\" appears twice in one object"
            case nil: parser.index >= buffer.count ? "unexpected end of the text" : "not valid JSON"
            }
            return .failure(failure(at: parser.index, in: buffer, why))
        }
        return try outcome.get()
    }

    /// `line L, column C: why`, the column counted in characters (UTF-8 sequences).
    static func failure(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>, _ why: String) -> Failure {
        var line = 1, column = 1
        for byte in bytes[0..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Failure(description: "line \(line), column \(column): \(why)")
    }

    /// Outside text in a message: at most 64 characters, control characters escaped.
    static func shown(_ text: String) -> String {
        TerminalText.escape(text.count > 64 ? String(text.prefix(64)) + "…" : text)
    }

    /// A file's bytes, reading no more than `limit + 1` of them.
    enum Contents {
        case bytes([UInt8])
        /// More than the limit: the size the file had when opened, or what was read.
        case tooLarge(Int64)
    }

    /// Reads `path` up to `limit` bytes, nil when there is no such file (a regular file only:
    /// the file system refuses a FIFO or a device, which could be read for ever). The first
    /// read asks for the size the file had when opened, plus one byte to see its end.
    static func contents(of path: String, in fileSystem: any FileSystem, limit: Int) throws(FileSystemError) -> Contents? {
        let reader: any RandomAccessReader
        do { reader = try fileSystem.openForReading(path) } catch {
            if error.reason == .notFound { return nil }
            throw error
        }
        var bytes: [UInt8] = []
        var want = Int(clamping: min(reader.size, Int64(limit))) + 1
        while true {
            let piece = try reader.read(at: Int64(bytes.count), count: want)
            bytes += piece
            // A short read is the end of the file.
            if piece.count < want { return .bytes(bytes) }
            if bytes.count > limit { return .tooLarge(max(reader.size, Int64(bytes.count))) }
            want = min(65536, limit + 1 - bytes.count)
        }
    }

    /// One JSON object's members, read by name as a `Decodable` type's synthesized
    /// `init(from:)` read them: unknown members ignored, a `null` optional member absent.
    struct Object {
        let members: [String: JSONValue]
        /// Where the object is, for messages (`""` at the top, `samples[2]`).
        let path: String

        init(_ value: JSONValue, path: String = "") throws(Failure) {
            guard case .object(let members) = value else {
                throw Failure(description: "\(path.isEmpty ? "the file" : path): expected an object, found \(JSONDocument.kind(value))")
            }
            self.members = members
            self.path = path
        }

        func path(of key: String) -> String { path.isEmpty ? key : path + "." + key }

        func failure(_ key: String, _ why: String) -> Failure {
            Failure(description: "\(path(of: key)): \(why)")
        }

        func required(_ key: String) throws(Failure) -> JSONValue {
            guard let value = members[key] else { throw failure(key, "missing") }
            return value
        }

        func string(_ key: String) throws(Failure) -> String {
            let value = try required(key)
            guard case .string(let text) = value else { throw failure(key, "expected a string, found \(JSONDocument.kind(value))") }
            return text
        }

        func optionalString(_ key: String) throws(Failure) -> String? {
            guard let value = members[key], value != .null else { return nil }
            return try string(key)
        }

        func array(_ key: String) throws(Failure) -> [JSONValue] {
            let value = try required(key)
            guard case .array(let items) = value else { throw failure(key, "expected an array, found \(JSONDocument.kind(value))") }
            return items
        }

        /// A whole number from 0 to 2^53 - 1. What JSONDecoder read as a `UInt64` there (`7`,
        /// `7.0`, `7e0`, `-0`: the number's `Double`, when whole); larger ones it read exactly,
        /// which a `Double` cannot, so they are refused (a namespace inode number is 32 bits).
        func optionalUnsigned(_ key: String) throws(Failure) -> UInt64? {
            guard let value = members[key], value != .null else { return nil }
            guard case .number(let number) = value else { throw failure(key, "expected a whole number, found \(JSONDocument.kind(value))") }
            guard number == number.rounded(), number >= 0, number < 9_007_199_254_740_992 else {
                throw failure(key, "expected a whole number from 0 to 2^53 - 1, found \(JSONValue.numberText(number))")
            }
            return UInt64(number)
        }
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
