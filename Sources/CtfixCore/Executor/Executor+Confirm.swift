import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Executor {
    enum Confirmation: Equatable { case apply, skip, quit, interrupted }

    /// Asks the operator about one action: yes / no / all / quit. A destructive action also
    /// needs a host name typed; the prompt names the machine that would really be affected,
    /// and under a root that is not this machine says that nothing will be executed on it.
    /// End of input is "quit"; Ctrl-C (or SIGTERM/SIGHUP) at a prompt is `interrupted`.
    func confirm(_ action: PlaybookAction, index: Int, confirmAll: inout Bool) -> Confirmation {
        let destructive = action.risk == .destructive
        if confirmAll && (!destructive || options.assumeYes) { return .apply }
        let terminal = ctx.terminal
        while true {
            guard let answer = terminal.ask("Apply \(index + 1). \(action.name) [\(action.risk.rawValue)]? [y]es / [n]o / [a]ll / [q]uit: ")?
                .trimmed(.whitespaces).lowercased() else { return endOfInput() }
            let choice: Confirmation
            switch answer {
            case "y", "yes": choice = .apply
            case "n", "no": return .skip
            case "a", "all": confirmAll = true; choice = .apply
            case "q", "quit": return .quit
            default: continue
            }
            guard destructive else { return choice }
            let (prompt, expected) = destructivePrompt(action, index: index)
            guard let typed = terminal.ask(prompt) else { return endOfInput() }
            if typed.trimmed(.whitespaces) == expected { return .apply }
            ctx.output.line("host name does not match; '\(action.name)' not applied")
            return .skip
        }
    }

    func endOfInput() -> Confirmation { options.interruption.isRequested ? .interrupted : .quit }

    /// The destructive-action prompt and the name to type.
    ///
    /// Live root: the action acts on this machine, so its own host name (`gethostname`) is
    /// typed. Another root (`--root`): steps that would run a program or reboot are simulated
    /// — the prompt says nothing runs on this machine — and the root's host name is typed,
    /// because its files are what would change.
    func destructivePrompt(_ action: PlaybookAction, index: Int) -> (String, String) {
        // Host names and the root come from files under the root (`/etc/hostname`): shown
        // escaped, and what is shown is what must be typed.
        let machine = TerminalText.escape(Self.thisMachineName())
        let hostName = TerminalText.escape(facts.hostName)
        if ctx.isLiveHost {
            return ("'\(action.name)' is destructive and acts on this machine, \(machine). Type its host name (\(machine)) to confirm: ", machine)
        }
        let root = TerminalText.content(ctx.fileSystem.rootDescription)
        let simulated = report.actions[index].steps.contains(where: \.simulated)
        let shared = (ctx.fileSystem as? RootedFileSystem)?.thisMachineReason
        var effect = simulated
            ? "\(RunReport.simulatedReason) (\(root)): nothing runs on \(machine), and no program is started or reboot requested"
            : shared == nil ? "it changes files under \(root) only, not this machine (\(machine))" : "it changes files under \(root)"
        if let shared { effect += "; but \(TerminalText.content(shared)): its files and values are \(machine)'s own and do change" }
        return ("'\(action.name)' is destructive; \(effect). Type the host name (\(hostName)) to confirm: ", hostName)
    }

    /// Under a root that is not this machine's `/` by name but whose files are (a bind mount of
    /// `/`, a live `/proc` inside it): a line saying so before anything is asked, so nobody
    /// confirms changes believing they stay in a copy.
    func thisMachineNote() -> String? {
        guard !ctx.isLiveHost, let why = (ctx.fileSystem as? RootedFileSystem)?.thisMachineReason else { return nil }
        return "note: \(why): file and value changes of this run affect \(Self.thisMachineName()) itself; programs and reboots are still simulated"
    }

    /// This machine's name (`gethostname`): the machine a live run would really affect.
    static func thisMachineName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "this machine" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "this machine" : name
    }
}
