import Foundation
import GRDB
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Synchronization
import Testing

@testable import QlippySQLite

/// The background indexer as the store runs it: how far behind it says it is, and what it reports.
@Suite("Search indexer", .sqliteOnly)
struct SearchIndexerTests {
    @Test func theIndexerCatchesUpAndReportsItsProgress() async throws {
        let path = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let store = SQLiteStore(database: try AppDatabase.open(path: path))
        let user = try await store.createUser(username: "ada")
        let conversation = try await store.createConversation(userID: user.id, title: "t", folder: nil)
        for index in 0..<1_500 {
            _ = try await store.addMessage(conversationID: conversation.id, role: "user", content: "message number \(index)")
        }
        #expect(try await store.ping().searchIndexBehind == 1_500, "a request indexes nothing itself")
        #expect(try await store.indexForSearch(limit: 100) == 100)
        #expect(try await store.ping().searchIndexBehind == 1_400)

        let events = Mutex<[BackgroundEvent]>([])
        let work = Task { await store.runBackgroundWork(reportingEvery: .zero) { event in events.withLock { $0.append(event) } } }
        let deadline = ContinuousClock.now + .seconds(60)
        while try await store.ping().searchIndexBehind > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        work.cancel()
        await work.value
        #expect(try await store.ping().searchIndexBehind == 0)
        let reported = events.withLock { events in
            events.compactMap { event -> (behind: Int, perSecond: Int)? in
                if case .indexing(let behind, let perSecond) = event { return (behind, perSecond) }
                return nil
            }
        }
        // Batches of 500 from 1 400: reports after each, the last at 0.
        #expect(reported.map(\.behind) == [900, 400, 0])
        #expect(reported.allSatisfy { $0.perSecond > 0 })
        #expect(try await store.indexForSearch() == 0, "nothing is indexed twice")
        try await store.close()
    }
}
