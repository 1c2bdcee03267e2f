/// What a store is, whether it answers, and its end.
public protocol StoreLifecycle: Sendable {
    /// A short description of what backs the store and its schema version, for logs and health checks.
    var description: String { get }

    /// Checks that the storage answers, and says how far its search index is behind; throws when
    /// it does not answer.
    @discardableResult
    func ping() async throws -> StoreStatus

    /// Releases connections; the store is unusable afterwards.
    func close() async throws

    /// The work the store does behind the requests (SQLite: indexing new messages for search),
    /// until the task is cancelled; progress and failures are reported, and the work goes on.
    func runBackgroundWork(report: @Sendable (BackgroundEvent) -> Void) async
}

/// What a store's background work reports.
public enum BackgroundEvent: Sendable {
    /// The search indexer is at work: messages still to index (at most), and its pace.
    case indexing(behind: Int, perSecond: Int)
    /// A step failed; it is tried again.
    case failed(any Error)
}

/// What a store reports with each ping.
public struct StoreStatus: Sendable, Equatable {
    /// Messages the search index has yet to take in, at most (counted by rowid, so a deleted row
    /// in the range counts too); 0 when it holds every one, as PostgreSQL's always does.
    public var searchIndexBehind: Int

    public init(searchIndexBehind: Int) {
        self.searchIndexBehind = searchIndexBehind
    }
}

extension StoreLifecycle {
    /// A store with nothing to do behind the requests waits for the end.
    public func runBackgroundWork(report: @Sendable (BackgroundEvent) -> Void) async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
    }
}
