import AgentService
import CurlClient
import Foundation
import Testing

@Suite struct ValidationTests {
    let config = AgentServiceConfiguration(maxBodyBytes: 1024, maxTaskCharacters: 100, maxUserIDCharacters: 10)

    func field(_ body: String, header: String? = nil) -> (Int, String?) {
        do {
            _ = try TaskSubmission.parse(body: Array(body.utf8), headerKey: header, configuration: config)
            return (200, nil)
        } catch {
            return (error.status, error.field)
        }
    }

    @Test func malformedBodiesNameTheBody() {
        #expect(field("") == (400, "body"))
        #expect(field("{not json") == (400, "body"))
        #expect(field("[1,2]") == (400, "body"))
        #expect(field("\"task\"") == (400, "body"))
    }

    @Test func taskMustBePresentNonEmptyTextWithinTheLimit() {
        #expect(field("{\"user_id\":\"u\"}") == (400, "task"))
        #expect(field("{\"task\":null}") == (400, "task"))
        #expect(field("{\"task\":42}") == (400, "task"))
        #expect(field("{\"task\":\"   \"}") == (400, "task"))
        #expect(field("{\"task\":\"\(String(repeating: "x", count: 101))\"}") == (400, "task"))
        #expect(field("{\"task\":\"\(String(repeating: "x", count: 100))\"}") == (200, nil))
    }

    @Test func userIDAndIdempotencyKeyAreChecked() {
        #expect(field("{\"task\":\"t\",\"user_id\":7}") == (400, "user_id"))
        #expect(field("{\"task\":\"t\",\"user_id\":\"\"}") == (400, "user_id"))
        #expect(field("{\"task\":\"t\",\"user_id\":\"01234567890\"}") == (400, "user_id"))
        #expect(field("{\"task\":\"t\",\"idempotency_key\":\"has space\"}") == (400, "idempotency_key"))
        #expect(field("{\"task\":\"t\",\"idempotency_key\":\"\(String(repeating: "k", count: 256))\"}") == (400, "idempotency_key"))
        #expect(field("{\"task\":\"t\",\"idempotency_key\":\"a\"}", header: "b") == (400, "idempotency_key"))
        #expect(field("{\"task\":\"t\",\"idempotency_key\":\"a\"}", header: "a") == (200, nil))
    }

    @Test func bodyOverTheLimitIs413() {
        let big = "{\"task\":\"\(String(repeating: "x", count: 2000))\"}"
        #expect(field(big) == (413, "body"))
    }

    @Test func theServerAnswersValidationErrorsAsJSONNamingTheField() async throws {
        let s = try await RunningService.start(config, runner: FakeRunner())
        let http = try TestHTTP()
        let malformed = try await http.post(s.base + "/tasks", json: "{\"task\": ")
        #expect(malformed.status == 400)
        #expect(try json(malformed)["field"] as? String == "body")
        let missing = try await http.post(s.base + "/tasks", json: "{\"user_id\":\"u\"}")
        #expect(missing.status == 400)
        #expect(try json(missing)["field"] as? String == "task")
        let empty = try await http.post(s.base + "/tasks", json: "{\"task\":\"\"}")
        #expect(empty.status == 400)
        #expect(try json(empty)["field"] as? String == "task")
        let long = try await http.post(s.base + "/tasks", json: taskJSON(String(repeating: "y", count: 101), user: "u"))
        #expect(long.status == 400)
        #expect(try json(long)["field"] as? String == "task")
        let tooBig = try await http.post(s.base + "/tasks", bytes: Array(repeating: UInt8(ascii: "x"), count: 4096))
        #expect(tooBig.status == 413)
        #expect(try json(tooBig)["field"] as? String == "body")
        await http.shutdown()
        try await s.shutdown()
    }
}
