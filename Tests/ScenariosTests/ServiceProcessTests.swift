import Foundation
import LoadGen
import Testing

@testable import Scenarios

/// `ServiceProcess`: starting the team's service as a child on a loopback port Squall chose, with
/// the SDKs' base URLs pointing at the mock, waiting for ready, stopping it; and every way that fails.
@Suite struct ServiceProcessTests {
    /// A service that answers GET /health with the environment variables Squall should have set.
    static let echoService = """
        import http.server, json, os
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                names = ["OPENAI_BASE_URL", "GROQ_BASE_URL", "SQUALL_LLM_URL", "PORT", "EXTRA", "OPENAI_API_KEY", "GROQ_API_KEY"]
                body = json.dumps({k: os.environ.get(k) for k in names} | {"cwd": os.getcwd()}).encode()
                self.send_response(200 if self.path == "/health" else 404)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        print("listening", flush=True)
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()

        """

    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.echoService.write(to: dir.appendingPathComponent("service.py"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func theServiceStartsOnItsPortWithTheSDKsPointedAtTheMockAndStopsOnSigterm() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try CurlLoadClient(maxConnections: 4)
        let spec = ServiceProcessSpec(
            command: "python3 service.py", workingDirectory: ".", environment: ["EXTRA": "port={port} llm={llm_url}"],
            baseDirectory: dir.path)
        let log = dir.appendingPathComponent("service.log").path
        let service = try await ServiceProcess.start(spec, llmURL: "http://127.0.0.1:9/", logPath: log, client: client)
        let reply = try await client.send(HTTPCall(method: "GET", url: service.url + "/health", timeout: .seconds(5))).get()
        await client.shutdown()
        let env = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
        #expect(env["OPENAI_BASE_URL"] as? String == "http://127.0.0.1:9/v1")
        #expect(env["GROQ_BASE_URL"] as? String == "http://127.0.0.1:9")
        #expect(env["SQUALL_LLM_URL"] as? String == "http://127.0.0.1:9")
        #expect(env["PORT"] as? String == String(service.port))
        #expect(env["EXTRA"] as? String == "port=\(service.port) llm=http://127.0.0.1:9")
        // A key this process has is inherited, never replaced; a missing one gets a placeholder.
        for name in ["OPENAI_API_KEY", "GROQ_API_KEY"] {
            let own = ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
            #expect(env[name] as? String == own ?? "squall-mock", "\(name)")
        }
        // `exec` makes the program itself the child: SIGTERM reaches Python, whose default action ends it.
        #expect(await service.stop() == .signalled(SIGTERM))
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("listening"))
    }

    @Test func aServiceThatExitsBeforeItIsReadyIsAnErrorWithTheEndOfItsLog() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try CurlLoadClient(maxConnections: 2)
        defer { Task { await client.shutdown() } }
        let spec = ServiceProcessSpec(command: "python3 -c 'import sys; print(\"boom: no config\"); sys.exit(4)'", baseDirectory: dir.path)
        await #expect {
            _ = try await ServiceProcess.start(spec, llmURL: "http://127.0.0.1:9", logPath: dir.appendingPathComponent("l").path, client: client)
        } throws: { error in
            let text = "\(error)"
            return text.contains("exit 4") && text.contains("boom: no config") && text.contains("before /health answered")
        }
    }

    @Test func aServiceThatNeverAnswersReadyIsAnErrorNamingTargetReady() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try CurlLoadClient(maxConnections: 2)
        defer { Task { await client.shutdown() } }
        // Answers, but /ready is a 404 in this service.
        let spec = ServiceProcessSpec(command: "python3 service.py", readyPath: "/ready", readyTimeout: .seconds(8), baseDirectory: dir.path)
        await #expect {
            _ = try await ServiceProcess.start(spec, llmURL: "http://127.0.0.1:9", logPath: dir.appendingPathComponent("l").path, client: client)
        } throws: { error in
            let text = "\(error)"
            // (the last answer is a 404 once Python is up; on a very slow machine it may still be "refused")
            return text.hasPrefix("target.ready:") && text.contains("/ready did not answer 2xx within 8s")
        }
    }

    @Test func aMissingWorkingDirectoryIsAnErrorNamingTargetCwd() async throws {
        let client = try CurlLoadClient(maxConnections: 2)
        defer { Task { await client.shutdown() } }
        let spec = ServiceProcessSpec(command: "true", workingDirectory: "no/such/dir", baseDirectory: "/tmp")
        await #expect {
            _ = try await ServiceProcess.start(spec, llmURL: "http://127.0.0.1:9", logPath: "/tmp/squall-unused.log", client: client)
        } throws: { error in
            "\(error)" == "target.cwd: /tmp/no/such/dir is not a directory"
        }
    }

    @Test func placeholdersAndRelativeDirectoriesResolve() {
        #expect(ServiceProcessSpec.fill("uvicorn app:app --port {port}", port: 8123, llmURL: "x") == "uvicorn app:app --port 8123")
        #expect(ServiceProcessSpec(command: "x", workingDirectory: "../svc", baseDirectory: "/a/b").resolvedWorkingDirectory == "/a/svc")
        #expect(ServiceProcessSpec(command: "x", workingDirectory: "/abs", baseDirectory: "/a/b").resolvedWorkingDirectory == "/abs")
        #expect(ServiceProcessSpec(command: "x", baseDirectory: "/a/b").resolvedWorkingDirectory == "/a/b")
    }
}
