import Foundation
import GRDB
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippySQLite
@testable import QlippyStore

/// `qlippy-server check` and `backup`: the integrity check, and a consistent copy of a live file.
@Suite("Check and backup of a SQLite file", .sqliteOnly)
struct MaintenanceTests {
    @Test func checkCountsTheLegacyFixtureAndLeavesItAsItWas() async throws {
        let file = try Fixtures.copyOfLegacyDatabase()
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let report = try await SQLiteMaintenance.check(path: file)
        #expect(report.isSound)
        let users = try #require(try Fixtures.legacyExpectations()["users"] as? [[String: Any]])
        #expect(report.counts["users"] == users.count)
        #expect(report.counts["conversations"] == users.map { ($0["conversations"] as? [Any])?.count ?? 0 }.reduce(0, +))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "checking does not adopt the file")
    }

    /// Messages keep arriving while the copy is taken: every one acknowledged before it began is
    /// in the copy, and the copy is a sound database.
    @Test func aBackupDuringWritesHoldsEverythingAcknowledgedBeforeIt() async throws {
        let folder = try makeTemporaryDirectory()
        let server = try TestServer(databasePath: folder.appendingPathComponent("live.db").path)
        let copy = folder.appendingPathComponent("copy.db").path
        let (acknowledged, report) = try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            var acknowledged: [String] = []
            for index in 0..<100 {
                acknowledged.append(try #require(try await client.addMessage(to: conversation, "before \(index)").string("id")))
            }
            let writer = Task {
                for index in 0..<200 { _ = try await client.addMessage(to: conversation, "during \(index)") }
            }
            let report = try await SQLiteMaintenance.backup(path: server.databasePath, to: copy)
            try await writer.value
            return (acknowledged, report)
        }
        #expect(report.isSound)
        #expect((report.counts["messages"] ?? 0) >= 100)
        let copied = try await DatabaseQueue(path: copy).read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM messages")) }
        #expect(Set(acknowledged).isSubset(of: copied))
    }

    @Test func aFileThatIsNotADatabaseIsReportedNotCounted() async throws {
        let file = try makeTemporaryDirectory().appendingPathComponent("notes.db").path
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: file))
        await #expect(throws: DatabaseError.self) { try await SQLiteMaintenance.check(path: file) }
    }
}
