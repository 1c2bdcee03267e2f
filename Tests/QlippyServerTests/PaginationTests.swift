import Foundation
import GRDB
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Synchronization
import Testing

@testable import QlippySQLite
@testable import QlippyServer
@testable import QlippyStore

/// Cursor pages of the conversation, plugin and message lists: `limit` and `after`, the body an
/// array as before, the next page in a `Link` header.
@Suite("Pagination: limit, after and Link")
struct PaginationTests {
    /// The URI a response's `Link: <…>; rel="next"` names, or nil without one.
    static func next(_ response: TestResponse) throws -> String? {
        guard let link = response.headers[.link] else { return nil }
        let match = try #require(link.firstMatch(of: #/^<([^>]+)>; rel="next"$/#))
        return String(match.1)
    }

    /// Every page from `first` on: the ids in order, and how many pages it took.
    static func walk(
        _ client: some TestClientProtocol, from first: String, betweenPages: (Int) async throws -> Void = { _ in }
    ) async throws -> (ids: [String], pages: Int) {
        var ids: [String] = []
        var uri: String? = first
        var pages = 0
        while let current = uri {
            let response = try await client.get(current)
            #expect(response.status == .ok)
            ids += try response.json.array.compactMap { $0["id"] as? String }
            uri = try next(response)
            pages += 1
            try await betweenPages(pages)
        }
        return (ids, pages)
    }

    /// The issue's walk: 1 000 conversations, 7 at a time, while other clients add conversations
    /// and bump them — between every two pages, two the walk has not reached yet, one it has
    /// passed, and a new one; and all along, another client at random. Each original is seen
    /// exactly once, in the order the list had when the walk began.
    @Test func aWalkSeesEveryOriginalOnceWhileOthersAddAndBump() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for _ in 0..<1_000 { _ = try await client.createConversation(user: user) }
            let original = try await client.get("/api/users/\(user)/conversations").json.array.compactMap { $0["id"] as? String }
            #expect(original.count == 1_000)
            // From the first page on, another client bumps and adds at random until the walk ends
            // (from the first page: the walk lists the order it began with, not `original`'s).
            let phase = Atomic<Int>(0)  // 0 before the first page, 1 walking, 2 done
            let churn = Task {
                var random = SeededRandom(seed: 8)
                var writes = 0
                while phase.load(ordering: .acquiring) == 0 { try await Task.sleep(for: .milliseconds(1)) }
                while phase.load(ordering: .acquiring) == 1 {
                    let target = original[Int.random(in: 0..<original.count, using: &random)]
                    _ = try await client.addMessage(to: target, "bumped by another client")
                    _ = try await client.createConversation(user: user, #"{"title": "added by another client"}"#)
                    writes += 2
                    try await Task.sleep(for: .milliseconds(5))
                }
                return writes
            }
            let walk = try await Self.walk(client, from: "/api/users/\(user)/conversations?limit=7") { page in
                if page == 1 { phase.store(1, ordering: .releasing) }
                let reached = page * 7
                for ahead in [reached + 3, reached + 60] where ahead < original.count {
                    _ = try await client.addMessage(to: original[ahead], "bumped ahead of the walk")
                }
                _ = try await client.put("/api/conversations/\(original[reached / 2])", #"{"title": "bumped behind the walk"}"#)
                _ = try await client.createConversation(user: user, #"{"title": "added during the walk"}"#)
            }
            phase.store(2, ordering: .releasing)
            #expect(try await churn.value > 10, "the other client wrote while the walk went on")
            #expect(Set(original).subtracting(walk.ids).isEmpty, "no original missed")
            #expect(Set(walk.ids).count == walk.ids.count, "none seen twice")
            #expect(walk.ids.count == original.count && zip(walk.ids, original).allSatisfy(==), "in the order the walk began with")
            #expect(walk.pages == 143)
        }
    }

    @Test func pagesOfEveryListJoinIntoTheWholeList() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            for index in 0..<8 {
                _ = try await client.addMessage(to: conversation, "message \(index)")
                _ = try await client.post("/api/users/\(user)/plugins", #"{"name": "plugin \#(index)"}"#)
                _ = try await client.createConversation(user: user, #"{"folder": "\#(index % 2 == 0 ? "even/偶数" : "odd")"}"#)
            }
            let folder = "even/偶数".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            for list in [
                "/api/users/\(user)/conversations", "/api/users/\(user)/plugins", "/api/conversations/\(conversation)/messages",
                "/api/users/\(user)/conversations?folder=\(folder)", "/api/users/\(user)/conversations?folder=",
            ] {
                let whole = try await client.get(list)
                #expect(whole.headers[.link] == nil)
                let ids = try whole.json.array.compactMap { $0["id"] as? String }
                #expect(!ids.isEmpty)
                let separator = list.contains("?") ? "&" : "?"
                let walk = try await Self.walk(client, from: "\(list)\(separator)limit=3")
                #expect(walk.ids == ids, "\(list)")
                #expect(walk.pages == (ids.count + 2) / 3, "\(list)")
            }
            let messages = try await client.get("/api/conversations/\(conversation)/messages").json.array
            #expect(messages.map { $0["content"] as? String } == (0..<8).map { "message \($0)" })
            #expect(messages.first?.keys.sorted() == ["content", "conversation_id", "id", "role", "timestamp"])
        }
    }

    @Test func theLinkKeepsTheQueryAndTheLastPageHasNone() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            for _ in 0..<3 { _ = try await client.createConversation(user: user, #"{"folder": "a b"}"#) }
            let first = try await client.get("/api/users/\(user)/conversations?folder=a+b&limit=2")
            #expect(try first.json.array.count == 2)
            let link = try #require(try Self.next(first))
            #expect(link.hasPrefix("/api/users/\(user)/conversations?folder=a+b&limit=2&after="))
            let last = try await client.get(link)
            #expect(try last.json.array.count == 1)
            #expect(last.headers[.link] == nil)
            let exact = try await client.get("/api/users/\(user)/conversations?limit=3")
            #expect(try exact.json.array.count == 3)
            #expect(exact.headers[.link] == nil)
        }
    }

    @Test func badLimitsAndCursorsAreRefusedNamingTheParameter() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let other = try await client.createUser("grace")
            for _ in 0..<3 {
                _ = try await client.createConversation(user: user)
                _ = try await client.post("/api/users/\(user)/plugins", #"{"name": "p"}"#)
            }
            let list = "/api/users/\(user)/conversations"
            for limit in ["0", "501", "x", "", "1.5"] {
                let response = try await client.get("\(list)?limit=\(limit)")
                #expect(response.status == .badRequest)
                #expect(response.errorMessage == "limit must be an integer from 1 to 500")
            }
            let cursor = try #require(
                try Self.next(try await client.get("\(list)?limit=1"))?.split(separator: "after=").last.map(String.init))
            let pluginCursor = try #require(
                try Self.next(try await client.get("/api/users/\(user)/plugins?limit=1"))?.split(separator: "after=").last.map(String.init)
            )
            var tampered = Array(cursor)
            tampered[tampered.count / 2] = tampered[tampered.count / 2] == "A" ? "B" : "A"
            for (uri, what) in [
                ("\(list)?after=not-a-cursor", "random"), ("\(list)?after=\(String(tampered))", "tampered"),
                ("\(list)?after=\(pluginCursor)", "another list's"),
                ("/api/users/\(other)/conversations?after=\(cursor)", "another user's"),
                ("\(list)?folder=x&after=\(cursor)", "another folder's"), ("\(list)?after=%FF", "not UTF-8"),
            ] {
                let response = try await client.get(uri)
                #expect(response.status == .badRequest, "\(what)")
                #expect(response.errorMessage == "after must be a cursor from a previous page of this list", "\(what)")
            }
            #expect(try await client.get("\(list)?after=\(cursor)").status == .ok)
            #expect(try await client.get("\(list)?limit=2&after=").json.array.count == 2)
        }
    }

    @Test func unknownOwnersAreNotFound() async throws {
        try await TestServer().run { client in
            let missing = UUID().uuidString.lowercased()
            #expect(try await client.get("/api/conversations/\(missing)/messages").errorMessage == "Conversation not found")
            #expect(try await client.get("/api/conversations/\(missing)/messages?limit=5").errorMessage == "Conversation not found")
            #expect(try await client.get("/api/users/\(missing)/conversations?limit=5").errorMessage == "User not found")
            #expect(try await client.get("/api/users/\(missing)/plugins?limit=5").errorMessage == "User not found")
            let user = try await client.createUser()
            let empty = try await client.get("/api/users/\(user)/plugins?limit=5")
            #expect(empty.status == .ok)
            #expect(try empty.json.array.isEmpty)
            #expect(empty.headers[.link] == nil)
        }
    }

    /// A legacy file's rows without a time (NULL `last_updated`, `timestamp`, `created_at`) are
    /// paged in the unpaged lists' places: last among conversations, first among messages and plugins.
    @Test func rowsWithoutATimeArePagedWhereTheWholeListPutsThem() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            var conversations: [String] = []
            for index in 0..<6 {
                conversations.append(try await client.createConversation(user: user))
                _ = try await client.addMessage(to: conversation, "message \(index)")
                _ = try await client.post("/api/users/\(user)/plugins", #"{"name": "plugin \#(index)"}"#)
            }
            try await server.execute(
                "UPDATE conversations SET last_updated = NULL WHERE id IN (?, ?, ?)",
                [conversations[0], conversations[2], conversations[3]])
            try await server.execute("UPDATE messages SET timestamp = NULL WHERE content IN ('message 1', 'message 4', 'message 5')")
            try await server.execute("UPDATE plugins SET created_at = NULL WHERE name IN ('plugin 0', 'plugin 3')")
            for list in ["/api/users/\(user)/conversations", "/api/users/\(user)/plugins", "/api/conversations/\(conversation)/messages"] {
                let ids = try await client.get(list).json.array.compactMap { $0["id"] as? String }
                for limit in [1, 2, 4] {
                    #expect(try await Self.walk(client, from: "\(list)?limit=\(limit)").ids == ids, "\(list) by \(limit)")
                }
            }
            let messages = try await client.get("/api/conversations/\(conversation)/messages?limit=3").json.array
            #expect(messages.map { $0["content"] as? String } == ["message 1", "message 4", "message 5"])
        }
    }

    /// Bumps are recorded for a walk only while the user has one (SQLite's walk window): a user
    /// whose client never pages, as the original's, pays nothing for paging on every message.
    @Test(.sqliteOnly) func movesAreRecordedOnlyForUsersWhoWalk() async throws {
        let folder = try makeTemporaryDirectory()
        let server = try TestServer(databasePath: folder.appendingPathComponent("walks.db").path)
        let moves = { @Sendable () throws -> [String: Int] in
            let queue = try DatabaseQueue(path: server.databasePath)
            defer { try? queue.close() }
            return try queue.read { db in
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(
                        db,
                        sql: """
                            SELECT c.user_id, count(*) FROM conversation_moves m JOIN conversations c ON c.id = m.conversation_id GROUP BY c.user_id
                            """
                    ).map { ($0[0] as String, $0[1] as Int) })
            }
        }
        try await server.run { client in
            let walker = try await client.createUser("walker")
            let other = try await client.createUser("other")
            let walked = try await client.createConversation(user: walker)
            let unwalked = try await client.createConversation(user: other)
            _ = try await client.addMessage(to: walked, "before any walk")
            _ = try await client.addMessage(to: unwalked, "never walked")
            #expect(try moves().isEmpty)
            #expect(try await client.get("/api/users/\(walker)/conversations?limit=1").status == .ok)
            _ = try await client.addMessage(to: walked, "during the walk")
            _ = try await client.addMessage(to: unwalked, "still never walked")
            #expect(try moves() == [walker: 1])
            // A second first page within the day opens nothing new and records on.
            #expect(try await client.get("/api/users/\(walker)/conversations?limit=1").status == .ok)
            _ = try await client.addMessage(to: walked, "another walk")
            #expect(try moves() == [walker: 2])
            #expect(try await client.get("/api/users/\(UUID().uuidString.lowercased())/conversations?limit=1").status == .notFound)
        }
    }

    /// A file migrated before walk windows existed (v10: every bump recorded) upgrades without a
    /// 500 on paging, and a walk under way keeps what it needs: the user with recent moves gets a
    /// window, the recent move stays, a move too old for any walk goes.
    @Test(.sqliteOnly) func aFileFromBeforeWalkWindowsUpgrades() async throws {
        let folder = try makeTemporaryDirectory()
        let path = folder.appendingPathComponent("v10.db").path
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v10-change-log")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (id, username) VALUES ('0d7861ae-3302-41ae-9153-7e65742a3f5d', 'walking');
                    INSERT INTO conversations (id, title, user_id, last_updated, created_at)
                    VALUES ('c-recent', 'recent', '0d7861ae-3302-41ae-9153-7e65742a3f5d', '2020-01-01 00:00:00.000000', '2020-01-01 00:00:00.000000');
                    UPDATE conversations SET last_updated = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = 'c-recent';
                    INSERT INTO conversation_moves (conversation_id, moved_to, moved_from) VALUES ('c-recent', '2020-01-02 00:00:00.000000', '2020-01-01 00:00:00.000000');
                    """)
        }
        try queue.close()
        try await TestServer(databasePath: path).run { client in
            let page = try await client.get("/api/users/0d7861ae-3302-41ae-9153-7e65742a3f5d/conversations?limit=1")
            #expect(page.status == .ok)
        }
        let upgraded = try DatabaseQueue(path: path)
        defer { try? upgraded.close() }
        let (windows, moves) = try await upgraded.read { db in
            (
                try String.fetchAll(db, sql: "SELECT user_id FROM walk_windows"),
                try String.fetchAll(db, sql: "SELECT moved_from FROM conversation_moves")
            )
        }
        #expect(windows == ["0d7861ae-3302-41ae-9153-7e65742a3f5d"])
        #expect(moves == ["2020-01-01 00:00:00.000000"])
    }

    /// A walk's cursors expire with the moves it needs (``ConversationWalk/walkLifetime``).
    @Test func aConversationWalkExpiresAfterADay() throws {
        let start = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000)
        let list = PageCursor.List.conversations(ofUser: "u", filter: ConversationFilter())
        let text = PageCursor(list: list, walkStart: start, key: PageKey(time: "2023-11-14 22:13:20.000000", sequence: 4)).text
        let paging = try #require(try PageParameters(QueryParameters("after=\(text)"), list: list))
        let day = Int64(24 * 3600 * 1_000_000)
        #expect(try paging.continuedWalk(now: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + day))?.walkStart == start)
        #expect(throws: APIError.invalidParameter("after", "a cursor from the last 24 hours: start again from the first page")) {
            try paging.continuedWalk(now: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + day + 1))
        }
        #expect(paging.limit == PageParameters.defaultLimit)
    }
}
