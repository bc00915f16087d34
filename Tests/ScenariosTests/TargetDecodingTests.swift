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

    @Test func startingTheServiceIsRefusedAsNotSupportedYet() throws {
        for key in TargetDecoding.unsupportedKeys {
            let e = try #require(loadError(Self.base + "target:\n  \(key): x\n"))
            #expect(e.line == 6, "\(key)")
            #expect(e.description.contains("'\(key)'") && e.description.contains("not supported yet"), "\(e.description)")
        }
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
