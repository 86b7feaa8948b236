/// Secret comparison whose running time does not depend on where the inputs first differ.
public enum ConstantTime {
    /// True when `given` equals `secret`. Always walks the whole of `given` (the attacker's
    /// input) and folds any length difference into the result instead of returning early.
    public static func equals(_ given: String, _ secret: String) -> Bool {
        let a = Array(given.utf8), b = Array(secret.utf8)
        var difference = UInt64(a.count ^ b.count)
        guard !b.isEmpty else { return false }
        for index in a.indices {
            difference |= UInt64(a[index] ^ b[index % b.count])
        }
        return difference == 0
    }
}
