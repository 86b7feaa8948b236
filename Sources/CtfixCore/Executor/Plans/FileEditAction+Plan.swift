extension FileEditAction: PlannableAction {
    /// Applies the edit to every matching line of the file (as this run will have left it)
    /// and plans an atomic replace with a backup and a diff.
    public func plan(in context: PlanContext) async -> ActionPlan {
        guard let content = context.plannedContent(of: path) else {
            return ifMissing == .skip ? .noChange("\(path) does not exist") : .refused("\(path) does not exist on this host")
        }
        if let offset = context.invalidUTF8Offset(of: path) {
            return .refused("\(path) is not UTF-8 text (byte \(offset) is not): ctfix edits only UTF-8 files, since writing it back would change lines the plan does not show")
        }
        var lines = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trailingNewline = lines.last == ""
        if trailingNewline { lines.removeLast() }
        var changed = 0
        var result: [String] = []
        for (number, line) in lines.enumerated() {
            switch match.test(line) {
            case .match: break
            case .noMatch: result.append(line); continue
            case .overLimit:
                // Not knowing whether a line matches, the edit cannot be shown truthfully.
                return .refused("line \(number + 1) of \(path) is beyond the pattern limits (\(CompiledPattern.limitsText)); "
                                + "cannot tell whether it matches /\(match.source)/")
            }
            switch edit {
            case .commentOut(let prefix):
                if line.hasPrefix(prefix) { result.append(line) } else { result.append(prefix + line); changed += 1 }
            case .replace(let text):
                result.append(text)
                if text != line { changed += 1 }
            case .delete:
                changed += 1
            }
        }
        guard changed > 0 else {
            let why = "no line of \(path) matches /\(match.source)/ (or it is already edited)"
            return ifMissing == .skip ? .noChange(why) : .refused(why)
        }
        let after = result.joined(separator: "\n") + (trailingNewline || result.isEmpty ? "\n" : "")
        guard let step = context.fileStep(path, after: after, backup: backup) else { return .noChange("\(path) already has the edit") }
        return ActionPlan(status: .ready, steps: [step], notes: ["\(changed) line\(changed == 1 ? "" : "s") of \(path) changed"])
    }
}
