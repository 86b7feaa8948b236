/// `file: /abs/host/path` with optional `field: N`: a number in a procfs, sysfs or state file
/// (`/sys/module/nf_conntrack/parameters/hashsize`, `/proc/sys/net/ipv4/ip_local_port_range`
/// field 2). Limited to the trees that hold kernel and service state, so a playbook cannot be
/// used to probe arbitrary files.
public struct FileValueSource: ValueSourceKind {
    public static let keyword = "file"
    public static let companionKeys = ["field"]

    /// Where a `file:` source may point.
    public static let allowedTrees = ["/proc", "/sys", "/etc", "/run", "/var/lib", "/var/log", "/dev"]
    /// Value files are small; reading stops here so `/dev/zero` or a huge log cannot hang a check.
    public static let maximumBytes = 64 * 1024

    public let path: String
    /// 1-based whitespace-separated token; nil means the whole content is one number.
    public let field: Int?

    public init(path: String, field: Int? = nil) {
        self.path = path
        self.field = field
    }

    public static func parse(_ node: YAMLNode, reader: MappingReader, scope: inout ParseScope) -> FileValueSource? {
        let field = reader.optional("field").flatMap { scope.integer($0, "'field'", in: 1...1000) }
        guard let text = scope.nonEmptyString(node, "'file'") else { return nil }
        let path: String
        do {
            path = try HostPath.normalize(text)
        } catch {
            scope.error(node, "'file' must be an absolute host path: \(error)")
            return nil
        }
        guard allowedTrees.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else {
            scope.error(node, "'file' must be under \(allowedTrees.joined(separator: ", ")); found '\(text)'")
            return nil
        }
        if reader.optional("field") != nil, field == nil { return nil }
        return FileValueSource(path: path, field: field)
    }

    public var summaryLine: String { field.map { "\(path) field \($0)" } ?? path }

    public func shortName(for reading: Reading) -> String {
        HostPath.basename(path) + (field.map { "[\($0)]" } ?? "")
    }

    public func read(in context: EvaluationContext) -> Result<Reading, HostReadFailure> {
        let bytes: [UInt8]
        do {
            let reader = try context.host.fileSystem.openForReading(path)
            bytes = try reader.read(at: 0, count: Self.maximumBytes + 1)
        } catch {
            return .failure(HostReadFailure(error))
        }
        guard bytes.count <= Self.maximumBytes else {
            return .failure(HostReadFailure(path: path, message: "\(path): larger than \(Self.maximumBytes / 1024) KiB; not a value file"))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let value: Double
        if let field {
            let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            guard tokens.count >= field else {
                return .failure(HostReadFailure(path: path, message: "\(path): field \(field) asked, but it has \(tokens.count) field\(tokens.count == 1 ? "" : "s"): \(HostNumber.excerpt(text))"))
            }
            guard let number = HostNumber.parse(tokens[field - 1]) else {
                return .failure(.notANumber(path, found: tokens[field - 1], what: "a number in field \(field)"))
            }
            value = number
        } else {
            guard let number = HostNumber.parse(text) else {
                return .failure(.notANumber(path, found: text, what: "a single number"))
            }
            value = number
        }
        return .success(Reading(name: summaryLine, source: path, value: value))
    }
}
