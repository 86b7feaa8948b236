import Foundation

/// `ctfix validate PLAYBOOK…`: schema and semantic checks, every error as `file:line:col`.
public struct ValidateCommand: Sendable {
    public var paths: [String]
    public var json: Bool

    public init(paths: [String], json: Bool = false) {
        self.paths = paths
        self.json = json
    }

    struct Report: Codable {
        var file: String
        var valid: Bool
        var name: String?
        var diagnostics: [Diagnostic]
    }

    public func run(_ ctx: CtfixContext) -> ExitStatus {
        var reports: [Report] = []
        var status = ExitStatus.ok
        for path in paths {
            do {
                let playbook = try PlaybookLoader.load(path: path)
                reports.append(Report(file: path, valid: true, name: playbook.name, diagnostics: []))
            } catch {
                let missing = error.diagnostics.count == 1 && error.diagnostics[0].message.hasPrefix("playbook no such file")
                // 65 (invalid) outranks 66 (missing): a fixable playbook is the bigger news.
                if !missing { status = .invalidInput } else if status == .ok { status = .noInput }
                reports.append(Report(file: path, valid: false, name: nil, diagnostics: error.diagnostics))
            }
        }
        if json {
            ctx.output.line(JSONOutput.encode(reports))
        } else {
            for report in reports {
                if report.valid {
                    ctx.output.line("\(report.file): ok (\(report.name ?? ""))")
                } else {
                    for diagnostic in report.diagnostics { ctx.output.errorLine(diagnostic.description) }
                }
            }
            let bad = reports.filter { !$0.valid }.count
            if bad > 0 {
                let errors = reports.flatMap(\.diagnostics).filter { $0.severity == .error }.count
                ctx.output.errorLine("\(errors) error\(errors == 1 ? "" : "s") in \(bad) of \(reports.count) playbook\(reports.count == 1 ? "" : "s")")
            }
        }
        return status
    }
}

/// JSON as ctfix prints it: sorted keys (stable for diffs and tests), ISO 8601 dates.
public enum JSONOutput {
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
