import CtfixCore
import Foundation

/// `ctfix-bench parse`: what parsing costs at the limits (`ParseLimits`), side by side with
/// loading the shipped playbooks: the longest accepted expression, the deepest accepted
/// expression and YAML nesting, the largest accepted collection, and the refusal of inputs
/// just beyond them. In-process (no spawn), median and max of N runs after warm-up.
enum ParseLimitsBenchmark {
    static func run(_ arguments: [String]) throws {
        var runs = 200
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { runs = n }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let depth = ParseLimits.maximumExpressionDepth
        let longest = String(repeating: "1+", count: (ParseLimits.maximumExpressionLength - 1) / 2) + "1"
        let deepest = String(repeating: "-(", count: depth / 2) + "1" + String(repeating: ")", count: depth / 2)
        let yamlDepth = ParseLimits.maximumYAMLDepth - 1
        let nested = "a: " + String(repeating: "[", count: yamlDepth) + String(repeating: "]", count: yamlDepth) + "\n"
        let wide = "a: [" + Array(repeating: "1", count: ParseLimits.maximumCollectionCount).joined(separator: ", ") + "]\n"
        let beyond = String(repeating: "-", count: 100_000) + "0.5"
        var cases: [(String, () throws -> Void)] = []
        for name in ["table-full", "alloc-failure", "unload-conntrack"] {
            let text = try String(contentsOfFile: "\(root)/playbooks/\(name).yaml", encoding: .utf8)
            cases.append(("load playbooks/\(name).yaml (\(text.utf8.count) B)", { _ = try PlaybookLoader.parse(text, file: name) }))
        }
        cases += [
            ("expression, longest accepted (\(longest.count) chars)", { _ = try NumberExpression(parsing: longest).constantValue }),
            ("expression, deepest accepted (\(depth) levels)", { _ = try NumberExpression(parsing: deepest).constantValue }),
            ("expression, 100 000 unary minus (refused)", { _ = try? NumberExpression(parsing: beyond) }),
            ("YAML, deepest accepted nesting (\(yamlDepth + 1) levels)", { _ = try YAMLDocumentParser.parse(nested, file: "n") }),
            ("YAML, 100 000 levels (refused)", { _ = try? YAMLDocumentParser.parse("a: " + String(repeating: "[", count: 100_000), file: "n") }),
            ("YAML, largest accepted list (\(ParseLimits.maximumCollectionCount) items)", { _ = try YAMLDocumentParser.parse(wide, file: "w") }),
        ]
        print("parse cost at ParseLimits (in-process, \(runs) runs each after 5 warm-up runs)")
        print("what".padding(toLength: 56, withPad: " ", startingAt: 0) + "median       max")
        for (name, body) in cases {
            for _ in 0..<5 { try body() }
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try body()
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            samples.sort()
            print(name.padding(toLength: 56, withPad: " ", startingAt: 0)
                  + String(format: "%8.3f ms  %8.3f ms", samples[samples.count / 2], samples[samples.count - 1]))
        }
    }
}
