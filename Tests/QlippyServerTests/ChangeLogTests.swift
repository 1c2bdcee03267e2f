import Logging
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// The change log behind the event streams, at the store: pruning by age, and sequences that go
/// on growing after the rows they numbered are gone (a `Last-Event-ID` must never come back).
@Suite("Change log")
struct ChangeLogTests {
    @Test func pruningDropsWhatIsOlderAndSequencesGoOn() async throws {
        let server = try TestServer()
        if let url = server.postgresURL { try await TestPostgres.create(url) }
        let store = try await openStore(try ServerSettings(reader: server.reader), logger: Logger(label: "test"))
        do {
            let user = try await store.createUser(username: "ada")
            _ = try await store.createConversation(userID: user.id, title: "old", folder: nil)
            _ = try await store.createConversation(userID: user.id, title: "old too", folder: nil)
            try await Task.sleep(for: .milliseconds(50))
            let cutoff = Timestamp.now()
            try await Task.sleep(for: .milliseconds(50))
            let recent = try await store.createConversation(userID: user.id, title: "new", folder: nil)
            let before = try await store.changeLogBounds()
            #expect(try await store.changes(after: 0, ofUser: nil, limit: 10).count == 3)

            try await store.pruneChanges(olderThan: cutoff)
            let left = try await store.changes(after: 0, ofUser: nil, limit: 10)
            #expect(left.map(\.resourceID) == [recent.id])
            #expect(left.map(\.kind) == ["conversation.created"])
            #expect(try await store.changeLogBounds() == ChangeLogBounds(oldest: left.first?.sequence, newest: before.newest))

            try await Task.sleep(for: .milliseconds(50))
            try await store.pruneChanges(olderThan: .now())
            #expect(try await store.changes(after: 0, ofUser: nil, limit: 10).isEmpty)
            #expect(try await store.changeLogBounds() == ChangeLogBounds(oldest: nil, newest: before.newest))
            _ = try await store.createConversation(userID: user.id, title: "after", folder: nil)
            #expect(try await store.changes(after: 0, ofUser: nil, limit: 10).map(\.sequence) == [before.newest + 1])
        } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }

    /// Organizing is a change of the conversation, logged once per change, as is each
    /// conversation a tag's rename or delete touches; none of it moves `last_updated`.
    @Test func marksAndTagChangesAreConversationUpdates() async throws {
        let server = try TestServer()
        if let url = server.postgresURL { try await TestPostgres.create(url) }
        let store = try await openStore(try ServerSettings(reader: server.reader), logger: Logger(label: "test"))
        do {
            let user = try await store.createUser(username: "ada")
            let first = try await store.createConversation(userID: user.id, title: "a", folder: nil)
            let second = try await store.createConversation(userID: user.id, title: "b", folder: nil)
            let start = try await store.changeLogBounds().newest
            _ = try await store.updateConversation(id: first.id, changes: ConversationChanges(pinned: true, tags: ["x"]))
            _ = try await store.updateConversation(id: second.id, changes: ConversationChanges(archived: true, tags: ["X", "y"]))
            _ = try await store.renameTag(userID: user.id, name: "x", to: "z")
            try await store.deleteTag(userID: user.id, name: "y")
            let changes = try await store.changes(after: start, ofUser: user.id, limit: 20)
            #expect(changes.allSatisfy { $0.kind == "conversation.updated" })
            #expect(changes.map(\.resourceID).filter { $0 == first.id }.count == 2)
            #expect(changes.map(\.resourceID).filter { $0 == second.id }.count == 3)
            let read = try await store.conversation(id: second.id).conversation
            #expect(read.marks == ConversationMarks(archived: true, tags: ["z"]))
            #expect(read.lastUpdated == second.lastUpdated)
        } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }
}
