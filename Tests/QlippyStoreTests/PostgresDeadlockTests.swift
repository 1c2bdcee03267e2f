import Logging
import PostgresNIO
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyPostgres
@testable import QlippyStore

/// A statement PostgreSQL ends as a deadlock's victim is run again by the store, so the request
/// succeeds instead of failing with an internal error.
@Suite("PostgreSQL deadlocks", .enabled(if: TestStore.current == .postgres, "needs the PostgreSQL run"))
struct PostgresDeadlockTests {
    /// Deleting a message takes the message's row, then its conversation's (the kept count);
    /// another session here takes them the other way round, as a conversation's delete does.
    @Test func aMessageDeleteThatLosesADeadlockRunsAgain() async throws {
        // PSQLError's description hides the server's message: say it, should the test fail.
        do {
            try await deleteLosingADeadlock()
        } catch {
            Issue.record("\(String(reflecting: error))")
            throw error
        }
    }

    private func deleteLosingADeadlock() async throws {
        let url = TestPostgres.url(of: TestPostgres.newDatabaseName())
        try await TestPostgres.create(url)
        let logger = Logger(label: "tests.deadlock")
        let store = try await PostgresStore.open(location: try PostgresLocation(url: url), logger: logger)
        let user = try await store.createUser(username: "ada")
        let conversation = try await store.createConversation(userID: user.id, title: "locks", folder: nil)
        let message = try await store.addMessage(conversationID: conversation.id, role: "user", content: "hello")

        let otherWasVictim = try await TestPostgres.withConnection(url) { other in
            try await other.query("BEGIN", logger: logger)
            try await other.query("UPDATE conversations SET title = title WHERE id = \(conversation.id)", logger: logger)
            // The store's delete takes the message, then waits for the conversation held here.
            let deleting = Task { try await store.deleteMessage(id: message.id) }
            try await Task.sleep(for: .milliseconds(300))
            // Waiting here for the message closes the cycle; PostgreSQL ends one side after its
            // deadlock_timeout (1 s), usually the store's, which waited first.
            var victim = false
            do {
                try await other.query("DELETE FROM messages WHERE id = \(message.id)", logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" {
                victim = true
            }
            try await other.query("ROLLBACK", logger: logger)
            try await deleting.value
            return victim
        }
        if otherWasVictim { print("PostgresDeadlockTests: the other session was the victim this time; the retry was not needed") }
        await #expect(throws: StoreError.notFound(.message)) { try await store.deleteMessage(id: message.id) }
        #expect(try await store.conversation(id: conversation.id).conversation.messageCount == 0)
        try await store.close()
    }
}
