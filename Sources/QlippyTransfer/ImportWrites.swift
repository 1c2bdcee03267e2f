import QlippyModel
import QlippyStore

/// Conversations on their way into the store, up to ``window`` at once, counted into the report in
/// the order they were added.
///
/// Written one at a time, each conversation waited for the previous one's commit, and decoding the
/// next waited for both. With several in flight, SQLite's group-commit writer puts them in one
/// transaction (each still in a savepoint of its own, so a conversation is still all or nothing),
/// PostgreSQL writes them on several connections, and the next ones are decoded meanwhile. Counting
/// in the order they were added keeps the report's skipped conversations in the file's order.
package struct ImportWrites {
    package static let window = 8

    private let store: any ChatResources & HistoryTransfer
    private let userID: String
    private let progress: (@Sendable (ImportReport) -> Void)?
    private var pending: [Pending] = []

    private enum Pending {
        case write(Task<ImportOutcome, any Error>, sourceID: String, title: String)
        case skipped(ImportReport.Skipped)
    }

    package init(store: any ChatResources & HistoryTransfer, userID: String, progress: (@Sendable (ImportReport) -> Void)?) {
        self.store = store
        self.userID = userID
        self.progress = progress
    }

    /// Starts writing the conversation; waits first while the window is full.
    package mutating func add(_ conversation: ImportedConversation, sourceID: String, into report: inout ImportReport) async throws {
        let (store, userID) = (store, userID)
        pending.append(
            .write(Task { try await store.importConversation(conversation, userID: userID) }, sourceID: sourceID, title: conversation.title)
        )
        while pending.count >= Self.window {
            try await countOldest(into: &report)
        }
    }

    /// A conversation that will not be written, reported in its place among the others.
    package mutating func skip(_ skipped: ImportReport.Skipped) {
        pending.append(.skipped(skipped))
    }

    /// Waits for every write and counts it. If one fails with an error other than text the store
    /// cannot hold, the import stops: the rest are waited for (never left writing behind an
    /// answer) and the error is thrown.
    package mutating func finish(into report: inout ImportReport) async throws {
        while !pending.isEmpty {
            try await countOldest(into: &report)
        }
    }

    /// Waits for the writes still running, without counting them: the import is failing.
    package mutating func abandon() async {
        for case .write(let task, _, _) in pending {
            _ = try? await task.value
        }
        pending = []
    }

    private mutating func countOldest(into report: inout ImportReport) async throws {
        switch pending.removeFirst() {
        case .skipped(let skipped):
            report.skipped.append(skipped)
        case .write(let task, let sourceID, let title):
            do {
                switch try await task.value {
                case .imported(let messages):
                    report.conversationsImported += 1
                    report.messagesImported += messages
                case .alreadyPresent:
                    report.conversationsAlreadyPresent += 1
                }
            } catch StoreError.unsupportedText {
                report.skipped.append(.init(sourceID: sourceID, title: title, reason: "contains U+0000, which this database cannot store"))
            } catch {
                await abandon()
                throw error
            }
            progress?(report)
        }
    }
}
