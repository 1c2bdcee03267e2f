import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The scale-out store: a PostgreSQL database shared by any number of server processes.
///
/// Every method is one statement on a pooled connection (`PostgresClient`), so one round trip and
/// one snapshot, answered after PostgreSQL's commit; only search reads in several statements, in
/// one read-only transaction. (Round trips are what a request costs here: BEGIN, the statements
/// and COMMIT each wait for the server.) Correctness between processes rests on the database, not on this process:
/// message counts are kept by triggers in the statements that add and remove messages;
/// `last_updated` only moves forward (`GREATEST`); usernames are
/// unique by constraint (a race ends in `usernameTaken`, not a 500); messages reference their
/// conversation with `ON DELETE CASCADE`, so a delete racing an insert leaves no orphan (the insert
/// fails as "not found" or the cascade takes it).
public final class PostgresStore: ChatStore {
    let client: PostgresClient
    let logger: Logger
    private let location: PostgresLocation
    private let runner: Task<Void, Never>
    private let schemaVersion: Int
    /// How long each call waits for PostgreSQL (a connection, then its answers) before it fails
    /// as unavailable; `nil`: as long as it takes.
    let deadline: Duration?

    /// A request's deadline: while the database is away the pool keeps trying to reconnect, and
    /// requests should be answered 503 rather than hang. Also how long start-up waits for the
    /// database's first answer.
    public static let requestDeadline: Duration = .seconds(5)

    /// A search's deadline: finding a word in 88 % of 1.1 M messages reads them all (9 s, where an
    /// 11 % word takes 2 s), which is slow, not "unavailable".
    static let searchDeadline: Duration = .seconds(60)

    /// The deadline of each step of an export or import (a page, a conversation): bulk work runs
    /// beside a server's requests and may wait behind them; slow, not unavailable. (With the 5 s
    /// request deadline, imports under the PostgreSQL suite's load were answered 503 halfway.)
    var bulkDeadline: Duration? { deadline.map { max($0, Self.searchDeadline) } }

    let metrics: StoreMetrics

    private init(
        client: PostgresClient, logger: Logger, location: PostgresLocation, runner: Task<Void, Never>, schemaVersion: Int, deadline: Duration?,
        metrics: StoreMetrics
    ) {
        self.client = client
        self.logger = logger
        self.location = location
        self.runner = runner
        self.schemaVersion = schemaVersion
        self.deadline = deadline
        self.metrics = metrics
    }

    /// Connects, migrates the schema (under an advisory lock) and returns the store. Throws
    /// ``PostgresUnavailableError`` with one line when the database cannot be reached.
    /// `deadline`: each call's, ``requestDeadline`` for a server; `nil` for long work such as
    /// `migrate` (a copy of a million messages once failed as "unavailable" when a batch's index
    /// maintenance, and then the final checksum, ran past 5 s).
    public static func open(
        location: PostgresLocation, logger: Logger, deadline: Duration? = requestDeadline, metrics: StoreMetrics = .none
    ) async throws -> PostgresStore {
        // The pool reports each failed reconnection; the store says once per request what failed.
        var poolLogger = logger
        poolLogger.logLevel = .critical
        let client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: poolLogger)
        let runner = Task { await client.run() }
        do {
            try await within(requestDeadline) {
                try await client.withConnection { connection in try await connection.query("SELECT 1", logger: logger) }
            }
            // Not within the deadline: a migration may build an index over many rows, and other
            // servers starting at the same time wait for the lock while one migrates.
            let version = try await client.withConnection { connection in
                try await PostgresMigrations.apply(on: connection, logger: logger)
            }
            return PostgresStore(
                client: client, logger: logger, location: location, runner: runner, schemaVersion: version, deadline: deadline, metrics: metrics
            )
        } catch {
            runner.cancel()
            throw PostgresUnavailableError(location: location.redacted, reason: Self.reason(error))
        }
    }

    public var description: String {
        "PostgreSQL \(location.redacted) (schema version \(schemaVersion))"
    }

    public func ping() async throws {
        try await run { connection in try await connection.query("SELECT 1", logger: self.logger) }
    }

    public func close() async throws {
        runner.cancel()
    }

    // MARK: Users

    public func createUser(username: String) async throws -> User {
        try await run { connection in try await self.insertUser(username: username, connection) }
    }

    func insertUser(username: String, _ connection: PostgresConnection) async throws -> User {
        let id = newID()
        let now = Timestamp.now()
        do {
            try await connection.query(
                "INSERT INTO users (id, username, created_at) VALUES (\(id), \(username), \(now.storageText)::timestamp)", logger: logger
            )
        } catch let error as PSQLError where error.sqlState == "23505" {
            throw StoreError.usernameTaken
        }
        return User(id: id, username: username, createdAt: now, conversationCount: 0)
    }

    public func user(id: String) async throws -> User {
        try await run { connection in try await self.fetchUser(id: id, connection) }
    }

    public func user(username: String) async throws -> User {
        try await run { connection in
            try await self.one("SELECT \(unescaped: PostgresRows.user) FROM users u WHERE u.username = \(username)", on: connection, missing: .user) {
                PostgresRows.user(try $0.decode(PostgresRows.UserRow.self))
            }
        }
    }

    // MARK: Conversations

    public func conversations(ofUser userID: String, folder: String?, previewLength: Int) async throws -> [ConversationSummary] {
        let previewLength = min(previewLength, Queries.storedHeadLength - 1)
        return try await run { connection in
            // Both conditions are bound; `\(folder)` is NULL when the list is not filtered.
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.summary) FROM conversations c WHERE c.user_id = \(userID)
                  AND (\(folder)::text IS NULL OR coalesce(c.folder, '') = \(folder))
                ORDER BY c.last_updated DESC NULLS LAST, c.seq DESC
                """, logger: self.logger
            )
            var summaries: [ConversationSummary] = []
            for try await row in rows.decode(PostgresRows.SummaryRow.self) {
                summaries.append(PostgresRows.summary(row, previewLength: previewLength))
            }
            if summaries.isEmpty { try await self.requireUser(userID, connection) }
            return summaries
        }
    }

    public func createConversation(userID: String, title: String, folder: String?) async throws -> Conversation {
        try await run { connection in try await self.insertConversation(userID: userID, title: title, folder: folder, connection) }
    }

    func insertConversation(userID: String, title: String, folder: String?, _ connection: PostgresConnection) async throws -> Conversation {
        let id = newID()
        let now = Timestamp.now()
        try await insert(.user) {
            try await connection.query(
                """
                INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at)
                VALUES (\(id), \(title), \(userID), \(folder), \(now.storageText)::timestamp, \(now.storageText)::timestamp)
                """, logger: logger
            )
        }
        return Conversation(id: id, title: title, folder: folder, userID: userID, createdAt: now, lastUpdated: now, messageCount: 0)
    }

    public func conversation(id: String) async throws -> ConversationDetail {
        try await run { connection in
            // The conversation on every row (or on one row without a message): one statement, so
            // the messages and the conversation come from one snapshot, and the count is theirs.
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.conversationColumns), \(unescaped: PostgresRows.message)
                FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id
                WHERE c.id = \(id) ORDER BY m.timestamp NULLS FIRST, m.seq
                """, logger: self.logger
            )
            var conversation: Conversation?
            var messages: [Message] = []
            for try await row in rows.decode(PostgresRows.ConversationWithMessageRow.self) {
                if conversation == nil { conversation = PostgresRows.conversation((row.0, row.1, row.2, row.3, row.4, row.5, 0)) }
                if let message = PostgresRows.message(joined: (row.6, row.7, row.8, row.9, row.10)) { messages.append(message) }
            }
            guard var conversation else { throw StoreError.notFound(.conversation) }
            conversation.messageCount = messages.count
            return ConversationDetail(conversation: conversation, messages: messages)
        }
    }

    public func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation {
        var changed = PostgresUpdate(table: "conversations", alias: "c")
        changed.set("last_updated", Timestamp.now().storageText, cast: "timestamp")
        if let title = changes.title { changed.set("title", title) }
        if let folder = changes.folder { changed.set("folder", folder) }
        return try await updated(changed, id: id, returning: PostgresRows.conversation, missing: .conversation) {
            PostgresRows.conversation(try $0.decode(PostgresRows.ConversationRow.self))
        }
    }

    public func deleteConversation(id: String) async throws {
        try await delete(from: "conversations", id: id, missing: .conversation)
    }

    // MARK: Messages

    public func addMessage(conversationID: String, role: String, content: String) async throws -> Message {
        try await run { connection in try await self.insertMessage(conversationID: conversationID, role: role, content: content, connection) }
    }

    func insertMessage(conversationID: String, role: String, content: String, _ connection: PostgresConnection) async throws -> Message {
        let id = newID()
        let now = Timestamp.now()
        try await insert(.conversation) {
            // One statement: the insert and the bump commit together. `greatest`: never
            // backwards, as two servers' concurrent adds may commit in either order.
            try await connection.query(
                """
                WITH added AS (
                    INSERT INTO messages (id, conversation_id, role, content, timestamp)
                    VALUES (\(id), \(conversationID), \(role), \(content), \(now.storageText)::timestamp)
                    RETURNING conversation_id
                )
                UPDATE conversations SET last_updated = greatest(last_updated, \(now.storageText)::timestamp)
                WHERE id = (SELECT conversation_id FROM added)
                """, logger: logger
            )
        }
        return Message(id: id, conversationID: conversationID, role: role, content: content, timestamp: now)
    }

    public func updateMessage(id: String, content: String?) async throws -> Message {
        var changed = PostgresUpdate(table: "messages", alias: "m")
        if let content { changed.set("content", content) }
        return try await updated(changed, id: id, returning: PostgresRows.message, missing: .message) {
            PostgresRows.message(try $0.decode(PostgresRows.MessageRow.self))
        }
    }

    public func deleteMessage(id: String) async throws {
        try await delete(from: "messages", id: id, missing: .message)
    }

    // MARK: Plugins

    public func plugins(ofUser userID: String) async throws -> [Plugin] {
        try await run { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: PostgresRows.plugin) FROM plugins p WHERE p.user_id = \(userID) ORDER BY p.created_at NULLS FIRST, p.seq",
                logger: self.logger
            )
            var plugins: [Plugin] = []
            for try await row in rows.decode(PostgresRows.PluginRow.self) {
                plugins.append(PostgresRows.plugin(row))
            }
            if plugins.isEmpty { try await self.requireUser(userID, connection) }
            return plugins
        }
    }

    public func createPlugin(userID: String, plugin: NewPlugin) async throws -> Plugin {
        try await run { connection in try await self.insertPlugin(userID: userID, plugin: plugin, connection) }
    }

    func insertPlugin(userID: String, plugin: NewPlugin, _ connection: PostgresConnection) async throws -> Plugin {
        let id = newID()
        let now = Timestamp.now()
        try await insert(.user) {
            try await connection.query(
                """
                INSERT INTO plugins (id, user_id, name, description, enabled, created_at)
                VALUES (\(id), \(userID), \(plugin.name), \(plugin.description), \(plugin.enabled), \(now.storageText)::timestamp)
                """, logger: logger
            )
        }
        return Plugin(id: id, userID: userID, name: plugin.name, description: plugin.description, enabled: plugin.enabled, createdAt: now)
    }

    public func updatePlugin(id: String, changes: PluginChanges) async throws -> Plugin {
        var changed = PostgresUpdate(table: "plugins", alias: "p")
        if let name = changes.name { changed.set("name", name) }
        if let description = changes.description { changed.set("description", description) }
        if let enabled = changes.enabled { changed.set("enabled", enabled) }
        return try await updated(changed, id: id, returning: PostgresRows.plugin, missing: .plugin) {
            PostgresRows.plugin(try $0.decode(PostgresRows.PluginRow.self))
        }
    }

    public func deletePlugin(id: String) async throws {
        try await delete(from: "plugins", id: id, missing: .plugin)
    }

    // MARK: Shared lookups

    /// The query's first row, made into a record; "not found" (as `missing`) when there is none.
    func one<Record>(
        _ query: PostgresQuery, on connection: PostgresConnection, missing: Entity, _ record: (PostgresRow) throws -> Record
    ) async throws -> Record {
        for try await row in try await connection.query(query, logger: logger) {
            return try record(row)
        }
        throw StoreError.notFound(missing)
    }

    /// Runs `update` on row `id` and makes its `returning` columns into a record; "not found"
    /// (as `missing`) when there is no such row.
    private func updated<Record: Sendable>(
        _ update: PostgresUpdate, id: String, returning: String, missing: Entity, _ record: @escaping @Sendable (PostgresRow) throws -> Record
    ) async throws -> Record {
        let query = update.query(id: id, returning: returning)
        return try await run { connection in try await self.one(query, on: connection, missing: missing, record) }
    }

    /// Deletes row `id` (PostgreSQL cascades to what references it); "not found" when there was none.
    private func delete(from table: String, id: String, missing: Entity) async throws {
        var bindings = PostgresBindings()
        bindings.append(id)
        let query = PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE id = $1 RETURNING id", binds: bindings)
        try await run { connection in
            let rows = try await connection.query(query, logger: self.logger)
            guard try await rows.decode(String.self).contains(where: { _ in true }) else { throw StoreError.notFound(missing) }
        }
    }

    func fetchUser(id: String, _ connection: PostgresConnection) async throws -> User {
        try await one("SELECT \(unescaped: PostgresRows.user) FROM users u WHERE u.id = \(id)", on: connection, missing: .user) {
            PostgresRows.user(try $0.decode(PostgresRows.UserRow.self))
        }
    }

    /// For a list that came back empty: is that the user's list, or is there no such user? Asked
    /// only then, in a statement of its own: a list of one user's rows that has any row proves the
    /// user (by foreign key), and an empty list followed by "the user exists" is the answer as of
    /// the first statement, since users are never deleted.
    func requireUser(_ id: String, _ connection: PostgresConnection) async throws {
        _ = try await fetchUser(id: id, connection)
    }

    /// Runs an insert whose foreign key names `parent`: a missing parent is "not found", also when
    /// another server deleted it a moment ago.
    private func insert(_ parent: Entity, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as PSQLError where error.sqlState == "23503" {
            throw StoreError.notFound(parent)
        }
    }

    // MARK: Connections

    /// `body` on a pooled connection (autocommit), within the store's deadline.
    ///
    /// A statement PostgreSQL ended as a deadlock's victim (40P01) changed nothing and runs again,
    /// up to three times in all: deleting a message takes its row and then its conversation's
    /// (for the count), deleting the conversation takes them the other way round.
    @discardableResult
    func run<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Value) async throws -> Value {
        try await logged {
            try await Self.within(self.deadline) {
                var attempt = 1
                while true {
                    do {
                        return try await self.withTimedConnection(body)
                    } catch let error as PSQLError where error.sqlState == "40P01" && attempt < 3 {
                        self.logger.notice("deadlock, running the statement again", metadata: ["attempt": "\(attempt)"])
                        attempt += 1
                    }
                }
            }
        }
    }

    /// `body` in one transaction, within `deadline`: committed when it returns, rolled
    /// back when it throws. `begin` opens the transaction, so that its mode costs no round trip of
    /// its own (`SET TRANSACTION` after `BEGIN` would).
    @discardableResult
    func transaction<Value: Sendable>(
        begin: String = "BEGIN", deadline: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await logged {
            try await Self.within(deadline) {
                try await self.withTimedConnection { connection in try await self.transact(begin: begin, on: connection, body) }
            }
        }
    }

    /// A pooled connection for `body`, recording the wait for it and the work on it.
    private func withTimedConnection<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Value) async throws -> Value {
        let asked = ContinuousClock.now
        return try await client.withConnection { connection in
            self.metrics.wait.record(duration: asked.duration(to: .now))
            return try await self.metrics.timingTransaction { try await body(connection) }
        }
    }

    /// `begin`, `body`, then COMMIT (ROLLBACK when `body` throws) on one connection.
    private func transact<Value: Sendable>(
        begin: String, on connection: PostgresConnection, _ body: @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
        let value: Value
        do {
            value = try await body(connection)
        } catch {
            // A broken connection has nothing to roll back; the caller's error is what matters.
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return value
    }

    /// Logs a request the database could not serve (the client gets a 503).
    private func logged<Value>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch StoreError.unavailable {
            logger.warning("PostgreSQL unavailable", metadata: ["database": "\(location.redacted)"])
            throw StoreError.unavailable
        }
    }

    /// `body` in a read-only transaction that sees one snapshot for all of its statements.
    func snapshot<Value: Sendable>(
        deadline: Duration?, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try await transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", deadline: deadline, body)
    }

    /// Runs `body`, failing with ``StoreError/unavailable`` after `deadline` or when PostgreSQL's
    /// connection is lost; other errors pass through.
    ///
    /// Not a task group: a group waits for all of its tasks, and a request waiting for a connection
    /// while the database is away does not end until it is back. Here the caller is answered at the
    /// deadline and `body` is cancelled (which withdraws its wait for a connection, so a write
    /// answered 503 is not run later). `body` starts on the caller's thread, and deadlines are
    /// kept in ``Deadlines`` (checked a few times a second) rather than each given a timer: with a
    /// sleeping task per call as the timer, the deadline cost health checks on PostgreSQL 28 % of
    /// their rate, and with an event-loop timer per call 18 %.
    @discardableResult
    static func within<Value: Sendable>(
        _ deadline: Duration?, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        do {
            guard let deadline else { return try await body() }
            return try await withCheckedThrowingContinuation { continuation in
                let answer = FirstAnswer(continuation)
                let work = Task.immediate {
                    let result: Result<Value, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    answer.resume(with: result)
                }
                let watch = Deadlines.shared.add(after: deadline) {
                    answer.resume(with: .failure(StoreError.unavailable))
                    work.cancel()
                }
                answer.whenAnswered { Deadlines.shared.remove(watch) }
            }
        } catch let error as PSQLError where error.isConnectionLoss {
            throw StoreError.unavailable
        } catch let error as PSQLError where error.sqlState == "22021" {
            throw StoreError.unsupportedText
        }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        if let error = error as? StoreError, error == .unavailable { return "no answer within \(requestDeadline)" }
        return "\(error)"
    }
}

/// A continuation resumed by whichever of two answers comes first (the work's or the deadline's);
/// the other is dropped. Also runs one clean-up (cancelling the deadline's timer) once answered,
/// whether the answer came before or after the clean-up was registered.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var cleanUp: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        state = Mutex(State(continuation: continuation))
    }

    func resume(with result: Result<Value, any Error>) {
        let (continuation, cleanUp) = state.withLock { state in
            (state.continuation.take(), state.cleanUp.take())
        }
        guard let continuation else { return }
        continuation.resume(with: result)
        cleanUp?()
    }

    func whenAnswered(_ cleanUp: @escaping @Sendable () -> Void) {
        let answered = state.withLock { state in
            if state.continuation == nil { return true }
            state.cleanUp = cleanUp
            return false
        }
        if answered { cleanUp() }
    }
}

/// PostgreSQL could not be reached (or refused us) at start-up: one line for the operator.
public struct PostgresUnavailableError: Error, CustomStringConvertible {
    public var location: String
    public var reason: String

    public var description: String {
        "cannot use PostgreSQL at \(location): \(reason)"
    }
}

extension PSQLError {
    var sqlState: String? { serverInfo?[.sqlState] }

    /// The connection broke or could not be made: the database is away, not the request wrong.
    var isConnectionLoss: Bool {
        [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed].contains(code)
            || sqlState?.hasPrefix("08") == true || sqlState == "57P01" || sqlState == "57P03"
    }
}

/// `UPDATE table SET … RETURNING …` for only the columns a partial update names.
struct PostgresUpdate {
    let table: String
    /// The alias the `RETURNING` list uses (`c` for `PostgresRows.conversation`).
    let alias: String
    private var assignments: [String] = []
    private var bindings = PostgresBindings()

    init(table: String, alias: String) {
        self.table = table
        self.alias = alias
    }

    /// `cast`: a type the text value is cast to (`timestamp`).
    mutating func set(_ column: String, _ value: some PostgresNonThrowingEncodable & Sendable, cast: String? = nil) {
        bindings.append(value)
        assignments.append("\(column) = $\(bindings.count)" + (cast.map { "::\($0)" } ?? ""))
    }

    mutating func set(_ column: String, _ value: String?) {
        bindings.append(value)
        assignments.append("\(column) = $\(bindings.count)")
    }

    /// The update of row `id`, answering `returning` (a select list over ``alias``) for it; no row
    /// when there is no such row. With nothing to set, the row is read as it is.
    func query(id: String, returning: String) -> PostgresQuery {
        var bindings = bindings
        bindings.append(id)
        let set = assignments.isEmpty ? "id = id" : assignments.joined(separator: ", ")
        return PostgresQuery(
            unsafeSQL: "UPDATE \(table) \(alias) SET \(set) WHERE \(alias).id = $\(bindings.count) RETURNING \(returning)", binds: bindings
        )
    }
}
