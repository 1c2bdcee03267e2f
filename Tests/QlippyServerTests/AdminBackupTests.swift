import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Synchronization
import Testing

/// `POST /api/admin/backup`: a snapshot of the live database, only with a token.
@Suite("Backup over the API")
struct AdminBackupTests {
    static let token = "admin-token-0123456789abcdef"
    static let headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String? = nil) async throws -> TestResponse {
        try await client.executeRequest(uri: uri, method: .post, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// The writers' acknowledged messages, and the flag that stops them.
    final class Writes: Sendable {
        let acknowledged = Mutex<[(id: String, at: ContinuousClock.Instant)]>([])
        let stop = Atomic<Bool>(false)
    }

    /// Four writers keep adding messages while the backup runs: every message acknowledged before
    /// the backup was asked for is in the copy, the copy is sound, and its counts are the answer's.
    @Test(.sqliteOnly) func aBackupDuringWritesHoldsEverythingAcknowledgedBeforeItStarted() async throws {
        let folder = try makeTemporaryDirectory()
        let server = try TestServer(databasePath: folder.appendingPathComponent("live.db").path, settings: ["apiToken": Self.token])
        let writes = Writes()
        let (answer, started) = try await server.run { client in
            let user = try #require(try await Self.post(client, "/api/users", #"{"username": "ada"}"#).json.string("id"))
            let conversation = try #require(try await Self.post(client, "/api/users/\(user)/conversations", "{}").json.string("id"))
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        var index = 0
                        while !writes.stop.load(ordering: .relaxed) {
                            let response = try await Self.post(
                                client, "/api/conversations/\(conversation)/messages",
                                #"{"role": "user", "content": "w\#(writer) \#(index)"}"#)
                            let id = try #require(try response.json.string("id"))
                            writes.acknowledged.withLock { $0.append((id, .now)) }
                            index += 1
                        }
                    }
                }
                // Until the writers are well under way (a fixed wait was too short on a busy machine).
                for _ in 0..<200 where writes.acknowledged.withLock({ $0.count }) < 20 {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let started = ContinuousClock.now
                let answer = try await Self.post(client, "/api/admin/backup")
                try await Task.sleep(for: .milliseconds(100))
                writes.stop.store(true, ordering: .relaxed)
                try await group.waitForAll()
                return (answer, started)
            }
        }
        #expect(answer.status == .created)
        let body = try answer.json
        let path = try #require(body.string("path"))
        #expect(path.hasPrefix(folder.appendingPathComponent("live.db-backups").path + "/qlippy-"))
        #expect(body.string("integrity") == "ok")
        #expect(body.int("bytes") == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))

        let before = writes.acknowledged.withLock { $0.filter { $0.at < started }.map(\.id) }
        let total = writes.acknowledged.withLock { $0.count }
        #expect(before.count >= 20, "the writers were writing before the backup")
        let copy = try DatabaseQueue(path: path)
        let copied = try await copy.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM messages")) }
        let lost = Set(before).subtracting(copied)
        #expect(lost.isEmpty, "acknowledged before the backup but not in it: \(lost.count) of \(before.count)")
        #expect((body["counts"] as? [String: Int])?["messages"] == copied.count)
        #expect(copied.count <= total)
        #expect(try await copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    /// The route exists only where it can work: with a token, on SQLite.
    @Test func withoutATokenOrOnPostgreSQLThereIsNoBackupRoute() async throws {
        let settings = TestStore.current == .postgres ? ["apiToken": Self.token] : [:]
        try await TestServer(settings: settings).run { client in
            let response = try await Self.post(client, "/api/admin/backup")
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "Not found")
        }
    }
}
