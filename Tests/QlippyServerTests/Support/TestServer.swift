import Configuration
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import QlippyModel
import QlippyServer
import QlippyTestSupport
import Testing

/// The configuration a test server runs with: a database of its own, on the store this run tests
/// (``TestStore``): a file in a temporary folder, or a new database on the throwaway PostgreSQL.
/// A test that passes `databasePath` (a SQLite file it prepared) always runs on SQLite.
struct TestServer {
    let databasePath: String
    /// The database on the PostgreSQL run; created when the server first runs.
    let postgresURL: String?
    var settings: [String: String]
    /// Whether `run` creates the PostgreSQL database first (not for a second server on it).
    var createsDatabase = true

    init(databasePath: String? = nil, settings: [String: String] = [:]) throws {
        self.databasePath = try databasePath ?? makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        postgresURL = databasePath == nil && TestStore.current == .postgres ? TestPostgres.url(of: TestPostgres.newDatabaseName()) : nil
        self.settings = settings
    }

    /// A server on a new database of the PostgreSQL server `server` names.
    init(postgresServer server: String) throws {
        databasePath = try makeTemporaryDirectory().appendingPathComponent("unused.db").path
        postgresURL = TestPostgres.url(of: TestPostgres.newDatabaseName(), on: server)
        settings = [:]
    }

    /// Another server on this one's database, which this one creates; with `settings` instead of
    /// this one's when given.
    func onSameDatabase(settings: [String: String]? = nil) -> TestServer {
        var other = self
        other.createsDatabase = false
        if let settings { other.settings = settings }
        return other
    }

    /// The `--database` setting: the PostgreSQL URL on that run, else the file.
    var database: String { postgresURL ?? databasePath }

    var reader: ConfigReader {
        Self.reader(["database": database, "port": "0", "logLevel": "warning"].merging(settings) { $1 })
    }

    /// A configuration of these settings, each named as its `qlippy.` key without the prefix.
    static func reader(_ settings: [String: String]) -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in settings {
            values[AbsoluteConfigKey(ConfigKey("qlippy.\(key)"))] = ConfigValue(.string(value), isSecret: false)
        }
        return ConfigReader(provider: InMemoryProvider(values: values))
    }

    /// Builds the application exactly as the executable does and runs `body` against it.
    func run<Value: Sendable>(
        _ setup: TestingSetup = .router, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await ServerSlots.shared.holding {
            if createsDatabase, let postgresURL { try await TestPostgres.create(postgresURL) }
            return try await buildApplication(reader: reader).test(setup, body)
        }
    }

    /// An integer SQLite answers for `sql` on the file, read beside the server.
    func sqliteInteger(_ sql: String) async throws -> Int {
        let queue = try DatabaseQueue(path: databasePath)
        defer { try? queue.close() }
        return try await queue.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// Waits until the search index holds every message (SQLite's indexer follows the writes);
    /// PostgreSQL indexes in the write itself.
    func waitForSearchIndex(timeout: Duration = .seconds(60)) async throws {
        guard postgresURL == nil else { return }
        let deadline = ContinuousClock.now + timeout
        while try await sqliteInteger(Self.messagesNotIndexed) > 0 {
            guard ContinuousClock.now < deadline else { throw SearchIndexTimeout() }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static let messagesNotIndexed = "SELECT count(*) FROM messages WHERE rowid > (SELECT indexed_through FROM search_progress)"

    /// Row counts of the four original tables, read straight from the database.
    func rowCounts() async throws -> [String: Int] {
        if let postgresURL { return try await TestPostgres.rowCounts(postgresURL) }
        let queue = try DatabaseQueue(path: databasePath)
        defer { try? queue.close() }
        return try await queue.read { db in
            var counts: [String: Int] = [:]
            for table in ["users", "conversations", "messages", "message_details", "plugins"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")
            }
            return counts
        }
    }

    /// How many entries the search keeps for messages: SQLite's `message_owners` rows (the
    /// index's own entries go with them, v5's triggers), PostgreSQL's `message_search_text` copies.
    func searchEntries() async throws -> Int {
        if let postgresURL { return try await TestPostgres.count("message_search_text", url: postgresURL) }
        return try await sqliteInteger("SELECT count(*) FROM message_owners")
    }

    /// Runs raw SQL against the database beside the server, e.g. to plant rows a test needs; `?`
    /// marks each argument. On PostgreSQL the placeholders become `$1`, `$2`…, so plain
    /// `UPDATE`/`INSERT` statements work on both stores (with text arguments only). Without
    /// `foreignKeys` (SQLite only), as the original backend wrote: SQLAlchemy leaves SQLite's
    /// enforcement off.
    func execute(_ sql: String, _ arguments: [any DatabaseValueConvertible & Sendable] = [], foreignKeys: Bool = true) async throws {
        if let postgresURL {
            var numbered = ""
            var index = 0
            for character in sql {
                if character == "?" {
                    index += 1
                    numbered += "$\(index)"
                } else {
                    numbered.append(character)
                }
            }
            var bindings = PostgresBindings()
            for argument in arguments {
                bindings.append(try #require(argument as? String, "PostgreSQL arguments here are text"))
            }
            let query = PostgresQuery(unsafeSQL: numbered, binds: bindings)
            try await TestPostgres.withConnection(postgresURL) { connection in
                try await connection.query(query, logger: TestPostgres.logger)
            }
            return
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = foreignKeys
        // The server may be writing (a request, the indexer): wait for its lock as its own
        // connections do, instead of failing at once.
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        defer { try? queue.close() }
        try await queue.write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }
}

/// A parsed JSON response body.
struct JSONDocument: @unchecked Sendable {
    let value: Any

    init(_ buffer: ByteBuffer) throws {
        value = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: [.fragmentsAllowed])
    }

    var object: [String: Any] { value as? [String: Any] ?? [:] }
    var array: [[String: Any]] { value as? [[String: Any]] ?? [] }
    subscript(key: String) -> Any? { object[key] }
    func string(_ key: String) -> String? { object[key] as? String }
    func int(_ key: String) -> Int? { object[key] as? Int }
}

extension TestResponse {
    var json: JSONDocument {
        get throws { try JSONDocument(body) }
    }

    /// The `error` text of a JSON error answer; fails the test if the body is not one.
    var errorMessage: String? {
        let document = try? JSONDocument(body)
        #expect(headers[.contentType] == "application/json; charset=utf-8")
        #expect(document?.object.count == 1, "an error body has exactly one key: \(String(buffer: body))")
        return document?.string("error")
    }
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]

extension TestClientProtocol {
    func get(_ uri: String) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: .get, headers: [:], body: nil)
    }

    func delete(_ uri: String) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: .delete, headers: [:], body: nil)
    }

    func post(_ uri: String, _ json: String, headers: HTTPFields = jsonHeaders) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func put(_ uri: String, _ json: String, headers: HTTPFields = jsonHeaders) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: .put, headers: headers, body: ByteBuffer(string: json))
    }

    /// Creates a user and returns its id.
    func createUser(_ username: String = "ada") async throws -> String {
        let response = try await post("/api/users", #"{"username": "\#(username)"}"#)
        #expect(response.status == .created)
        return try #require(try response.json.string("id"))
    }

    /// Creates a conversation and returns its id.
    func createConversation(user: String, _ body: String = "{}") async throws -> String {
        let response = try await post("/api/users/\(user)/conversations", body)
        #expect(response.status == .created)
        return try #require(try response.json.string("id"))
    }

    /// Adds a message and returns it as the server answered.
    @discardableResult
    func addMessage(to conversation: String, role: String = "user", _ content: String) async throws -> JSONDocument {
        let body = try String(decoding: JSONSerialization.data(withJSONObject: ["role": role, "content": content]), as: UTF8.self)
        let response = try await post("/api/conversations/\(conversation)/messages", body)
        #expect(response.status == .created)
        return try response.json
    }
}

/// `2026-11-24T20:15:48.364374Z`: RFC 3339 UTC with microseconds.
var wireTimestampPattern: Regex<Substring> { #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/# }
/// `2026-11-24 20:15:48.364374`: the original's storage text.
var storageTimestampPattern: Regex<Substring> { #/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/# }
/// A lowercase UUID.
var uuidPattern: Regex<Substring> { #/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/# }

func matches(_ value: Any?, _ pattern: Regex<Substring>) -> Bool {
    guard let text = value as? String else { return false }
    return text.wholeMatch(of: pattern) != nil
}

struct SearchIndexTimeout: Error {}

/// The ways the server finds a search's messages; search tests run against each, since which one
/// a query takes depends on the user's size (`--search-scan-limit`) and test users are small.
enum SearchPath: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// The trigram index, for every query of three characters or more, with the indexer following
    /// the writes (what it does not hold yet is scanned).
    case index
    /// The index with nothing new in it (`--search-indexing false`): every message written in the
    /// test is above its mark, and scanned.
    case behind
    /// A scan of the user's messages (every test user is under the limit): for every query on
    /// PostgreSQL; on SQLite when the index holds more hits than the user has messages, or the
    /// search filters by role or date, else the index's few hits.
    case scan

    var settings: [String: String] {
        switch self {
        case .index: ["searchScanLimit": "0"]
        case .behind: ["searchScanLimit": "0", "searchIndexing": "false"]
        case .scan: ["searchScanLimit": "\(Int32.max)"]
        }
    }

    var testDescription: String { rawValue }
}

/// At most ``limit`` test servers at once in this process. Swift Testing starts every test (and
/// every argument of a parameterized one) together; 210 servers once had their databases open at
/// the same time, some 1 900 descriptors, and Foundation's `Process.run` (which adds a close action
/// for every descriptor up to the highest open one) crashed the command-line tests beside them.
actor ServerSlots {
    static let shared = ServerSlots()
    static let limit = 24
    /// Set while a task holds a slot: a server started inside another test server's run (two servers
    /// on one database) shares its slot rather than waiting for one.
    @TaskLocal static var held = false

    private var free = ServerSlots.limit
    private var waiting: [CheckedContinuation<Void, Never>] = []

    nonisolated func holding<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        guard !Self.held else { return try await body() }
        await acquire()
        do {
            let value = try await Self.$held.withValue(true) { try await body() }
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        guard free == 0 else {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
