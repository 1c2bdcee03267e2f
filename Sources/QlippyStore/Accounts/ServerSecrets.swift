/// Secrets the servers of one database share, such as the key that signs access tokens.
public protocol ServerSecrets: Sendable {
    /// The secret called `name`: the stored one, or `generated` stored now when there is none
    /// (several servers starting at once all get the one that was stored first).
    func secret(named name: String, generated: String) async throws -> String
}
