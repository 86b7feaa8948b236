import Foundation

/// What `ctfix rollback` found and did: printed line by line as text, or, under `--json`, as one
/// object at the end (`run_id`, `rollback_run_id`, `outcome`, `steps` with a snake_case
/// `status` each, `messages`, `exit_status`). Errors before anything was found (no such run,
/// an unreadable or untrusted log) are standard-error lines, which the command line turns into
/// a `JSONErrorReport` under `--json`.
final class RollbackReport: @unchecked Sendable {
    /// One undo step and what became of it.
    struct Step: Encodable {
        /// `planned`, `restored`, `failed`, `already_restored`, `left_alone`, `cannot_undo`.
        var status: String
        var summary: String
        var detail: String?
    }

    struct Object: Encodable {
        var runID: String
        var rollbackRunID: String?
        var outcome: String
        var dryRun: Bool
        var steps: [Step]
        var messages: [String]
        var exitStatus: Int32
        enum CodingKeys: String, CodingKey {
            case runID = "run_id", rollbackRunID = "rollback_run_id", outcome, dryRun = "dry_run", steps, messages
            case exitStatus = "exit_status"
        }
    }

    let ctx: CtfixContext
    let json: Bool
    let runID: String
    let dryRun: Bool
    var steps: [Step] = []
    var messages: [String] = []
    var rollbackRunID: String?
    let auditLog: String

    init(ctx: CtfixContext, json: Bool, runID: String, dryRun: Bool, auditLog: String) {
        self.ctx = ctx
        self.json = json
        self.runID = runID
        self.dryRun = dryRun
        self.auditLog = auditLog
    }

    /// A step's fate; `line` is the text shown without `--json`.
    func step(_ status: String, _ summary: String, detail: String? = nil, line: String) {
        if let index = steps.lastIndex(where: { $0.summary == summary && $0.status == "planned" }) {
            steps[index] = Step(status: status, summary: summary, detail: detail)
        } else {
            steps.append(Step(status: status, summary: summary, detail: detail))
        }
        if !json { ctx.output.line(line) }
    }

    /// A sentence about the whole rollback.
    func message(_ text: String) {
        messages.append(text)
        if !json { ctx.output.line(text) }
    }

    /// A refusal or failure: on standard error as text, and in the JSON object's messages.
    func problem(_ text: String) {
        messages.append(text)
        ctx.output.errorLine(text)
    }

    /// Ends the report: under `--json` prints the object, otherwise the recap (`RollbackRecap`).
    /// `outcome` is snake_case: `rolled_back`, `nothing_to_undo`, `already_rolled_back`, `dry_run`,
    /// `failed`, `declined`, `refused`.
    func finish(_ outcome: String, _ status: ExitStatus) -> ExitStatus {
        if json {
            ctx.output.line(JSONOutput.encode(Object(runID: runID, rollbackRunID: rollbackRunID, outcome: outcome, dryRun: dryRun,
                                                     steps: steps, messages: messages, exitStatus: status.rawValue)))
        } else {
            ctx.showLine((steps.isEmpty ? "" : "\n") + recap(outcome).text(outcome: outcome, rollbackID: rollbackRunID))
        }
        return status
    }

    /// The steps as the recap names them; steps still `planned` take the outcome's word
    /// (a refusal or decline refuses or declines them all; after a failure they did not run).
    private func recap(_ outcome: String) -> RollbackRecap {
        var recap = RollbackRecap(runID: runID, auditLog: auditLog)
        for step in steps {
            let result: RollbackRecap.Result = switch step.status {
            case "restored": .restored
            case "failed": .failed
            case "already_restored": .alreadyRestored
            case "left_alone": .leftAlone
            case "cannot_undo": .cannotUndo
            default: switch outcome {
                case "refused": .refused
                case "declined": .declined
                case "failed", "rolled_back": .notRun
                default: .planned
                }
            }
            recap.add(summary: step.summary, result)
        }
        return recap
    }
}
