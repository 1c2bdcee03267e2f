import Foundation
import GRDB
import Logging
import PostgresNIO
import QlippyModel
import QlippyPostgres
import QlippySQLite
import QlippyStore

/// Copies every user, conversation, message (with its details) and plugin of a SQLite file (the
/// original's or ours) into a PostgreSQL database, ids and timestamps unchanged, then compares both sides.
///
/// The file is opened read-only and never changed. Rows go in creation order (rowid), so the
/// creation order PostgreSQL keeps (`seq`) is the file's, in batches of ``batchSize`` rows, each
/// batch one transaction. A row whose id is already in the target is skipped, so an interrupted
/// copy can be run again and resumes. Into an empty table, indexes that are costly to keep up row
/// by row (the search's trigram index) are dropped first and built once the rows are in, as
/// `pg_restore` does; a run that stopped between the two leaves the index missing until the copy
/// is run again, which creates it whatever else it finds. At the end each table's row count and checksum (FNV-1a over
/// its rows in id order, timestamps as microseconds) are compared; a target that held other rows
/// fails that comparison, and ``CopyError/mismatch`` says which table differs.
public struct SQLiteToPostgres {
    public let source: String
    public let target: PostgresLocation
    public let logger: Logger
    /// Called after each batch, at the end of each table and before each index is built.
    public var progress: @Sendable (Progress) -> Void = { _ in }

    /// How far the copy is.
    public enum Progress: Sendable {
        /// `rows` of the table's `total` copied so far.
        case copied(table: String, rows: Int, total: Int)
        /// Building `index` over the copied rows of `table`.
        case indexing(table: String, index: String)
    }

    static let batchSize = 1_000

    public init(source: String, target: PostgresLocation, logger: Logger) {
        self.source = source
        self.target = target
        self.logger = logger
    }

    /// Per table: its name and rows counted and checksummed on each side.
    public struct TableReport: Sendable, Equatable {
        public var table: String
        public var rows: Int
        public var checksum: UInt64
    }

    /// Copies, then verifies; returns the verified tables.
    public func run() async throws -> [TableReport] {
        var configuration = Configuration()
        configuration.readonly = true
        let file = try DatabaseQueue(path: source, configuration: configuration)
        defer { try? file.close() }
        // No deadline: building an index over a million messages, or reading them all for the
        // checksum, takes minutes.
        let store = try await PostgresStore.open(location: target, logger: logger, deadline: nil)
        do {
            var reports: [TableReport] = []
            for table in CopiedTable.all {
                if try await file.read({ db in try table.isMissing(in: db) }) { continue }
                try await copy(table, from: file, to: store)
                let expected = try await file.read { db in try table.report(sqliteRows: db) }
                let actual = try await table.report(postgresRows: store)
                guard expected == actual else { throw CopyError.mismatch(expected: expected, actual: actual) }
                reports.append(actual)
            }
            try await store.close()
            return reports
        } catch {
            try? await store.close()
            throw error
        }
    }

    private func copy(_ table: CopiedTable, from file: DatabaseQueue, to store: PostgresStore) async throws {
        let total = try await file.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0 }
        if !table.deferredIndexes.isEmpty, try await table.isEmpty(in: store) {
            for index in table.deferredIndexes {
                try await store.run { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: index.dropIfPresent), logger: store.logger)
                }
            }
        }
        var copied = 0
        var lastRowID: Int64 = .min
        while true {
            let after = lastRowID
            let (rows, last) = try await file.read { db in try table.batch(db, after: after, limit: Self.batchSize) }
            guard let last else { break }
            // One statement: the batch and its count triggers commit together.
            try await store.run { connection in
                try await connection.query(table.insert(rows), logger: store.logger)
            }
            lastRowID = last
            copied += rows.count
            progress(.copied(table: table.name, rows: copied, total: total))
        }
        if copied == 0 { progress(.copied(table: table.name, rows: 0, total: total)) }
        for index in table.deferredIndexes {
            progress(.indexing(table: table.name, index: index.name))
            try await store.transaction(deadline: nil) { connection in
                // The build sorts in this much memory before it spills to disk (the default is 64 MB).
                try await connection.query("SET LOCAL maintenance_work_mem = '256MB'", logger: store.logger)
                try await connection.query(PostgresQuery(unsafeSQL: index.createIfMissing), logger: store.logger)
            }
        }
    }
}

/// Why a copy stopped. One line each for the operator.
public enum CopyError: Error, CustomStringConvertible {
    case mismatch(expected: SQLiteToPostgres.TableReport, actual: SQLiteToPostgres.TableReport)

    public var description: String {
        switch self {
        case .mismatch(let expected, let actual):
            "\(expected.table) differ after the copy: the file has \(expected.rows) rows (checksum \(String(expected.checksum, radix: 16))), "
                + "PostgreSQL \(actual.rows) (checksum \(String(actual.checksum, radix: 16))); was the target empty?"
        }
    }
}

/// One of the copied tables: its columns, how each is read on both sides, and its checksum.
struct CopiedTable: Sendable {
    enum Kind: Sendable {
        case text, timestamp, bool, integer, json
        /// A UTC day: `YYYY-MM-DD`, or `''` (SQLite) / `-infinity` (PostgreSQL) for none.
        case day
    }

    let name: String
    let columns: [(name: String, kind: Kind)]
    /// The unique column: rows the target holds already are found by it, and checksums read in its order.
    var key = "id"
    /// A table of ours that a file no server of ours has migrated (the original's) lacks: nothing to copy.
    var isOurs = false
    /// Built after the copy instead of batch by batch: keeping the trigram index up batch by batch
    /// costs more than building it once, and the cost of each batch grows with the index.
    var deferredIndexes: [PostgresIndex] = []
    /// Where PostgreSQL keeps the rows when it has no table of this name: the statement that
    /// writes a batch there, and the select list and `FROM` clause that read them back for the
    /// checksum, in the table's columns (its key named as here).
    var elsewhere: Elsewhere?

    struct Elsewhere: Sendable {
        var write: @Sendable ([[Value]]) -> PostgresQuery
        var read: String
    }

    static let all = [
        CopiedTable(name: "users", columns: [("id", .text), ("username", .text), ("created_at", .timestamp)]),
        CopiedTable(
            name: "conversations",
            columns: [
                ("id", .text), ("title", .text), ("user_id", .text), ("folder", .text), ("last_updated", .timestamp),
                ("created_at", .timestamp),
            ]),
        CopiedTable(
            name: "messages",
            columns: [
                ("id", .text), ("conversation_id", .text), ("role", .text), ("content", .text), ("timestamp", .timestamp),
            ], deferredIndexes: [PostgresMigrations.searchIndex]),
        CopiedTable(
            name: "message_details",
            columns: [
                ("message_id", .text), ("conversation_id", .text), ("user_id", .text), ("day", .day), ("model", .text),
                ("input_tokens", .integer), ("output_tokens", .integer), ("finish_reason", .text), ("metadata", .json),
            ], key: "message_id", isOurs: true),
        CopiedTable(
            name: "message_parents", columns: [("message_id", .text), ("conversation_id", .text), ("parent_id", .text)],
            key: "message_id", isOurs: true),
        CopiedTable(
            name: "current_messages", columns: [("conversation_id", .text), ("message_id", .text)], key: "conversation_id", isOurs: true),
        CopiedTable(
            name: "conversation_marks",
            columns: [("conversation_id", .text), ("pinned", .bool), ("archived", .bool), ("tags", .text), ("expires_at", .timestamp)],
            key: "conversation_id", isOurs: true,
            elsewhere: Elsewhere(
                write: marks,
                read: """
                    id AS conversation_id, CASE WHEN pinned THEN '1' ELSE '0' END, CASE WHEN archived THEN '1' ELSE '0' END,
                    nullif(array_to_string(tags, E'\\x1f'), ''), (extract(epoch FROM expires_at) * 1000000)::int8::text
                    FROM conversations WHERE pinned OR archived OR cardinality(tags) > 0 OR expires_at IS NOT NULL
                    """)),
        CopiedTable(
            name: "share_links",
            columns: [
                ("id", .text), ("conversation_id", .text), ("user_id", .text), ("snapshot", .text), ("created_at", .timestamp),
                ("updated_at", .timestamp),
            ], isOurs: true),
        CopiedTable(
            name: "plugins",
            columns: [
                ("id", .text), ("user_id", .text), ("name", .text), ("description", .text), ("enabled", .bool), ("created_at", .timestamp),
            ]),
    ]

    /// A row as both sides can hold it: text, microseconds, or a flag; `nil` for NULL or a legacy
    /// timestamp that does not parse (which the API shows as `null` too).
    enum Value: Sendable, Equatable {
        case text(String?)
        case timestamp(Timestamp?)
        case bool(Bool?)
        case integer(Int64?)
        /// A JSON object of strings (a message's metadata), compared by its pairs: PostgreSQL's
        /// `jsonb` writes the same object with other spacing.
        case json(String?)
        case day(String)

        var canonical: String {
            switch self {
            case .text(let text): text.map { "t" + $0 } ?? "n"
            case .timestamp(let time): time.map { "m\($0.microsecondsSinceEpoch)" } ?? "n"
            case .bool(let flag): flag.map { $0 ? "1" : "0" } ?? "n"
            case .integer(let number): number.map { "i\($0)" } ?? "n"
            case .day(let day): "d" + day
            case .json(let text):
                text.map { "j" + (MessageDetails(metadata: MessageDetails.metadata(fromJSON: $0)).metadataJSON ?? "") } ?? "n"
            }
        }
    }

    /// Whether the file lacks this table (only a table of ours can be missing).
    func isMissing(in db: Database) throws -> Bool {
        try isOurs && !db.tableExists(name)
    }

    /// The columns as the file is read: text (legacy rows may hold other types), flags and numbers as stored.
    private var sqliteColumns: String {
        columns.map { column in
            switch column.kind {
            case .bool: column.name
            case .integer: "CAST(\(column.name) AS INTEGER)"
            case .text, .timestamp, .json, .day: "CAST(\(column.name) AS TEXT)"
            }
        }.joined(separator: ", ")
    }

    /// Up to `limit` rows after rowid `after`, in rowid order, and the last rowid read (`nil`: none left).
    func batch(_ db: Database, after: Int64, limit: Int) throws -> (rows: [[Value]], last: Int64?) {
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT rowid, \(sqliteColumns) FROM \(name) WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [after, limit])
        var rows: [[Value]] = []
        var last: Int64?
        while let row = try cursor.next() {
            last = row[0]
            rows.append(columns.enumerated().map { index, column in Self.value(row[index + 1], column.kind) })
        }
        return (rows, last)
    }

    private static func value(_ stored: DatabaseValue, _ kind: Kind) -> Value {
        switch kind {
        case .text: return .text(String.fromDatabaseValue(stored))
        case .json: return .json(String.fromDatabaseValue(stored))
        case .day: return .day(String.fromDatabaseValue(stored) ?? "")
        case .integer: return .integer(Int64.fromDatabaseValue(stored))
        case .bool: return .bool(Int64.fromDatabaseValue(stored).map { $0 != 0 })
        case .timestamp:
            guard var text = String.fromDatabaseValue(stored) else { return .timestamp(nil) }
            return .timestamp(text.withUTF8 { Timestamp.parse($0) })
        }
    }

    /// PostgreSQL keeps a conversation's marks in its own columns (``ConversationMarks``): a
    /// batch of `conversation_marks` rows is one update of their conversations, the tags split
    /// and their keys made here, as the server makes them.
    @Sendable static func marks(_ rows: [[Value]]) -> PostgresQuery {
        var bindings = PostgresBindings()
        var tuples: [String] = []
        for row in rows {
            guard case .text(let id?) = row[0], case .bool(let pinned) = row[1], case .bool(let archived) = row[2],
                case .text(let stored) = row[3], case .timestamp(let expiresAt) = row[4]
            else { continue }
            let tags = ConversationMarks.tags(stored.map { $0.split(separator: "\u{1F}").map(String.init) } ?? [])
            bindings.append(id)
            bindings.append(pinned ?? false)
            bindings.append(archived ?? false)
            bindings.append(tags)
            bindings.append(tags.map(ConversationMarks.tagKey))
            bindings.append(expiresAt?.storageText)
            let first = bindings.count - 5
            tuples.append(
                "($\(first), $\(first + 1)::bool, $\(first + 2)::bool, $\(first + 3)::text[], $\(first + 4)::text[], $\(first + 5)::timestamp)"
            )
        }
        return PostgresQuery(
            unsafeSQL: """
                UPDATE conversations c SET pinned = v.pinned, archived = v.archived, tags = v.tags, tag_keys = v.keys, expires_at = v.expires
                FROM (VALUES \(tuples.joined(separator: ", "))) AS v(id, pinned, archived, tags, keys, expires) WHERE c.id = v.id
                """, binds: bindings)
    }

    /// One `INSERT` of the batch; rows whose id exists are skipped.
    func insert(_ rows: [[Value]]) -> PostgresQuery {
        if let elsewhere { return elsewhere.write(rows) }
        var bindings = PostgresBindings()
        var tuples: [String] = []
        for row in rows {
            var placeholders: [String] = []
            for value in row {
                switch value {
                case .text(let text): bindings.append(text)
                case .timestamp(let time): bindings.append(time?.storageText)
                case .bool(let flag): bindings.append(flag)
                case .integer(let number): bindings.append(number)
                case .json(let text): bindings.append(text)
                case .day(let day): bindings.append(day)
                }
                let placeholder = "$\(bindings.count)"
                switch value {
                case .timestamp: placeholders.append(placeholder + "::timestamp")
                case .json: placeholders.append(placeholder + "::jsonb")
                case .day: placeholders.append("coalesce(nullif(\(placeholder), '')::date, '-infinity')")
                default: placeholders.append(placeholder)
                }
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let names = columns.map(\.name).joined(separator: ", ")
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(name) (\(names)) VALUES \(tuples.joined(separator: ", ")) ON CONFLICT (\(key)) DO NOTHING",
            binds: bindings
        )
    }

    func isEmpty(in store: PostgresStore) async throws -> Bool {
        try await store.run { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(self.name) LIMIT 1"), logger: store.logger)
            return try await !rows.contains { _ in true }
        }
    }

    func report(sqliteRows db: Database) throws -> SQLiteToPostgres.TableReport {
        var checksum = Checksum()
        var count = 0
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(sqliteColumns) FROM \(name) ORDER BY \(key)")
        while let row = try cursor.next() {
            checksum.add(columns.enumerated().map { index, column in Self.value(row[index], column.kind) })
            count += 1
        }
        return .init(table: name, rows: count, checksum: checksum.value)
    }

    func report(postgresRows store: PostgresStore) async throws -> SQLiteToPostgres.TableReport {
        let select = columns.map { column in
            switch column.kind {
            case .text: column.name
            case .integer, .json: column.name + "::text"
            case .day: "CASE WHEN \(column.name) = '-infinity' THEN '' ELSE \(column.name)::text END"
            case .timestamp: PostgresRows.micros(column.name) + "::text"
            case .bool: "CASE WHEN \(column.name) IS NULL THEN NULL WHEN \(column.name) THEN '1' ELSE '0' END"
            }
        }.joined(separator: ", ")
        let columns = columns
        return try await store.snapshot(deadline: nil) { connection in
            var checksum = Checksum()
            var count = 0
            let from = self.elsewhere.map { "SELECT * FROM (SELECT \($0.read)) AS kept ORDER BY \(self.key) COLLATE \"C\"" }
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: from ?? "SELECT \(select) FROM \(self.name) ORDER BY \(self.key) COLLATE \"C\""),
                logger: store.logger)
            for try await row in rows {
                var values: [Value] = []
                for (cell, column) in zip(row, columns) {
                    let text = try cell.decode(String?.self)
                    switch column.kind {
                    case .text: values.append(.text(text))
                    case .timestamp: values.append(.timestamp(text.flatMap(Int64.init).map(Timestamp.init(microsecondsSinceEpoch:))))
                    case .bool: values.append(.bool(text.map { $0 == "1" }))
                    case .integer: values.append(.integer(text.flatMap(Int64.init)))
                    case .json: values.append(.json(text))
                    case .day: values.append(.day(text ?? ""))
                    }
                }
                checksum.add(values)
                count += 1
            }
            return .init(table: self.name, rows: count, checksum: checksum.value)
        }
    }
}

/// FNV-1a, 64 bits, over each row's canonical values (unit separators between fields, record
/// separators between rows): cheap, and the same on both sides by construction.
struct Checksum {
    private var hash = FNV1a()
    var value: UInt64 { hash.value }

    mutating func add(_ row: [CopiedTable.Value]) {
        for (index, field) in row.enumerated() {
            if index > 0 { hash.combine(0x1F) }
            hash.combine(field.canonical.utf8)
        }
        hash.combine(0x1E)
    }
}
