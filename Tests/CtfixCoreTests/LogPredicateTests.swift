import Testing
@testable import CtfixCore

@Suite struct LogPredicateTests {
    func parse(_ yaml: String) throws -> (LogPredicate?, [Diagnostic]) {
        let node = try YAMLDocumentParser.parse(yaml, file: "p.yaml")
        var scope = ParseScope(file: "p.yaml")
        let predicate = Predicate.parse(node, scope: &scope)
        guard case .leaf(let kind)? = predicate else { return (nil, scope.diagnostics) }
        return (kind as? LogPredicate, scope.diagnostics)
    }

    @Test func parsesEveryKey() throws {
        let (predicate, diagnostics) = try parse("""
        log:
          pattern: 'nf_conntrack: (nf_conntrack: )?table full'
          within: 15m
          min_count: 100
          sources: [journald, /var/log/messages, /dev/kmsg]
        """)
        #expect(diagnostics.isEmpty)
        let log = try #require(predicate)
        #expect(log.within == .seconds(900))
        #expect(log.minimumCount == 100)
        #expect(log.sources == [.journald, .file("/var/log/messages"), .kmsg])
        #expect(log.summaryLine == "kernel log matches /nf_conntrack: (nf_conntrack: )?table full/ ≥ 100× within 15m in journald, /var/log/messages, /dev/kmsg")
    }

    @Test func defaultsAreOneOccurrenceInTheWholeDefaultSource() throws {
        let (predicate, _) = try parse("log:\n  pattern: 'table full'\n")
        let log = try #require(predicate)
        #expect(log.within == nil)
        #expect(log.minimumCount == 1)
        #expect(log.sources == [.automatic])
        #expect(log.summaryLine == "kernel log matches /table full/ ≥ 1× in the whole log")
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let (predicate, diagnostics) = try parse("""
        log:
          pattern: 'table (full'
          within: forever
          min_count: many
          sources: [default, default, relative/path]
          colour: red
        """)
        #expect(predicate == nil)
        let places = diagnostics.filter { $0.severity == .error }.map { "\($0.line):\($0.column)" }
        #expect(places == ["2:12", "3:11", "4:14", "5:22", "5:31", "6:3"])
    }

    @Test func sourcesMustNotBeEmptyOrAMapping() throws {
        let (_, empty) = try parse("log:\n  pattern: x+\n  sources: []\n")
        #expect(empty.contains { $0.message.contains("at least one source") })
        let (_, mapping) = try parse("log:\n  pattern: x+\n  sources: {a: b}\n")
        #expect(mapping.contains { $0.message.contains("found a mapping") })
    }

    @Test func defaultWithOtherSourcesWarnsAboutDoubleCounting() throws {
        let (predicate, diagnostics) = try parse("log:\n  pattern: x+\n  sources: [default, /var/log/messages]\n")
        #expect(predicate != nil)
        #expect(diagnostics.map(\.severity) == [.warning])
        #expect(diagnostics.first?.message.contains("twice") == true)
    }

    @Test func logMustBeAMapping() throws {
        let (_, diagnostics) = try parse("log: 'table full'\n")
        #expect(diagnostics.first?.message == "'log' must be a mapping, found 'table full'")
        #expect(diagnostics.first.map { "\($0.line):\($0.column)" } == "1:6")
    }
}
