/// What a store is, whether it answers, and its end.
public protocol StoreLifecycle: Sendable {
    /// A short description of what backs the store and its schema version, for logs and health checks.
    var description: String { get }

    /// Checks that the storage answers; throws when it does not.
    func ping() async throws

    /// Releases connections; the store is unusable afterwards.
    func close() async throws
}
