import Foundation
import LoadGen
import Testing
import YAMLConfig

@testable import Scenarios

/// `target:` (a task service's contract): decoding, defaults, and errors naming file:line:column and
/// the field; item 8's keys (starting the service) are refused, never ignored.
struct TargetDecodingTests {
    static let base = """
        name: contract
        mode: live
        duration: 10s
        load: { rate: 1/s }

        """

    @Test func decodesAnotherContract() throws {
        let s = try scenario(
            Self.base + """
                target:
                  submit: { method: put, path: /jobs, body: { job: { input: "{task}", n: 2, urgent: true } }, key_header: X-Request-Key }
                  id: job.id
                  status: job.state
                  success: [DONE]
                  failure: [ERROR, CANCELLED]
                  pending: [QUEUED, RUNNING]
                  poll: "/jobs/{id}"
                  replayed_header: ~
                """)
        let c = try #require(s.target)
        #expect(c.method == "PUT" && c.path == "/jobs" && c.keyHeader == "X-Request-Key" && c.replayedHeader == nil)
        #expect(c.body.render(task: "t", key: "k") == #"{"job":{"input":"t","n":2,"urgent":true}}"#)
        #expect(c.id.description == "job.id" && c.status.description == "job.state")
        #expect(c.success == ["DONE"] && c.failure == ["ERROR", "CANCELLED"] && c.pending == ["QUEUED", "RUNNING"])
        #expect(c.pollPath == "/jobs/{id}")
        // Absent: the reference contract (and nil for a scenario without target:).
        #expect(try scenario(Self.base + "target: { poll: none }").target?.pollPath == nil)
        #expect(try scenario(Self.base + "target: {}").target == TaskContract.reference)
        #expect(try scenario(Self.base).target == nil)
    }

    @Test func badContractsNameTheLineColumnAndField() throws {
        func error(_ yaml: String) throws -> ConfigError { try #require(loadError(Self.base + yaml)) }
        let unknown = try error("target: { submit: { methd: PUT } }")
        #expect(unknown.line == 5 && unknown.description.contains("methd") && unknown.description.contains("method"))
        let placeholder = try error("target: { submit: { body: { task: \"{text}\" } } }")
        #expect(placeholder.line == 5 && placeholder.description.contains("unknown placeholder {text}; valid: {task}, {key}"))
        #expect(try error("target: { poll: \"/jobs\" }").description.contains("must hold {id}"))
        #expect(try error("target: { id: \"job..id\" }").description.contains("dotted field path"))
        #expect(try error("target: { submit: { path: jobs } }").description.contains("starting with /"))
        #expect(try error("target: { success: [DONE], failure: [DONE] }").description.contains("both in success and in failure"))
        let nokey = try error("target: { submit: { body: { job: \"{task}\" }, key_header: \"\" } }")
        #expect(nokey.description.contains("the idempotency key goes nowhere"))
        let both = try error("service: { replicas: 1 }\ntarget: {}")
        #expect(both.line == 6 && both.description.contains("drop one of them"))
    }

    @Test func startingTheServiceDecodesIntoALaunch() throws {
        let s = try scenario(
            Self.base + """
                target:
                  command: ".venv/bin/python app.py"
                  cwd: svc
                  env: { PORT: "{port}", RETRY_ATTEMPTS: "4" }
                  ready: /healthz
                  ready_timeout: 20s
                  stop_timeout: 5s
                  sigterm_at: 8s
                expect:
                  shutdown: { lost: 0, drain_time: "< 10s" }
                """, file: "/tmp/proj/scenario.yaml")
        let launch = try #require(s.launch)
        #expect(launch.process.command == ".venv/bin/python app.py" && launch.process.readyPath == "/healthz")
        #expect(launch.process.environment == ["PORT": "{port}", "RETRY_ATTEMPTS": "4"])
        #expect(launch.process.readyTimeout == .seconds(20) && launch.process.stopTimeout == .seconds(5))
        #expect(launch.process.resolvedWorkingDirectory == "/tmp/proj/svc")
        #expect(launch.sigtermAt == .seconds(8))
        #expect(s.target == TaskContract.reference)
        #expect(s.expectations.map(\.name) == ["shutdown.lost", "shutdown.drain_time"])
    }

    @Test func launchKeysNeedACommandAndAShutdownTimeInsideTheRun() throws {
        for key in ["cwd: x", "env: { A: b }", "ready: /h", "sigterm_at: 5s"] {
            let e = try #require(loadError(Self.base + "target:\n  \(key)\n"))
            #expect(e.line == 6 && e.description.contains("needs 'command'"), "\(e.description)")
        }
        let late = try #require(loadError(Self.base + "target:\n  command: x\n  sigterm_at: 10s\n"))
        #expect(late.line == 7 && late.description.contains("inside the scenario's duration"))
        let drain = try #require(loadError(Self.base + "target: { command: x }\nexpect: { shutdown: { drain_time: 5s } }"))
        #expect(drain.description.contains("target.sigterm_at"))
    }

    @Test func aTargetFileHoldsTheMappingAloneOrUnderTarget() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-target-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let alone = dir.appendingPathComponent("a.yaml")
        try "id: job.id\npoll: none\n".write(to: alone, atomically: true, encoding: .utf8)
        let c = try TargetDecoding.load(path: alone.path)
        #expect(c.id.description == "job.id" && c.pollPath == nil)
        let nested = dir.appendingPathComponent("b.yaml")
        try "target:\n  status: state\n".write(to: nested, atomically: true, encoding: .utf8)
        #expect(try TargetDecoding.load(path: nested.path).status.description == "state")
        let launch = dir.appendingPathComponent("l.yaml")
        try "command: python app.py\n".write(to: launch, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try TargetDecoding.load(path: launch.path) }
        let bad = dir.appendingPathComponent("c.yaml")
        try "target:\n  sucess: [x]\n".write(to: bad, atomically: true, encoding: .utf8)
        do {
            _ = try TargetDecoding.load(path: bad.path)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("c.yaml:2:3") && error.description.contains("success"), "\(error.description)")
        }
    }
}

extension TargetDecodingTests {
    @Test func aLaunchWithOnlyACommandKeepsTheDefaults() throws {
        let s = try scenario(Self.base + "target: { command: \"python app.py\" }", file: "/tmp/proj/s.yaml")
        let p = try #require(s.launch).process
        #expect(p.readyPath == "/health" && p.readyTimeout == .seconds(30) && p.stopTimeout == .seconds(30))
        #expect(p.environment.isEmpty && p.workingDirectory == nil && p.resolvedWorkingDirectory == "/tmp/proj")
    }
}
