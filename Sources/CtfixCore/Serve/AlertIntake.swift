import Foundation

/// The webhook's work without HTTP: audit every alert received, decide what to do with it
/// (host, route, dedupe, cooldown, budget, parameters) and queue it durably. A caller answers
/// 2xx only when `receive` reports no failure: Alertmanager retries on 5xx, so an alert that
/// could not be audited or queued is delivered again rather than lost.
///
/// An actor, so the audit appends of concurrent deliveries never contend for the audit log's
/// file lock inside this process (a contended flock is polled, which would stall a request).
public actor AlertIntake {
    public nonisolated let ctx: CtfixContext
    public nonisolated let config: ServeConfig
    public nonisolated let queue: AlertQueue
    public nonisolated let audit: AuditLog
    public nonisolated let observer: any ServeObserver
    /// This host's name (the root's kernel hostname unless the config overrides it).
    public nonisolated let hostName: String
    /// This machine's interface addresses (an `instance` that is one of them is for this host).
    public nonisolated let addresses: [String]

    public init(ctx: CtfixContext, config: ServeConfig, queue: AlertQueue, audit: AuditLog,
                observer: any ServeObserver = NoServeObserver(), addresses: [String] = HostAlertFilter.localAddresses()) {
        self.addresses = addresses
        self.ctx = ctx
        self.config = config
        self.queue = queue
        self.audit = audit
        self.observer = observer
        hostName = config.host.hostName ?? HostFacts.read(ctx.fileSystem).hostName
    }

    /// The decisions for each alert of a notification, and a failure that must become a 503.
    public struct Result: Sendable {
        public var decisions: [AlertDecision] = []
        public var failure: String?
    }

    public func receive(_ payload: WebhookPayload) async -> Result {
        var result = Result()
        // Alerts for other hosts cost one audit record per request, not two per alert: a fleet's
        // notification (or a hostile body) must not turn into megabytes of audit log here.
        var elsewhere: [(alert: WebhookAlert, why: String)] = []
        var mine: [WebhookAlert] = []
        for alert in payload.alerts {
            if let why = config.host.rejection(of: alert.labels, host: hostName, addresses: addresses) {
                elsewhere.append((alert, why))
            } else {
                mine.append(alert)
            }
        }
        if !elsewhere.isEmpty {
            do {
                try audit.append(event: "alerts_not_for_this_host", runID: "serve-intake", time: Date(), fields: [
                    "count": .number(Double(elsewhere.count)),
                    "fingerprints": .array(elsewhere.prefix(10).map { .string($0.alert.fingerprint) }),
                    "first_reason": .string(elsewhere[0].why),
                    "receiver": payload.receiver.map { .string($0) } ?? .null,
                    "group_key": payload.groupKey.map { .string($0) } ?? .null,
                ])
            } catch {
                result.failure = "\(error)"
                return result
            }
            for (_, why) in elsewhere {
                observer.alertDecided(.notForThisHost)
                result.decisions.append(AlertDecision(.notForThisHost, why))
            }
        }
        for alert in mine {
            let key = AlertJob.key(fingerprint: alert.fingerprint, startsAt: alert.startsAt)
            let runID = "alert-\(key)"
            do {
                try audit.append(event: "alert_received", runID: runID, time: Date(), fields: [
                    "fingerprint": .string(alert.fingerprint), "starts_at": .string(alert.startsAt),
                    "status": .string(alert.status.text), "alertname": .string(alert.name),
                    "labels": .object(alert.labels.mapValues { .string($0) }),
                    "receiver": payload.receiver.map { .string($0) } ?? .null,
                    "group_key": payload.groupKey.map { .string($0) } ?? .null,
                ])
                let decision = try await decide(alert, key: key)
                try audit.append(event: "alert_decision", runID: runID, time: Date(), fields: [
                    "fingerprint": .string(alert.fingerprint), "decision": .string(decision.kind.rawValue),
                    "reason": .string(decision.reason), "route": decision.route.map { .string($0) } ?? .null,
                    "playbook": decision.playbook.map { .string($0) } ?? .null,
                    "job": decision.jobKey.map { .string($0) } ?? .null,
                ])
                observer.alertDecided(decision.kind)
                result.decisions.append(decision)
            } catch {
                result.failure = "\(error)"
                return result
            }
        }
        observer.queueDepthChanged(await queue.depth)
        return result
    }

    /// Nil when serve can do its job: the queue directory and the audit log's directory take a
    /// durable write (a probe file written atomically, then removed). Otherwise why not, for a
    /// 503 from `/healthz`. Probed at most once a second, so `/healthz` cannot be used to make
    /// serve fsync in a loop.
    public func health(now: Date = Date()) -> String? {
        if let last = lastProbe, now.timeIntervalSince(last.at) < 1 { return last.failure }
        var failure: String?
        for (what, directory) in [("alert queue", queue.directory), ("audit log", HostPath.parent(of: audit.path))] {
            let probe = "\(directory)/.ctfix-healthz-probe"
            let fileSystem = what == "audit log" ? audit.fileSystem : ctx.fileSystem
            do {
                try fileSystem.createDirectory(directory)  // as the first append or enqueue would
                try fileSystem.writeAtomically(Data("ok\n".utf8), to: probe, mode: 0o600)
                try fileSystem.removeFile(probe)
            } catch {
                failure = "\(what) cannot be written: \(error)"
                break
            }
        }
        lastProbe = (now, failure)
        return failure
    }
    private var lastProbe: (at: Date, failure: String?)?

    /// 401s, in aggregate: one `webhook_unauthorized` audit record and one log line per
    /// `unauthorizedInterval` at most, with the count since the last one (a flood of bad
    /// credentials neither fills the audit log nor goes unnoticed).
    public func unauthorized(now: Date = Date()) {
        unauthorizedCount += 1
        if let last = unauthorizedReportedAt, now.timeIntervalSince(last) < Self.unauthorizedInterval.seconds { return }
        let count = unauthorizedCount
        unauthorizedCount = 0
        unauthorizedReportedAt = now
        ctx.output.errorLine("ctfix serve: \(count) request(s) with missing or wrong credentials; next report in \(DurationText.format(Self.unauthorizedInterval)) at the earliest")
        _ = try? audit.append(event: "webhook_unauthorized", runID: "serve-intake", time: now, fields: [
            "count": .number(Double(count)),
        ])
    }
    public static let unauthorizedInterval: Duration = .seconds(60)
    private var unauthorizedCount = 0
    private var unauthorizedReportedAt: Date?

    func decide(_ alert: WebhookAlert, key: String) async throws -> AlertDecision {
        if alert.status == .resolved {
            if let job = try await queue.cancel(key: key) {
                return AlertDecision(.cancelled, "resolved before its run started", route: job.route, playbook: job.playbookName, jobKey: key)
            }
            let known = await queue.job(key) != nil
            return AlertDecision(.resolved, "resolved; no queued run to cancel", jobKey: known ? key : nil)
        }
        if let why = config.host.rejection(of: alert.labels, host: hostName, addresses: addresses) {
            return AlertDecision(.notForThisHost, why)
        }
        guard let route = config.routes.first(where: { $0.matches(alert.labels) }) else {
            return AlertDecision(.noRoute, "no route matches \(alert.name)")
        }
        func decision(_ kind: AlertDecision.Kind, _ reason: String, job: String? = nil) -> AlertDecision {
            AlertDecision(kind, reason, route: route.name, playbook: route.playbookName, jobKey: job)
        }
        if let existing = await queue.job(key) {
            return decision(.deduped, "already \(existing.status.rawValue) (fingerprint \(alert.fingerprint), startsAt \(alert.startsAt))", job: key)
        }
        if route.mode == .unattended {
            let now = Date()
            if let remaining = try PolicyState.load(ctx.fileSystem).cooldownRemaining(for: route.playbookName, cooldown: route.cooldown, now: now) {
                return decision(.cooledDown, "\(route.playbookName) is cooling down for another \(DurationText.format(.seconds(Int64(remaining.seconds.rounded(.up)))))")
            }
            let used = try ServeAttempts.load(ctx.fileSystem).used(by: route.playbookName, budget: config.budget, now: now)
            if used >= config.budget.attempts {
                return decision(.overBudget, "\(route.playbookName) already started \(used) times within \(DurationText.format(config.budget.per)) (budget \(config.budget.attempts))")
            }
        }
        var settings: [String: String] = [:]
        for (name, template) in route.parameters {
            switch template.render(labels: alert.labels, annotations: alert.annotations) {
            case .success(let value):
                if case .failure(let refusal) = AlertParameterPolicy.check(value, for: route.declarations[name], name: name) {
                    return decision(.refused, refusal.description)
                }
                settings[name] = value
            case .failure(let missing) where missing.field == AlertTemplate.MissingField.tooLong:
                return decision(.refused, "parameter \(name): the value built from the alert is longer than \(ParseLimits.maximumValueBytes) bytes")
            case .failure(let missing):
                return decision(.refused, "parameter \(name) needs {{ .\(missing.field) }}, which the alert does not carry")
            }
        }
        let job = AlertJob(key: key, sequence: 0, fingerprint: alert.fingerprint, startsAt: alert.startsAt, alertName: alert.name,
                           route: route.name, playbookPath: route.playbookPath, playbookName: route.playbookName, mode: route.mode,
                           allowDestructive: route.allowDestructive, settings: settings, status: .queued, receivedAt: Date())
        let (stored, isNew) = try await queue.enqueue(job)
        if !isNew { return decision(.deduped, "already \(stored.status.rawValue)", job: key) }
        return decision(.queued, "\(route.playbookName) will run (\(route.mode.rawValue))", job: key)
    }
}
