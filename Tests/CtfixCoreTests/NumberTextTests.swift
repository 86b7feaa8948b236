import Foundation
import Testing
@testable import CtfixCore

/// NumberText against `String(format:)`, which it replaced, on random and hostile values.
@Suite struct NumberTextTests {
    static let doubles: [Double] = {
        var random = LogByteSearchTests.SplitMix(state: 0x6E75_6D62)
        var values: [Double] = [.nan, -.nan, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                .leastNonzeroMagnitude, .leastNormalMagnitude, 1e300, 1e-300, 0.05, 0.15, 0.25, 0.35, 2.5, 0.00005,
                                0.00015, 0.000_25, 1.000_05, 9.95, 9.5, 0.095, 0.0095, 99.5, 999.95, 1e15 + 0.5, 123_456.789_05, -0.05, -2.5]
        for _ in 0..<20_000 {
            switch random.next() % 5 {
            case 4: values.append(Double(bitPattern: random.next() & 0x800F_FFFF_FFFF_FFFF)) // subnormals, ±0
            case 0: values.append(Double(bitPattern: random.next()))
            case 1: values.append(Double(Int64(bitPattern: random.next()) % 2_000_000) / 10_000)
            case 2: values.append(Double(Int64(bitPattern: random.next()) % 20_000) / 2_000 + 0.000_05) // ties of %.4f, %.1f
            default: values.append(Double(random.next() % 1_000) * pow(10, Double(Int(random.next() % 40) - 20)))
            }
        }
        return values
    }()

    @Test(arguments: ["%.1f", "%.4f", "%.2g", "%.0f", "%.6g", "%.17g", "%.40f", "%.40g"])
    func fixedAndSignificantAreByteIdenticalToStringFormat(_ format: String) {
        let count = Int(format.dropFirst(2).dropLast())!
        let new: (Double) -> String = format.hasSuffix("f") ? { NumberText.fixed($0, decimals: count) } : { NumberText.significant($0, digits: count) }
        var failures = 0
        for value in Self.doubles where new(value) != String(format: format, value) {
            failures += 1
            if failures < 10 { Issue.record("\(format) \(value.bitPattern): \(new(value)) ≠ \(String(format: format, value))") }
        }
        #expect(failures == 0)
    }

    @Test func formatNumberAndTheCounterTextsAreUnchanged() {
        for value in Self.doubles {
            var text = String(format: "%.4f", value)
            if !(value == value.rounded() && abs(value) < 1e18) {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
                #expect(formatNumber(value) == text)
            }
            if value.isFinite, value > 0, value < 10 {
                #expect(CounterPredicate.rate(value) == String(format: "%.2g/s", value))
            }
        }
    }

    @Test func hexIsTwoLowerCaseDigitsAByte() {
        var random = LogByteSearchTests.SplitMix(state: 0x6865_78)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(NumberText.hex(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        }
        #expect(NumberText.hex(Array(0...255)) == (0...255).map { String(format: "%02x", $0) }.joined())
    }

    @Test func paddedIsPercentZeroNDOrO() {
        var random = LogByteSearchTests.SplitMix(state: 0x7061_6464)
        for value in [0, 1, 7, 8, 511, 0o7777, 999_999, 1_000_000, 123_456_789] + (0..<5000).map({ _ in Int(random.next() % 10_000_000) }) {
            #expect(NumberText.padded(value, width: 6) == String(format: "%06d", value))
            #expect(NumberText.padded(UInt32(value) & 0o7777, width: 4, radix: 8) == String(format: "%04o", UInt32(value) & 0o7777))
        }
    }
}
