import Foundation
import MockLLM
import Testing

@testable import Scenarios

/// The published JSON Schema must name exactly the keys the loader accepts.
@Suite struct SchemaFileTests {
    static let schemaURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schema/scenario.schema.json")

    func properties(_ object: [String: Any], _ path: [String]) -> Set<String> {
        var node: Any = object
        for p in path { node = (node as! [String: Any])[p]! }
        return Set(((node as! [String: Any])["properties"] as! [String: Any]).keys)
    }

    @Test func schemaKeysMatchTheLoader() throws {
        let data = try Data(contentsOf: Self.schemaURL)
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(properties(schema, []) == Set(ScenarioLoader.keys))
        #expect(properties(schema, ["properties", "load"]) == Set(LoadDecoding.keys + ScenarioLoader.liveLoadKeys))
        #expect(properties(schema, ["properties", "llm"]) == Set(FaultProfile.keys + ScenarioLoader.liveLLMKeys))
        #expect(properties(schema, ["properties", "stack"]) == Set(StackDecoding.keys))
        #expect(properties(schema, ["properties", "expect"]) == Set(ExpectDecoding.keys))
        #expect(properties(schema, ["properties", "sweep"]) == Set(SweepSpec.keys))
        #expect(properties(schema, ["properties", "plan"]) == Set(PlanSpec.keys))
        let guards = try #require((schema["properties"] as? [String: Any])?["guards"] as? [String: Any])
        #expect((guards["items"] as? [String: Any])?["enum"] as? [String] == Mutant.names)
    }
}
