import Foundation
import GRDB
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippySQLite
@testable import QlippyStore

/// Concurrent writes share commits, but each keeps its own result.
@Suite("Group commit", .sqliteOnly)
struct GroupCommitTests {
    private func openStore() throws -> (SQLiteStore, String) {
        let path = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        return (SQLiteStore(database: try AppDatabase.open(path: path)), path)
    }

    @Test func anInvalidWriteFailsAloneInItsBatch() async throws {
        let (store, _) = try openStore()
        let user = try await store.createUser(username: "ada")
        let conversation = try await store.createConversation(userID: user.id, title: "t", folder: nil)
        let missing = UUID().uuidString.lowercased()
        // 40 valid writes, a duplicate username and a message to a missing conversation, all at once.
        let outcomes = await withTaskGroup(of: (String, Result<String, StoreError>).self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        return (
                            "valid",
                            .success(try await store.addMessage(conversationID: conversation.id, role: "user", content: "m\(index)").id)
                        )
                    } catch {
                        return ("valid", .failure(error as? StoreError ?? .notFound(.message)))
                    }
                }
            }
            group.addTask {
                do { return ("duplicate", .success(try await store.createUser(username: "ada").id)) } catch {
                    return ("duplicate", .failure(error as! StoreError))
                }
            }
            group.addTask {
                do {
                    return ("orphan", .success(try await store.addMessage(conversationID: missing, role: "user", content: "x").id))
                } catch {
                    return ("orphan", .failure(error as! StoreError))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let valid = outcomes.filter { $0.0 == "valid" }
        #expect(valid.count == 40)
        #expect(valid.allSatisfy { if case .success = $0.1 { true } else { false } })
        #expect(outcomes.first { $0.0 == "duplicate" }?.1 == .failure(.usernameTaken))
        #expect(outcomes.first { $0.0 == "orphan" }?.1 == .failure(.notFound(.conversation)))
        let detail = try await store.conversation(id: conversation.id)
        #expect(detail.messages.count == 40)
        #expect(detail.conversation.messageCount == 40)
        #expect(Set(detail.messages.map(\.content)) == Set((0..<40).map { "m\($0)" }))
        try await store.close()
    }

    /// Savepoint journals stay in memory, except a write's that may change a whole history: that
    /// write commits in a batch of its own, its journal on disk, however many arrive with it
    /// (a batch-mate would read its batch's setting, so would read 1).
    @Test func aWriteWithAnUnboundedJournalCommitsAloneWithItOnDisk() async throws {
        let (store, _) = try openStore()
        let tempStore: @Sendable (Database) throws -> Int = { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? -1 }
        let results = try await withThrowingTaskGroup(of: (GroupCommitWriter.Journal, Int).self) { group in
            for index in 0..<60 {
                let journal: GroupCommitWriter.Journal = index % 20 == 10 ? .onDisk : .inMemory
                group.addTask { (journal, try await store.writer.write(journal: journal, tempStore)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.0 == .inMemory }.map(\.1) == Array(repeating: 2, count: 57), "MEMORY")
        #expect(results.filter { $0.0 == .onDisk }.map(\.1) == [1, 1, 1], "FILE")
        try await store.close()
    }

    @Test func concurrentWritesShareCommits() async throws {
        let (store, _) = try openStore()
        let user = try await store.createUser(username: "ada")
        let conversation = try await store.createConversation(userID: user.id, title: "t", folder: nil)
        let before = store.writer.statistics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = try await store.addMessage(conversationID: conversation.id, role: "assistant", content: "\(index)") }
            }
            try await group.waitForAll()
        }
        let after = store.writer.statistics
        #expect(try await store.conversation(id: conversation.id).messages.count == 200)
        #expect(after.writes - before.writes == 200)
        let batches = after.batches - before.batches
        #expect(batches >= 1)
        #expect(batches < 200, "200 concurrent writes took \(batches) commits: nothing was batched")
        try await store.close()
    }
}
