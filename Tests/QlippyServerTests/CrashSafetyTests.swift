import Foundation
import GRDB
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Synchronization
import Testing

@testable import QlippySQLite
@testable import QlippyStore

/// SIGKILL at random moments while clients write: every acknowledged message survives, once.
@Suite("Crash safety", .sqliteOnly)
struct CrashSafetyTests {
    static let writers = 6
    static let rounds = 5

    /// How many writes the writers have had acknowledged so far.
    final class Progress: Sendable {
        let count = Mutex(0)
    }

    /// Waits (up to 20 s) until the writers have more writes acknowledged than there are writers:
    /// waited for, not slept, since the suite runs beside this on two cores.
    static func waitUntilUnderWay(_ progress: Progress) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while progress.count.withLock({ $0 }) <= writers, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Posts messages until the connection dies; returns the contents the server answered 201 for.
    static func writeUntilKilled(port: Int, conversations: [String], tag: String, progress: Progress? = nil) async -> [String] {
        let acknowledged = Mutex<[String]>([])
        try? await LoopbackClient.withClient(port: port, configuration: .init(timeout: .seconds(5))) { client in
            var index = 0
            while true {
                let content = "\(tag)-\(index)"
                let conversation = conversations[index % conversations.count]
                let response = try await client.post(
                    "/api/conversations/\(conversation)/messages", headers: jsonHeaders,
                    body: ByteBuffer(string: #"{"role": "user", "content": "\#(content)"}"#)
                )
                guard response.status == .created else { return }
                acknowledged.withLock { $0.append(content) }
                progress?.count.withLock { $0 += 1 }
                index += 1
            }
        }
        return acknowledged.withLock { $0 }
    }

    /// A user with four conversations for the writers, created through the server on `port`.
    static func conversations(port: Int) async throws -> [String] {
        try await LoopbackClient.withClient(port: port) { client in
            let user = try await client.post("/api/users", headers: jsonHeaders, body: ByteBuffer(string: #"{"username": "crash"}"#))
            let userID = try #require(try JSONDocument(user.body ?? ByteBuffer()).string("id"))
            var ids: [String] = []
            for _ in 0..<4 {
                let created = try await client.post(
                    "/api/users/\(userID)/conversations", headers: jsonHeaders, body: ByteBuffer(string: "{}"))
                ids.append(try #require(try JSONDocument(created.body ?? ByteBuffer()).string("id")))
            }
            return ids
        }
    }

    /// SIGTERM while clients write: requests in flight are answered, the process exits 0 within
    /// 10 s, and the file needs no recovery (no WAL left, integrity ok) and holds every
    /// acknowledged message.
    @Test func sigtermUnderLoadDrainsAndLeavesTheFileClean() async throws {
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let server = try await ServerProcess(database: database)
        let targets = try await Self.conversations(port: server.port)
        let port = server.port
        let progress = Progress()
        async let written = withTaskGroup(of: [String].self) { group in
            for writer in 0..<Self.writers {
                group.addTask { await Self.writeUntilKilled(port: port, conversations: targets, tag: "w\(writer)", progress: progress) }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        try await Self.waitUntilUnderWay(progress)
        try await Task.sleep(for: .milliseconds(200))
        let signalled = ContinuousClock.now
        #expect(try await server.stop(SIGTERM) == 0)
        #expect(signalled.duration(to: .now) < .seconds(10))
        let acknowledged = await written
        #expect(acknowledged.count > Self.writers, "the writers got through before the signal")

        let wal = try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int
        #expect(wal == nil || wal == 0, "a clean stop leaves no WAL to recover")
        let report = try await SQLiteMaintenance.check(path: database)
        #expect(report.isSound)
        let stored = try await DatabaseQueue(path: database).read { db in try String.fetchAll(db, sql: "SELECT content FROM messages") }
        #expect(report.counts["messages"] == stored.count)
        let missing = Set(acknowledged).subtracting(stored)
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.sorted().prefix(10))")
    }

    @Test func acknowledgedMessagesSurviveSIGKILL() async throws {
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        var random = SeededRandom(seed: UInt64(Date().timeIntervalSince1970))
        var conversations: [String] = []
        var acknowledged: [String] = []

        for round in 0..<Self.rounds {
            let server = try await ServerProcess(database: database)
            if conversations.isEmpty {
                conversations = try await Self.conversations(port: server.port)
            }
            let delay = Duration.milliseconds(Int.random(in: 0...500, using: &random))
            let targets = conversations
            let port = server.port
            let progress = Progress()
            async let written = withTaskGroup(of: [String].self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        await Self.writeUntilKilled(port: port, conversations: targets, tag: "r\(round)w\(writer)", progress: progress)
                    }
                }
                return await group.reduce(into: [String]()) { $0 += $1 }
            }
            try await Self.waitUntilUnderWay(progress)
            try await Task.sleep(for: delay)
            let status = try await server.stop(SIGKILL)
            #expect(status == SIGKILL, "the server was killed, not stopped")
            acknowledged += await written
        }
        #expect(acknowledged.count > Self.rounds * Self.writers, "the writers got through before each kill")

        let server = try await ServerProcess(database: database)
        let written = conversations
        let stored = try await LoopbackClient.withClient(port: server.port) { client in
            var contents: [String] = []
            var counted = 0
            for conversation in written {
                let detail = try JSONDocument(try await client.get("/api/conversations/\(conversation)").body ?? ByteBuffer())
                let messages = detail["messages"] as? [[String: Any]] ?? []
                contents += messages.compactMap { $0["content"] as? String }
                counted += detail.int("message_count") ?? -1
            }
            #expect(counted == contents.count, "maintained counts match the rows after crashes")
            return contents
        }
        #expect(try await server.stop() == 0)

        #expect(Set(stored).count == stored.count, "no message exists twice")
        let missing = Set(acknowledged).subtracting(stored)
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.sorted().prefix(10))")
        let queue = try DatabaseQueue(path: database)
        defer { try? queue.close() }
        #expect(try await queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }
}
