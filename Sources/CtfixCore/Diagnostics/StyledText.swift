/// Text for the operator with some pieces marked by meaning (`TerminalStyle.Role`), never by
/// escape sequence: the sequences are added by `TerminalStyle.render` at the last moment, so a
/// report builds the same value for a terminal, a pipe and a test, and `plain` is exactly what
/// an uncoloured terminal shows.
///
///     let line: StyledText = "outcome: \(outcome.rawValue, .good) (run \(id))"
public struct StyledText: Sendable, Equatable, ExpressibleByStringInterpolation {
    public enum Piece: Sendable, Equatable {
        case plain(String)
        case styled(String, TerminalStyle.Role)
    }

    public private(set) var pieces: [Piece] = []

    public init() {}

    public init(_ text: String) {
        if !text.isEmpty { pieces = [.plain(text)] }
    }

    public init(_ text: String, _ role: TerminalStyle.Role) {
        if !text.isEmpty { pieces = [.styled(text, role)] }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public init(stringInterpolation: Interpolation) { pieces = stringInterpolation.text.pieces }

    /// Without any style: what is shown when colour is off, what tests read.
    public var plain: String {
        pieces.map { piece in
            switch piece {
            case .plain(let text), .styled(let text, _): text
            }
        }.joined()
    }

    public mutating func append(_ other: StyledText) { pieces += other.pieces }

    public static func + (lhs: StyledText, rhs: StyledText) -> StyledText {
        var result = lhs
        result.append(rhs)
        return result
    }

    public static func += (lhs: inout StyledText, rhs: StyledText) { lhs.append(rhs) }

    public struct Interpolation: StringInterpolationProtocol {
        var text = StyledText()
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { text.append(StyledText(literal)) }
        public mutating func appendInterpolation(_ value: String) { text.append(StyledText(value)) }
        public mutating func appendInterpolation(_ value: String, _ role: TerminalStyle.Role) { text.append(StyledText(value, role)) }
        public mutating func appendInterpolation(_ value: StyledText) { text.append(value) }
        public mutating func appendInterpolation<T>(_ value: T) { text.append(StyledText(String(describing: value))) }
    }
}

extension CtfixContext {
    /// Writes `text` on standard output in the context's style. Coloured text goes through
    /// `writeTerminalControl`, the only way past `GuardedOutputSink`, after `render` escaped every
    /// piece of it; uncoloured text goes through `write` and is guarded there.
    public func show(_ text: StyledText) {
        if style.colors {
            output.writeTerminalControl(style.render(text))
        } else {
            output.write(text.plain)
        }
    }

    /// `show` and a newline.
    public func showLine(_ text: StyledText = StyledText()) {
        show(text + "\n")
    }
}
