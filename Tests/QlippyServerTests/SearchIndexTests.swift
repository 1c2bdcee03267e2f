import Foundation
import GRDB
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// The search index follows the writes: a request writes only its rows, the indexer adds them to
/// the index behind it, and a search is exact at every moment (index up to its mark, a scan above).
@Suite("Search index behind the writes")
struct SearchIndexTests {
    /// Eight writers add, edit and delete while the indexer runs: each message is found by the
    /// search right after its 201, never after it is edited away or deleted.
    @Test func aMessageIsFoundByTheNextSearchWhileTheIndexerRuns() async throws {
        try await TestServer(settings: SearchPath.index.settings).run(.live) { client in
            let user = try await client.createUser()
            let misses = try await withThrowingTaskGroup(of: [String].self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        let conversation = try await client.createConversation(user: user)
                        var misses: [String] = []
                        for index in 0..<12 {
                            let word = "w\(writer)m\(index)zq"
                            let message = try #require(try await client.addMessage(to: conversation, "note \(word) end").string("id"))
                            if try await Self.total(client, user, word) != 1 { misses.append("\(word) added") }
                            let edited = "rewritten r\(writer)k\(index)y"
                            _ = try await client.put("/api/messages/\(message)", #"{"content": "\#(edited)"}"#)
                            if try await Self.total(client, user, word) != 0 { misses.append("\(word) edited") }
                            if try await Self.total(client, user, edited) != 1 { misses.append("\(word) edit") }
                            if index % 3 == 0 {
                                _ = try await client.delete("/api/messages/\(message)")
                                if try await Self.total(client, user, edited) != 0 { misses.append("\(word) deleted") }
                            }
                        }
                        return misses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(misses.isEmpty)
        }
    }

    static func total(_ client: any TestClientProtocol, _ user: String, _ text: String) async throws -> Int? {
        try await SearchTests.search(client, user, text).json.int("total_results")
    }

    /// The first result's `match_count`: how many of its conversation's messages matched.
    static func matches(_ client: any TestClientProtocol, _ user: String, _ text: String) async throws -> Int? {
        let results = try await SearchTests.search(client, user, text).json["results"] as? [[String: Any]]
        return results?.first?["match_count"] as? Int
    }

    /// Rows another program (the original backend) writes into the file while this server is
    /// stopped are above the index's mark: found at once after the restart, then indexed.
    @Test(.sqliteOnly) func rowsWrittenWhileTheServerIsStoppedAreFound() async throws {
        let server = try TestServer(settings: SearchPath.index.settings)
        let (user, conversation) = try await server.run { client in
            let user = try await client.createUser()
            return (user, try await client.createConversation(user: user))
        }
        try await server.execute(
            "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, 'user', ?, '2026-12-03 10:00:00.000000')",
            [UUID().uuidString.lowercased(), conversation, "written by the original backend"], foreignKeys: false)
        #expect(try await server.sqliteInteger(TestServer.messagesNotIndexed) == 1)
        try await server.run { client in
            #expect(try await Self.total(client, user, "original backend") == 1)
            try await server.waitForSearchIndex()
            #expect(try await Self.total(client, user, "original backend") == 1)
        }
        let indexed = "SELECT count(*) FROM message_search WHERE message_search MATCH '\"original backend\"'"
        #expect(try await server.sqliteInteger(indexed) == 1)
    }

    /// An import writes its messages and answers; the index follows as for any write: with the
    /// indexer off, every imported message waits (on SQLite) and each is found by search at once;
    /// with it on, the index takes them in and search finds each exactly once.
    @Test func anImportIsSearchableAtOnceAndIndexedBehind() async throws {
        typealias F = ChatGPTFixture
        let count = 40
        var nodes: [F.Node] = [("root", nil, nil)]
        for index in 0..<count {
            let role = index % 2 == 0 ? "user" : "assistant"
            nodes.append(
                (
                    "n\(index)", nodes.last?.id,
                    F.message(role, F.text("imported line \(index) qv\(index)zk"), time: 1_700_000_000 + Double(index))
                ))
        }
        let file = try F.file([F.conversation(id: "bulk-1", title: "Bulk", nodes: nodes, current: "n\(count - 1)")])
        let server = try TestServer(settings: SearchPath.behind.settings)
        let user = try await server.run { client in
            let user = try await client.createUser()
            #expect(try await ChatGPTImportTests.importFile(client, user, file).int("messages_imported") == count)
            #expect(try await client.get("/api/health").json.int("search_index_behind") == (TestStore.current == .sqlite ? count : 0))
            for index in [0, 17, count - 1] { #expect(try await Self.total(client, user, "qv\(index)zk") == 1) }
            #expect(try await Self.matches(client, user, "imported line") == count)
            return user
        }
        let indexing = server.onSameDatabase(settings: SearchPath.index.settings)
        try await indexing.run { client in
            try await indexing.waitForSearchIndex()
            #expect(try await client.get("/api/health").json.int("search_index_behind") == 0)
            for index in [0, 17, count - 1] { #expect(try await Self.total(client, user, "qv\(index)zk") == 1) }
            #expect(try await Self.matches(client, user, "imported line") == count)
        }
    }

    /// kill -9 while the indexer works through a file's worth of unindexed messages: the next start
    /// goes on from the mark, and the finished index is exactly the one a rebuild makes (FTS5's
    /// integrity check against the messages), every message in it once.
    @Test(.sqliteOnly) func aKilledIndexerResumesAndEndsAsARebuildWould() async throws {
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let first = try await ServerProcess(database: database)
        let conversation = try await LoopbackClient.withClient(port: first.port) { client in
            let user = try await client.post("/api/users", headers: jsonHeaders, body: ByteBuffer(string: #"{"username": "ops"}"#))
            let userID = try #require(try JSONDocument(user.body ?? ByteBuffer()).string("id"))
            let made = try await client.post("/api/users/\(userID)/conversations", headers: jsonHeaders, body: ByteBuffer(string: "{}"))
            return try #require(try JSONDocument(made.body ?? ByteBuffer()).string("id"))
        }
        #expect(try await first.stop() == 0)
        let planted = 30_000
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            for index in 0..<planted {
                try db.execute(
                    sql: "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, 'user', ?, ?)",
                    arguments: [
                        UUID().uuidString.lowercased(), conversation, "planted message \(index) about \(index % 97) things",
                        "2026-12-03 10:00:00.000000",
                    ])
            }
        }
        let waiting = { try await queue.read { db in try Int.fetchOne(db, sql: TestServer.messagesNotIndexed) ?? 0 } }
        #expect(try await waiting() == planted)

        let killed = try await ServerProcess(database: database)
        let deadline = ContinuousClock.now + .seconds(60)
        while try await waiting() == planted, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try await killed.stop(SIGKILL) == SIGKILL)
        let left = try await waiting()
        #expect(left < planted, "the indexer had begun before the kill")

        let resumed = try await ServerProcess(database: database)
        let finish = ContinuousClock.now + .seconds(120)
        while try await waiting() > 0, ContinuousClock.now < finish { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try await waiting() == 0)
        #expect(try await resumed.stop() == 0)

        try await queue.write { db in
            try db.execute(sql: "INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)")
        }
        try await queue.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM message_search_docsize") == planted)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") == planted)
            let hits = try Int.fetchOne(db, sql: "SELECT count(*) FROM message_search WHERE message_search MATCH '\"about 42 things\"'")
            #expect(hits == (0..<planted).filter { $0 % 97 == 42 }.count)
        }
        try queue.close()
    }
}
