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
    /// WAL, holds them within seconds. Then closing the store stops the thread and folds in the rest.
    @Test func committedWritesReachTheMainFileInTheBackground() async throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("qlippy.db").path
        let store = SQLiteStore(database: try AppDatabase.open(path: path))
        let user = try await store.createUser(username: "ada")
        let conversation = try await store.createConversation(userID: user.id, title: "kept", folder: nil)
        for index in 0..<20 {
            _ = try await store.addMessage(conversationID: conversation.id, role: "user", content: "message \(index)")
        }
        func messagesInMainFileAlone() throws -> Int {
            let copy = directory.appendingPathComponent("main-only-\(UUID().uuidString).db").path
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
        try await store.close()
        #expect(try messagesInMainFileAlone() == 20)
    }
}
