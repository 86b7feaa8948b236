import CtfixCore
import Foundation
import Testing

/// Runs the built `ctfix` as an operator would: on a real pseudo-terminal (python3's standard
/// `pty` module, no pexpect) or with standard output a pipe, with a chosen environment
/// (`NO_COLOR`, `TERM`), answering prompts as they appear. Never hangs: the driver kills ctfix
/// after `timeout` seconds and says so.
enum TerminalDriver {
    struct Result {
        /// Everything ctfix wrote (on a terminal: standard output and error interleaved, as the
        /// operator saw it; on a pipe: standard output only).
        var output: String
        var standardError: String
        var exitStatus: Int32
        /// How many `steps` were matched and answered.
        var stepsDone: Int
        var timedOut: Bool
    }

    /// One prompt and its answer: when `expect` (a Python regex) appears in new output, run
    /// `shell` (if any) and type `send`.
    struct Step: Encodable {
        var expect: String
        var send: String
        var shell: String?
    }

    /// `environment`: variables to set; a nil value removes the variable.
    static func run(_ arguments: [String], terminal: Bool = true, environment: [String: String?] = [:],
                    steps: [Step] = [], timeout: Int = 60) async throws -> Result {
        var env: [String: String?] = ["TERM": "xterm-256color", "NO_COLOR": nil, "COLUMNS": "200"]
        env.merge(environment) { $1 }
        let argv = [try CtfixBinary.path()] + arguments
        let payload = String(decoding: try JSONEncoder().encode(Payload(argv: argv, env: env, steps: steps,
                                                                          terminal: terminal, timeout: timeout)), as: UTF8.self)
        let result = try await RealKernel.runner.run([try python(), "-c", program, payload], timeout: .seconds(Int64(timeout + 30)))
        guard let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] else {
            throw RealKernel.CommandFailed(argv: ["python3", "terminal driver"], result: result)
        }
        return Result(output: object["output"] as? String ?? "", standardError: object["stderr"] as? String ?? "",
                      exitStatus: Int32(object["exit"] as? Int ?? -1), stepsDone: object["steps_done"] as? Int ?? 0,
                      timedOut: object["timed_out"] as? Bool ?? true)
    }

    private struct Payload: Encodable {
        var argv: [String]
        var env: [String: String?]
        var steps: [Step]
        var terminal: Bool
        var timeout: Int
    }

    static func python() throws -> String {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw NoPython()
    }

    struct NoPython: Error, CustomStringConvertible {
        var description: String { "python3 not found (scripts/test.sh installs it)" }
    }

    /// True when every ESC in `text` starts one of ctfix's own sequences: the colours of
    /// `TerminalStyle` and the countdown's erase-line. Anything else came from outside.
    static func onlyOwnEscapes(_ text: String) -> Bool {
        let own = ["\u{1B}[0m", "\u{1B}[1m", "\u{1B}[2m", "\u{1B}[32m", "\u{1B}[33m", "\u{1B}[36m", "\u{1B}[1;31m", "\u{1B}[K"]
        var rest = Substring(text)
        while let index = rest.firstIndex(of: "\u{1B}") {
            let tail = rest[index...]
            guard let sequence = own.first(where: { tail.hasPrefix($0) }) else { return false }
            rest = tail.dropFirst(sequence.count)
        }
        return true
    }

    static let program = #"""
    import json, os, pty, re, select, signal, subprocess, sys, time
    p = json.loads(sys.argv[1])
    env = dict(os.environ)
    for k, v in p["env"].items():
        if v is None: env.pop(k, None)
        else: env[k] = v
    if not p["terminal"]:
        try:
            r = subprocess.run(p["argv"], env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=p["timeout"])
            print(json.dumps({"output": r.stdout.decode("utf-8", "replace"), "stderr": r.stderr.decode("utf-8", "replace"),
                              "exit": r.returncode, "steps_done": 0, "timed_out": False}))
        except subprocess.TimeoutExpired:
            print(json.dumps({"output": "", "stderr": "", "exit": -1, "steps_done": 0, "timed_out": True}))
        sys.exit(0)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(p["argv"][0], p["argv"], env)
    out, pos, step, alive, timed_out = b"", 0, 0, True, False
    deadline = time.time() + p["timeout"]
    while alive:
        if time.time() > deadline:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        if step < len(p["steps"]):
            s = p["steps"][step]
            m = re.search(s["expect"].encode(), out[pos:])
            if m:
                if s.get("shell"): subprocess.run(s["shell"], shell=True)
                os.write(fd, s["send"].encode())
                pos += m.end()
                step += 1
                continue
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try: data = os.read(fd, 65536)
            except OSError: data = b""
            if not data: alive = False
            out += data
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"output": out.decode("utf-8", "replace"), "stderr": "", "exit": os.waitstatus_to_exitcode(status),
                      "steps_done": step, "timed_out": timed_out}))
    """#
}
