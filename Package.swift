// swift-tools-version: 6.1
// Squall: a chaos and load testing harness for the reliability stack of LLM-agent services.
// Module map and dependency rules: see README.md ("Architecture").
import PackageDescription

let package = Package(
    name: "Squall",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "squall", targets: ["squall"]),
        .library(name: "Reliability", targets: ["Reliability"]),
        .library(name: "LiveRuntime", targets: ["LiveRuntime"]),
        .library(name: "MockLLM", targets: ["MockLLM"]),
        .library(name: "Scenarios", targets: ["Scenarios"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // Deterministic cores of the client-side reliability stack (no I/O, time is an input).
        .target(
            name: "Reliability",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        // The live runtime: the reliability stack over a real transport and clock (`LiveExecutor`) and the
        // timeline that maps scenario time onto the real clock at a time scale. The only stack code with I/O.
        .target(
            name: "LiveRuntime",
            dependencies: ["Reliability", .product(name: "Logging", package: "swift-log")]
        ),
        // The one arrival schedule and the submission sequence (arrivals, prompts, duplicates) for a seed; pure.
        .target(name: "Traffic", dependencies: ["Reliability"]),
        // Strict YAML configuration decoding with file:line:column errors (scenarios, fault profiles).
        .target(
            name: "YAMLConfig",
            dependencies: ["Reliability", .product(name: "Yams", package: "Yams")]
        ),
        // libcurl, found through pkg-config, plus a C shim for its variadic functions.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CurlShim", dependencies: ["CCurl"]),
        .target(name: "CurlClient", dependencies: ["CCurl", "CurlShim", "Reliability"]),
        // The OpenAI/Groq-compatible chaos server.
        .target(
            name: "MockLLM",
            dependencies: [
                "Reliability", "YAMLConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Flag groups and checks shared by the commands (stack flags, time scale, URLs, limits).
        .target(
            name: "CommandFlags",
            dependencies: [
                "Reliability", "Traffic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Open/closed-loop drivers, targets, HDR recording (arrivals come from Traffic).
        .target(
            name: "LoadGen",
            dependencies: [
                "Reliability", "LiveRuntime", "Traffic", "CurlClient", "CommandFlags", "MockLLM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // Scenario schema and loader, the simulator, the live orchestrator, expectations, catalog.
        .target(
            name: "Scenarios",
            dependencies: [
                "Reliability", "LiveRuntime", "Traffic", "YAMLConfig", "MockLLM", "LoadGen", "CurlClient", "AgentService", "RedisStore",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                // Sweeps and plans patch the scenario's YAML node tree and print stack: blocks.
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                // Child processes a live run starts (redis-server; the team's service).
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            resources: [.copy("Catalog")]
        ),
        // Markdown + SVG, CSV, JUnit XML and JSON writers.
        .target(name: "Reporting", dependencies: ["Scenarios"]),
        // hiredis, found through pkg-config.
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(name: "RedisStore", dependencies: ["CHiredis", "Reliability"]),
        // The reference production task service.
        .target(
            name: "AgentService",
            dependencies: [
                "Reliability", "LiveRuntime", "CurlClient", "LoadGen", "RedisStore", "CommandFlags",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command-line tool: parses flags and delegates.
        .executableTarget(
            name: "squall",
            dependencies: [
                "Reliability", "LiveRuntime", "YAMLConfig", "MockLLM", "LoadGen", "Scenarios", "Reporting",
                "AgentService", "RedisStore", "CurlClient", "CommandFlags",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Times one simulator run with or without tasks.csv (Benchmarks/sim/run.sh); not shipped.
        .executableTarget(name: "squall-sim-bench", dependencies: ["Scenarios"], path: "Benchmarks/sim/SimBench"),
        .testTarget(name: "ReliabilityTests", dependencies: ["Reliability"]),
        .testTarget(name: "TrafficTests", dependencies: ["Traffic"]),
        .testTarget(name: "YAMLConfigTests", dependencies: ["YAMLConfig"]),
        .testTarget(name: "CurlClientTests", dependencies: ["CurlClient", "MockLLM"]),
        .testTarget(
            name: "MockLLMTests",
            dependencies: ["MockLLM", "CurlClient", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "LoadGenTests", dependencies: ["LoadGen", "LiveRuntime", "Traffic", "MockLLM"]),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "LiveRuntime", "Traffic", "Reporting", "MockLLM", "LoadGen"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Scenarios"]),
        .testTarget(name: "RedisStoreTests", dependencies: ["RedisStore"]),
        .testTarget(
            name: "AgentServiceTests",
            dependencies: ["AgentService", "LiveRuntime", "MockLLM", "RedisStore", "CurlClient", "LoadGen"]
        ),
        .testTarget(
            name: "SquallCLITests",
            dependencies: ["squall", "CommandFlags", "Scenarios", "Reporting", "LoadGen", "AgentService", "MockLLM"]
        ),
    ]
)
