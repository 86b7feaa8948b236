/// The version `ctfix --version` and `ctfix version` print and the audit log records.
public enum CtfixVersion {
    public static let current = "0.1.0"

    /// The git commit the binary was built from, when the build recorded it (`CtfixBuildInfo`);
    /// nil for a plain `swift build`: null in JSON rather than guessed from a working tree.
    public static var commit: String? { CtfixBuildInfo.commit }

    /// The Swift compiler the binary was built with ("6.3"), from the compiler itself.
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "6.1 or earlier"
        #endif
    }

    /// "debug" or "release": timings and sizes mean little for a debug build.
    public static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }
}

/// What the build recorded about itself. `commit` stays nil unless a packaging script rewrites
/// this one constant before building: the binary never runs git to find out.
enum CtfixBuildInfo {
    static let commit: String? = nil
}
