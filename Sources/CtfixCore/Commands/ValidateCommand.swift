import Foundation

/// `ctfix validate PLAYBOOK…`: schema and semantic checks, every error as `file:line:col`.
/// Names resolve as `run` and `check` resolve them, and as root a playbook `run` would refuse
/// as untrusted is an error here too, so the operator learns it before the unattended run.
public struct ValidateCommand: Sendable {
    public var paths: [String]
    public var json: Bool
    /// Where bare names are looked up; nil: every entry of `paths` is a path.
    public var locator: PlaybookLocator?
    public var trust: PlaybookTrust

    public init(paths: [String], json: Bool = false, locator: PlaybookLocator? = nil, trust: PlaybookTrust = .process()) {
        self.paths = paths
        self.json = json
        self.locator = locator
        self.trust = trust
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
                let playbook = try PlaybookLoader.load(path, locator: locator, trust: trust)
                reports.append(Report(file: playbook.path, valid: true, name: playbook.name, diagnostics: []))
            } catch {
                // 65 (invalid, untrusted) outranks 66 (missing): a fixable playbook is the bigger news.
                if !error.isPlaybookNotFound { status = .invalidInput } else if status == .ok { status = .noInput }
                reports.append(Report(file: error.diagnostics.first?.file ?? path, valid: false, name: nil, diagnostics: error.diagnostics))
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
        encoder.dateEncodingStrategy = ISO8601Time.encodingStrategy
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
