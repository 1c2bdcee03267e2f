// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // The hot paths cross modules (the JSON writer's fields, timestamps, search's matcher): without
    // cross-module optimization a release build cannot inline them there (bench/README.md).
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "qlippy-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "qlippy-server", targets: ["qlippy-server"]),
        .executable(name: "qlippy-bench", targets: ["qlippy-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // Plain values: records, partial updates, timestamps, pages, search, the store's errors.
        .target(name: "QlippyModel", swiftSettings: swiftSettings),
        // JSON writing and structural scanning, and the cursors' base64url.
        .target(name: "QlippyJSON", dependencies: ["QlippyModel"], swiftSettings: swiftSettings),
        // The storage protocols by concern, and the rules both backends share.
        .target(
            name: "QlippyStore",
            dependencies: ["QlippyModel", .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "QlippySQLite",
            dependencies: [
                "QlippyStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "QlippyPostgres",
            dependencies: [
                "QlippyStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // `migrate`: the one module that links both backends.
        .target(
            name: "QlippyMigrate",
            dependencies: [
                "QlippySQLite", "QlippyPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Import and export formats and the importer; no HTTP.
        .target(
            name: "QlippyTransfer",
            dependencies: ["QlippyStore", "QlippyJSON", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        // HTTP only.
        .target(
            name: "QlippyServer",
            dependencies: [
                "QlippyStore", "QlippySQLite", "QlippyPostgres", "QlippyJSON", "QlippyTransfer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.embedInCode("Resources/openapi.json"), .embedInCode("Resources/common-passwords.txt")],
            swiftSettings: swiftSettings
        ),
        // The command line.
        .executableTarget(
            name: "qlippy-server",
            dependencies: [
                "QlippyServer", "QlippyStore", "QlippySQLite", "QlippyPostgres", "QlippyMigrate", "QlippyTransfer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "qlippy-bench",
            dependencies: [
                "QlippyModel", "QlippySQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "bench/Sources/qlippy-bench",
            swiftSettings: swiftSettings
        ),
        // What the suites share: which store a run tests, fixtures, seeded randomness.
        .target(
            name: "QlippyTestSupport",
            dependencies: [
                "QlippyPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/QlippyTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "QlippyJSONTests", dependencies: ["QlippyJSON", "QlippyTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "QlippyTransferTests", dependencies: ["QlippyTransfer", "QlippyJSON", "QlippyTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "QlippyStoreTests",
            dependencies: [
                "QlippyStore", "QlippySQLite", "QlippyPostgres", "QlippyTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QlippyServerTests",
            dependencies: [
                "QlippyServer", "QlippyStore", "QlippySQLite", "QlippyPostgres", "QlippyMigrate", "QlippyTransfer", "QlippyJSON",
                "QlippyTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
