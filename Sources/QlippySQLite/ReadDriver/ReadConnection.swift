import GRDB
import GRDBSQLite
import QlippyModel
import QlippyStore

/// One read-only SQLite connection with its prepared statements, for the hot read routes.
///
/// Why a read driver of its own beside GRDB: GRDB's per-read machinery (a hop onto the reader's
/// queue, the pool's barrier, four statements prepared anew) costs more than the rest of a read
/// request; here a read is a cached statement stepped on the calling thread. GRDB still owns the
/// file: it opens it, migrates it and does every write (docs/architecture.md has the profile).
///
/// Not thread-safe: a connection is used by one thread at a time, which ``ReadConnectionPool``
/// guarantees by handing each one out to a single caller.
final class ReadConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    init(path: String) throws {
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_close_v2(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        self.handle = handle
        // As GRDB's connections: wait out another process's brief lock instead of failing.
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs `body` inside one read transaction, so that several statements see one snapshot.
    func snapshot<Value>(_ body: () throws -> Value) throws -> Value {
        try forEachRow("BEGIN", []) { _ in }
        defer { try? forEachRow("COMMIT", []) { _ in } }
        return try body()
    }

    /// Steps `sql` (prepared once per connection) with text `arguments`, calling `body` on each row.
    func forEachRow(_ sql: String, _ arguments: [String], _ body: (Columns) throws -> Void) throws {
        let statement = try prepared(sql)
        // Resetting releases the statement's read lock when it runs outside a transaction.
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, argument) in arguments.enumerated() {
            var argument = argument
            let code = argument.withUTF8 { bytes in
                sqlite3_bind_text(statement, Int32(index + 1), bytes.baseAddress, Int32(bytes.count), SQLITE_TRANSIENT)
            }
            try check(code, sql)
        }
        let columns = Columns(statement: statement)
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { return try check(code, sql) }
            try body(columns)
        }
    }

    private func prepared(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        var statement: SQLiteStatement?
        try check(sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil), sql)
        guard let statement else { throw DatabaseError(message: "empty statement", sql: sql) }
        statements[sql] = statement
        return statement
    }

    private func check(_ code: Int32, _ sql: String) throws {
        guard code != SQLITE_OK else { return }
        throw DatabaseError(
            resultCode: ResultCode(rawValue: sqlite3_extended_errcode(handle)), message: String(cString: sqlite3_errmsg(handle)), sql: sql
        )
    }
}

/// GRDB binds the same constant; SQLite copies the bytes before the call returns. (The C API's name.)
// swift-format-ignore: AlwaysUseLowerCamelCase
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
