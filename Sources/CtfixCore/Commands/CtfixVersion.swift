/// The version `ctfix --version` prints and the audit log records.
public enum CtfixVersion {
    public static let current = "0.1.0"
}
