import Foundation

/// Where a file stops being UTF-8 text. ctfix reads config files as text: a byte that is not
/// UTF-8 would be decoded as U+FFFD and written back as three other bytes, changing a line the
/// plan never showed. So an edit of such a file is refused, naming the byte.
public enum UTF8Check {
    /// The offset of the first byte that is not part of a valid UTF-8 sequence, or nil.
    public static func firstInvalidOffset(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
