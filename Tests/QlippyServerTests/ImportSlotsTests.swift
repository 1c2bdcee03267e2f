import Foundation
import HummingbirdTesting
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// Imports over HTTP: their bodies go to disk as they arrive, and at most
/// ``TransferController/concurrentImports`` of them write at once.
@Suite("Import slots")
struct ImportSlotsTests {
    /// Six holders on two slots: never more than two inside at once, every one of them served.
    @Test func atMostTheLimitRunAtOnce() async throws {
        let inside = try await Self.hold(six: ImportSlots(limit: 2, capacity: 6))
        #expect(await inside.most == 2)
        #expect(await inside.now == 0)
        #expect(await inside.served.sorted() == Array(0..<6))
    }

    /// Six holders on one slot: served in the order they came (on two slots, two holders let in
    /// at the same moment may enter in either order).
    @Test func everyoneGetsATurnInOrder() async throws {
        let inside = try await Self.hold(six: ImportSlots(limit: 1, capacity: 6))
        #expect(await inside.most == 1)
        #expect(await inside.served == Array(0..<6))
    }

    /// Six holders of 50 ms each, each asking once the one before is inside or waiting: the order
    /// of arrival, whatever the scheduler's pace.
    private static func hold(six slots: ImportSlots) async throws -> Occupancy {
        let inside = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try await slots.holding {
                        await inside.enter(index)
                        try await Task.sleep(for: .milliseconds(50))
                        await inside.leave()
                    }
                }
                while await inside.served.count + slots.queued < index + 1 {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            try await group.waitForAll()
        }
        return inside
    }

    /// Past the capacity, one more import is refused at once (503, come back later), and taken
    /// in again once one has left.
    @Test func pastTheCapacityOneMoreIsToldToComeBack() async throws {
        let slots = ImportSlots(limit: 1, capacity: 2)
        let release = AsyncStream<Void>.makeStream()
        let holders = (0..<2).map { _ in
            Task { try await slots.admitting { try await slots.holding { for await _ in release.stream { break } } } }
        }
        while await slots.queued < 1 {
            try await Task.sleep(for: .milliseconds(1))
        }
        let refused = await #expect(throws: APIError.self) { try await slots.admitting { 1 } }
        #expect(refused?.status == .serviceUnavailable)
        #expect(refused?.message == "Server is taking 2 imports already; try again shortly")
        #expect(refused?.headers[.retryAfter] == "10")
        release.continuation.finish()
        for holder in holders { try await holder.value }
        #expect(try await slots.admitting { 2 } == 2)
    }

    /// Who is inside the slots, and the most that ever were.
    private actor Occupancy {
        var now = 0
        var most = 0
        var served: [Int] = []

        func enter(_ index: Int) {
            now += 1
            most = max(most, now)
            served.append(index)
        }

        func leave() { now -= 1 }
    }

    /// A holder that throws frees its slot: the next one still runs.
    @Test func aFailedImportFreesItsSlot() async throws {
        let slots = ImportSlots(limit: 1, capacity: 6)
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await slots.holding { throw Failure() } }
        #expect(try await slots.holding { 7 } == 7)
    }

    /// Four clients import at once (twice the slots) while others read: every import arrives
    /// whole and every read is answered.
    @Test func fourImportsAtOnceAllArriveAndReadsGoOn() async throws {
        let file = try ChatGPTImportTests.export()
        try await TestServer().run(.live) { client in
            let users = [
                try await client.createUser("a"), try await client.createUser("b"), try await client.createUser("c"),
                try await client.createUser("d"),
            ]
            let expected = try await ChatGPTImportTests.importFile(client, try await client.createUser("probe"), file)
            let reports = try await withThrowingTaskGroup(of: JSONDocument.self) { group in
                for user in users { group.addTask { try await ChatGPTImportTests.importFile(client, user, file) } }
                group.addTask { () async throws -> JSONDocument in
                    for _ in 0..<20 {
                        let status = try await client.get("/api/health").status
                        #expect(status == .ok)
                    }
                    return expected
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.count == 5)
            for report in reports {
                #expect(report.int("conversations_imported") == expected.int("conversations_imported"))
                #expect(report.int("messages_imported") == expected.int("messages_imported"))
            }
            for user in users {
                let list = try await client.get("/api/users/\(user)/conversations").json.array
                #expect(list.count == expected.int("conversations_imported"))
            }
        }
    }
}
