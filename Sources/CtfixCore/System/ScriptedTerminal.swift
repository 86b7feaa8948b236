import Synchronization

/// A terminal that answers from a script and records the prompts, for prompt-logic tests.
public final class ScriptedTerminal: Terminal {
    private let state: Mutex<(answers: [String], prompts: [String])>

    public init(answers: [String]) {
        state = Mutex((answers, []))
    }

    public var isInteractive: Bool { true }

    public var prompts: [String] { state.withLock { $0.prompts } }

    public func ask(_ prompt: String) -> String? {
        state.withLock { state in
            state.prompts.append(prompt)
            return state.answers.isEmpty ? nil : state.answers.removeFirst()
        }
    }
}
