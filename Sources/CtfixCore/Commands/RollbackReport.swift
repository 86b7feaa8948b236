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

    init(ctx: CtfixContext, json: Bool, runID: String, dryRun: Bool) {
        self.ctx = ctx
        self.json = json
        self.runID = runID
        self.dryRun = dryRun
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

    /// Ends the report: under `--json` prints the object. `outcome` is snake_case:
    /// `rolled_back`, `nothing_to_undo`, `already_rolled_back`, `dry_run`, `failed`, `declined`, `refused`.
    func finish(_ outcome: String, _ status: ExitStatus) -> ExitStatus {
        if json {
            ctx.output.line(JSONOutput.encode(Object(runID: runID, rollbackRunID: rollbackRunID, outcome: outcome, dryRun: dryRun,
                                                     steps: steps, messages: messages, exitStatus: status.rawValue)))
        }
        return status
    }
}
