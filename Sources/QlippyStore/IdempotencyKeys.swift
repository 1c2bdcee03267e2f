import QlippyModel

/// Idempotency keys' scope and lifetime, shared by the stores.
public enum IdempotencyKeys {
    /// How long a key's reply is kept (and a repeat replayed).
    public static let lifetime: Duration = .seconds(24 * 3600)

    /// The oldest creation time of a key still in force at `now`.
    package static func cutoff(_ now: Timestamp) -> Timestamp {
        now.minus(lifetime)
    }

    /// Keys are per user; creating a user has none yet, so those keys share one scope.
    package static let usersScope = ""
}
