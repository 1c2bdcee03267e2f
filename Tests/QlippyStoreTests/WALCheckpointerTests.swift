import Foundation
import GRDB
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Testing

@testable import QlippySQLite

/// The store's background checkpoints: committed pages reach the main file without a commit
/// taking the WAL past the writer's own threshold.
@Suite("WAL checkpointer", .sqliteOnly)
struct WALCheckpointerTests {
    /// A few writes stay far below ``WALCheckpointer/writerThreshold`` pages, so only the
    /// background checkpoint puts them into the main file: a copy of that file alone, without its
    /// WAL, holds them within seconds, and the writer's own threshold has been raised. Then
    /// closing the store stops the thread and folds in the rest.
    @Test func committedWritesReachTheMainFileInTheBackground() async throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("qlippy.db").path
        let database = try AppDatabase.open(path: path)
        let store = SQLiteStore(database: database)
        let user = try await store.createUser(username: "ada")
        let conversation = try await store.createConversation(userID: user.id, title: "kept", folder: nil)
        for index in 0..<20 {
            _ = try await store.addMessage(conversationID: conversation.id, role: "user", content: "message \(index)")
        }
        func messagesInMainFileAlone() throws -> Int {
            let copy = directory.appendingPathComponent("main-only.db").path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
            }
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            let queue = try DatabaseQueue(path: copy)
            defer { try? queue.close() }
            return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") ?? 0 }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        // Until the first checkpoint the main file may not hold the tables yet.
        var found = (try? messagesInMainFileAlone()) ?? 0
        while found < 20, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            found = (try? messagesInMainFileAlone()) ?? 0
        }
        #expect(found == 20)
        let threshold = try await database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(threshold == WALCheckpointer.writerThreshold)
        try await store.close()
        #expect(try messagesInMainFileAlone() == 20)
    }

    /// Another process's checkpoint makes SQLite answer a truncation busy at once, without
    /// waiting: closing a store beside one (a command beside the server) still succeeds. Here a
    /// second connection's FULL checkpoint holds the checkpoint lock for half a second while it
    /// waits for a third connection's write to end, and the store closes meanwhile.
    @Test func closingBesideAnotherCheckpointSucceeds() async throws {
        let path = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let store = SQLiteStore(database: try AppDatabase.open(path: path))
        _ = try await store.createUser(username: "ada")
        let writer = try DatabaseQueue(path: path)
        var patient = Configuration()
        patient.busyMode = .timeout(0.5)
        let checkpointer = try DatabaseQueue(path: path, configuration: patient)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? writer.write { db in
                try db.execute(sql: "CREATE TABLE scratch (x)")
                Thread.sleep(forTimeInterval: 0.8)
            }
            done.signal()
        }.start()
        Thread {
            Thread.sleep(forTimeInterval: 0.05)
            _ = try? checkpointer.writeWithoutTransaction { db in try db.checkpoint(.full) }
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(150))
        await #expect(throws: Never.self) { try await store.close() }
        done.wait()
        done.wait()
        try writer.close()
        try checkpointer.close()
    }
}
