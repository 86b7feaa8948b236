import Foundation

/// `ctfix check PLAYBOOK…`: detection only, with the evidence. Output and exit status follow
/// the Nagios plugin convention (0 OK, 2 CRITICAL = firing, 3 UNKNOWN = could not evaluate),
/// so the same command works as an Icinga/Nagios/Sensu check.
public struct CheckCommand: Sendable {
    public var paths: [String]
    /// `--set NAME=VALUE`, applied to every playbook that declares NAME.
    public var settings: [String: String]
    /// `--log FILE…`: check these files instead of the host's log sources.
    public var logFiles: [String]?
    public var json: Bool
    /// Where bare names are looked up; nil: every entry of `paths` is a path.
    public var locator: PlaybookLocator?
    /// Who may have written a playbook; an untrusted one is UNKNOWN (it was not evaluated).
    /// Nil: the rules for this process, from the context's environment (`SUDO_UID`).
    public var trust: PlaybookTrust?

    public init(paths: [String], settings: [String: String] = [:], logFiles: [String]? = nil, json: Bool = false,
                locator: PlaybookLocator? = nil, trust: PlaybookTrust? = nil) {
        self.paths = paths
        self.settings = settings
        self.logFiles = logFiles
        self.json = json
        self.locator = locator
        self.trust = trust
    }

    /// One playbook's outcome; the JSON field names are stable.
    public struct Outcome: Codable, Sendable {
        /// The playbook's path (a name resolved to its file), or the argument when not found.
        public var playbook: String
        public var name: String?
        /// True when detection fires (CRITICAL).
        public var firing: Bool
        /// `ok`, `critical` or `unknown` (the Nagios state, snake_case like every JSON enum value).
        public var status: String
        /// The evaluated predicate tree; nil when the playbook could not be loaded.
        public var evidence: PredicateResult?
        /// Why it could not be evaluated (invalid playbook, bad `--set`).
        public var errors: [String]
        public var parameters: [String: String]
        public var evaluatedAt: Date
        public var perfdata: String
        /// The parameters the playbook declares (not printed): a `--set` name none declares is a typo.
        var declared: Set<String> = []

        enum CodingKeys: String, CodingKey {
            case playbook, name, firing, status, evidence, errors, parameters, perfdata
            case evaluatedAt = "evaluated_at"
        }
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        if let logFiles {
            for file in logFiles where !FileManager.default.isReadableFile(atPath: file) {
                return unknown("--log \(file): \(FileManager.default.fileExists(atPath: file) ? "cannot be read" : "no such file")", ctx)
            }
        }
        var outcomes: [Outcome] = []
        // One set of counter samples for the whole invocation: the second playbook reading the
        // same stat file reuses the first one's measurement instead of waiting `over:` again
        // (two shipped playbooks would otherwise take 10 s, a Nagios plugin's default timeout).
        let samples = CounterSampleStore()
        for path in paths { outcomes.append(await check(path, ctx, samples: samples)) }
        if let unused = unusedSettings(outcomes) {
            return unknown("--set \(unused): no playbook declares this parameter", ctx)
        }
        let status: ExitStatus = outcomes.contains { $0.firing } ? .critical
            : outcomes.contains { $0.status == "unknown" } ? .unknown : .ok
        if json {
            ctx.output.line(outcomes.count == 1 ? JSONOutput.encode(outcomes[0]) : JSONOutput.encode(outcomes))
        } else {
            ctx.show(CheckReport.text(outcomes, status: status))
        }
        return status
    }

    func check(_ path: String, _ ctx: CtfixContext, samples: CounterSampleStore) async -> Outcome {
        let now = ctx.clock.now()
        var outcome = Outcome(playbook: path, name: nil, firing: false, status: "unknown", evidence: nil,
                              errors: [], parameters: [:], evaluatedAt: now, perfdata: "")
        let playbook: Playbook
        do {
            playbook = try PlaybookLoader.load(path, locator: locator, trust: trust ?? .process(environment: ctx.environment)) {
                ctx.output.errorLine($0)
            }
        } catch {
            outcome.errors = error.errors.map(\.description)
            return outcome
        }
        outcome.playbook = playbook.path
        outcome.name = playbook.name
        let declared = Set(playbook.parameters.map(\.name))
        outcome.declared = declared
        let values: [String: ParameterValue]
        do {
            values = try playbook.resolveParameters(settings.filter { declared.contains($0.key) })
        } catch {
            outcome.errors = ["\(path): --set: \(error)"]
            return outcome
        }
        outcome.parameters = values.mapValues(\.description)
        let context = EvaluationContext(host: ctx, parameters: values.numericValues, logFiles: logFiles,
                                        showsProgress: WaitNotice.choose(ctx, json: json), counterSamples: samples)
        let result = await playbook.detect.evaluate(in: context)
        outcome.evidence = result
        outcome.firing = result.state == .holds
        outcome.status = switch result.state {
        case .holds: "critical"
        case .doesNotHold: "ok"
        case .unknown: "unknown"
        }
        outcome.perfdata = Perfdata.render(result)
        return outcome
    }

    /// A check that cannot run: the reason on standard error, and (without `--json`) the Nagios
    /// line on standard output, so monitoring never shows "(No output)". Under `--json` the
    /// command line prints the error object (`JSONErrorReport`).
    func unknown(_ reason: String, _ ctx: CtfixContext) -> ExitStatus {
        ctx.output.errorLine("ctfix check: \(reason)")
        if !json { ctx.output.line("CTFIX UNKNOWN - \(TerminalText.content(reason))") }
        return .unknown
    }

    /// A `--set` name no playbook declares is a typo the operator must hear about.
    func unusedSettings(_ outcomes: [Outcome]) -> String? {
        guard !settings.isEmpty else { return nil }
        let loaded = outcomes.filter { $0.name != nil }
        guard !loaded.isEmpty else { return nil }
        // By declaration, not by resolved value: a declared parameter given a bad value is that
        // playbook's error (UNKNOWN with the reason), not "no playbook declares this parameter".
        return settings.keys.sorted().first { key in !loaded.contains { $0.declared.contains(key) } }
    }
}
