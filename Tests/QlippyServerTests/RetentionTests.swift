import Foundation
import HummingbirdTesting
import Logging
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// Temporary chats and retention: `"temporary": true` and `expires_at`; an expired conversation is
/// gone for every read at once and deleted by the sweep soon after, with its messages, search
/// entries and a `conversation.deleted` event.
@Suite("Temporary chats and retention")
struct RetentionTests {
    @Test func aTemporaryChatDisappearsAtExpiryAndIsSwept() async throws {
        let server = try TestServer(settings: ["temporaryRetention": "2s"])
        try await server.run(.live) { client in
            let port = try #require(client.port)
            let user = try await client.createUser()
            let kept = try await client.createConversation(user: user, #"{"title": "kept"}"#)
            try await client.addMessage(to: kept, "the needle stays")
            let stream = try EventStreamClient(port: port, userID: user)
            try await stream.opened()

            // A loaded machine may take seconds between requests: the conversation that carries the
            // messages is made to expire in the database once they are in; the temporary one carries none.
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(60))
            let temporary = try await client.createConversation(user: user, #"{"title": "with messages", "expires_at": "\#(later)"}"#)
            try await client.addMessage(to: temporary, "the needle goes")
            try await client.addMessage(to: temporary, "and so does this")
            let rescued = try await client.createConversation(user: user, #"{"title": "rescued", "expires_at": "\#(later)"}"#)
            let kept2 = try await OrganizeTests.organize(client, rescued, #"{"expires_at": null}"#)
            #expect(kept2["expires_at"] == nil)
            #expect(try await OrganizeTests.ids(client, "/api/users/\(user)/conversations").contains(temporary))
            try await server.waitForSearchIndex()

            let made = try await client.post("/api/users/\(user)/conversations", #"{"title": "brief", "temporary": true}"#)
            #expect(made.status == .created)
            let brief = try #require(try made.json.string("id"))
            let createdAt = try #require(Timestamp(iso8601: try made.json.string("created_at") ?? ""))
            let expiresAt = try #require(Timestamp(iso8601: try made.json.string("expires_at") ?? ""))
            #expect(expiresAt.microsecondsSinceEpoch - createdAt.microsecondsSinceEpoch == 2_000_000)
            try await server.execute(
                server.postgresURL == nil
                    ? "UPDATE conversation_marks SET expires_at = '2001-01-01 00:00:00.000000' WHERE conversation_id = ?"
                    : "UPDATE conversations SET expires_at = '2001-01-01' WHERE id = ?", [temporary])
            try await Task.sleep(
                for: .microseconds(max(0, expiresAt.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch) + 50_000))
            // Gone at once, before any sweep: every read answers as for an unknown id.
            for path in ["/api/conversations/\(temporary)", "/api/conversations/\(temporary)/messages", "/api/conversations/\(brief)"] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(try response.json.string("error") == "Conversation not found", "\(path)")
            }
            #expect(try await client.put("/api/conversations/\(temporary)", #"{"title": "x"}"#).status == .notFound)
            let late = try await client.post("/api/conversations/\(temporary)/messages", #"{"role": "user", "content": "too late"}"#)
            #expect(late.status == .notFound)
            #expect(try late.json.string("error") == "Conversation not found")
            #expect(try await OrganizeTests.ids(client, "/api/users/\(user)/conversations?archived=all") == [rescued, kept])
            let found = try await client.get("/api/users/\(user)/search?q=needle").json["results"] as? [[String: Any]]
            #expect(found?.compactMap { $0["id"] as? String } == [kept])
            let export = try await client.get("/api/users/\(user)/export").json["conversations"] as? [[String: Any]]
            #expect(Set(export?.compactMap { $0["id"] as? String } ?? []) == [kept, rescued])

            // Swept within a minute (every 5 s here): their rows, search entries, and one event each.
            let deleted = try await stream.wait(.seconds(60)) { stream in
                Set(stream.events.filter { $0.event == "conversation.deleted" }.compactMap { $0.json["id"] as? String }) == [
                    temporary, brief,
                ]
            }
            #expect(deleted.filter { $0.event == "conversation.deleted" }.count == 2)
            let counts = try await server.rowCounts()
            #expect(counts["conversations"] == 2)
            #expect(counts["messages"] == 1)
            try await server.waitForSearchIndex()
            #expect(try await server.searchEntries() == 1)
            #expect(try await client.get("/api/conversations/\(rescued)").status == .ok)
        }
    }

    @Test func expiryIsSetAndRefusedAsTheContractSays() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let later = "2999-01-01T00:00:00Z"
            let made = try await client.post("/api/users/\(user)/conversations", #"{"expires_at": "\#(later)"}"#)
            #expect(try made.json.string("expires_at").flatMap(Timestamp.init(iso8601:)) == Timestamp(iso8601: later))
            let id = try #require(try made.json.string("id"))
            let temporary = try await client.post("/api/users/\(user)/conversations", #"{"temporary": true}"#).json
            let created = try #require(Timestamp(iso8601: temporary.string("created_at") ?? ""))
            let expires = try #require(Timestamp(iso8601: temporary.string("expires_at") ?? ""))
            #expect(expires.microsecondsSinceEpoch - created.microsecondsSinceEpoch == 30 * 86_400 * 1_000_000)
            let cases: [(String, String, String)] = [
                ("POST", #"{"temporary": "yes"}"#, "temporary must be a boolean"),
                ("POST", #"{"temporary": true, "expires_at": "\#(later)"}"#, "Send temporary or expires_at, not both"),
                ("POST", #"{"expires_at": "tomorrow"}"#, "expires_at must be an RFC 3339 date-time"),
                ("POST", #"{"expires_at": "2001-01-01T00:00:00Z"}"#, "expires_at must be in the future"),
                ("PUT", #"{"expires_at": 5}"#, "expires_at must be a string"),
                ("PUT", #"{"expires_at": "2001-01-01T00:00:00Z"}"#, "expires_at must be in the future"),
            ]
            for (method, body, error) in cases {
                let response =
                    method == "POST"
                    ? try await client.post("/api/users/\(user)/conversations", body)
                    : try await client.put("/api/conversations/\(id)", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.json.string("error") == error, "\(body)")
            }
            let before = try await client.get("/api/conversations/\(id)").json
            let cleared = try await OrganizeTests.organize(client, id, #"{"expires_at": null}"#)
            #expect(cleared["expires_at"] == nil)
            #expect(cleared.string("last_updated") == before.string("last_updated"))
        }
    }

    /// The sweep at the store: expired conversations and, with a retention, those untouched since
    /// the cutoff go; the rest stay. On PostgreSQL two servers sweep one backlog at once, and every
    /// conversation is deleted once (one event each), none twice, neither fails.
    @Test func twoServersSweepOneBacklogAndDeleteEachConversationOnce() async throws {
        let server = try TestServer()
        if let url = server.postgresURL { try await TestPostgres.create(url) }
        let settings = try ServerSettings(reader: server.reader)
        let first = try await openStore(settings, logger: Logger(label: "test"))
        let second = try await openStore(settings, logger: Logger(label: "test"))
        do {
            let user = try await first.createUser(username: "ada")
            let far = try #require(Timestamp(iso8601: "2999-01-01T00:00:00Z"))
            let stays = try await first.createConversation(userID: user.id, title: "stays", folder: nil, expiry: .at(far))
            let old = try await first.createConversation(userID: user.id, title: "old", folder: nil)
            try await server.execute("UPDATE conversations SET last_updated = '2001-01-01 00:00:00.000000' WHERE id = ?", [old.id])
            let start = try await first.changeLogBounds().newest
            var expiring: [String] = []
            let expiry = Timestamp.now().plus(.seconds(30))
            for index in 0..<120 {
                let conversation = try await first.createConversation(userID: user.id, title: "t\(index)", folder: nil, expiry: .at(expiry))
                _ = try await first.addMessage(conversationID: conversation.id, role: "user", content: "m\(index)")
                expiring.append(conversation.id)
            }
            #expect(try await first.deleteExpired(untouchedBefore: nil, limit: 10) == 0)
            // Expired now: the planted expiry moves into the past.
            try await server.execute(
                server.postgresURL == nil
                    ? "UPDATE conversation_marks SET expires_at = '2001-01-01 00:00:00.000000' WHERE expires_at < '2100'"
                    : "UPDATE conversations SET expires_at = '2001-01-01 00:00:00' WHERE expires_at < '2100-01-01'")
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for store in [first, second] {
                    group.addTask {
                        var total = 0
                        while true {
                            let deleted = try await store.deleteExpired(untouchedBefore: nil, limit: 7)
                            total += deleted
                            if deleted == 0 { return total }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts.reduce(0, +) == 120)
            let changes = try await first.changes(after: start, ofUser: user.id, limit: 1_000).filter { $0.kind == "conversation.deleted" }
            #expect(changes.count == 120)
            #expect(Set(changes.map(\.resourceID)) == Set(expiring))

            let cutoff = Timestamp.now().minus(.seconds(86_400))
            #expect(try await second.deleteExpired(untouchedBefore: cutoff, limit: 10) == 1)
            let left = try await first.conversations(ofUser: user.id, previewLength: 10).map(\.conversation.id)
            #expect(left == [stays.id])
            #expect(try await server.rowCounts()["messages"] == 0)
        } catch {
            try await first.close()
            try await second.close()
            throw error
        }
        try await first.close()
        try await second.close()
    }
}
