/// `ctfix version`: the same line as `ctfix --version`, or with `--json` what a bug report or
/// an inventory needs (version, commit when the build recorded it, Swift version, build
/// configuration). A subcommand because operators type it, and `--version` cannot print JSON.
public struct VersionCommand: Sendable {
    public var json: Bool

    public init(json: Bool = false) { self.json = json }

    struct Report: Encodable {
        let version: String
        let commit: String?
        let swiftVersion: String
        let buildConfiguration: String

        enum CodingKeys: String, CodingKey {
            case version, commit, swiftVersion = "swift_version", buildConfiguration = "build_configuration"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(version, forKey: .version)
            try container.encode(commit, forKey: .commit) // null, not absent: "unknown" is an answer
            try container.encode(swiftVersion, forKey: .swiftVersion)
            try container.encode(buildConfiguration, forKey: .buildConfiguration)
        }
    }

    public func run(_ ctx: CtfixContext) -> ExitStatus {
        if json {
            ctx.output.line(JSONOutput.encode(Report(version: CtfixVersion.current, commit: CtfixVersion.commit,
                                                     swiftVersion: CtfixVersion.swiftVersion,
                                                     buildConfiguration: CtfixVersion.buildConfiguration)))
        } else {
            ctx.output.line(CtfixVersion.current)
        }
        return .ok
    }
}
