/// What a store is, whether it answers, and its end.
public protocol StoreLifecycle: Sendable {
    /// A short description of what backs the store and its schema version, for logs and health checks.
    var description: String { get }

    /// Checks that the storage answers; throws when it does not.
    func ping() async throws

    /// Releases connections; the store is unusable afterwards.
    func close() async throws

    /// The work the store does behind the requests (SQLite: indexing new messages for search),
    /// until the task is cancelled; failures are reported and the work goes on.
    func runBackgroundWork(onFailure: @Sendable (any Error) -> Void) async
}

extension StoreLifecycle {
    /// A store with nothing to do behind the requests waits for the end.
    public func runBackgroundWork(onFailure: @Sendable (any Error) -> Void) async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3_600)) }
    }
}
