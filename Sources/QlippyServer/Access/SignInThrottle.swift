import Synchronization

/// Slows down guessing: failed sign-ins are counted per username and per client address; past a
/// key's free failures, each further attempt must wait twice as long as the one before (1 s,
/// 2 s, 4 s, … up to ``longestWait``), answered 429 with `Retry-After` meanwhile.
///
/// Nobody is locked out for good: the wait never exceeds 15 minutes, a success clears the
/// username's count, and an hour without failures forgets a key. An attacker guessing one user's
/// password from many addresses is slowed by the username's count (5 free failures); one address
/// trying many usernames by the address's (20, since an office or a proxy shares an address).
final class SignInThrottle: Sendable {
    /// What failures are counted against.
    enum Key: Hashable, Sendable {
        case username(String)
        case address(String)

        var freeFailures: Int {
            switch self {
            case .username: SignInThrottle.freeFailures
            case .address: 20
            }
        }
    }

    static let freeFailures = 5
    static let longestWait = Duration.seconds(15 * 60)
    static let memory = Duration.seconds(60 * 60)

    private struct Record {
        var failures: Int
        var last: ContinuousClock.Instant
    }

    private let table = Mutex<[Key: Record]>([:])

    /// The keys of a sign-in: the username (case-folded, as people type it) and the address.
    static func keys(username: String, address: String?) -> [Key] {
        [.username(username.lowercased())] + (address.map { [.address($0)] } ?? [])
    }

    /// Whole seconds until `keys` may try again; `nil` when they may now.
    func wait(for keys: [Key], at now: ContinuousClock.Instant = .now) -> Int? {
        table.withLock { table in
            let waits = keys.compactMap { key -> Duration? in
                guard let record = table[key], record.last.duration(to: now) < Self.memory else { return nil }
                let remaining = record.last + Self.delay(afterFailures: record.failures, free: key.freeFailures) - now
                return remaining > .zero ? remaining : nil
            }
            guard let longest = waits.max() else { return nil }
            return max(1, Int(longest.components.seconds) + (longest.components.attoseconds > 0 ? 1 : 0))
        }
    }

    func recordFailure(for keys: [Key], at now: ContinuousClock.Instant = .now) {
        table.withLock { table in
            if table.count > 10_000 { table = table.filter { $0.value.last.duration(to: now) < Self.memory } }
            for key in keys {
                var record = table[key] ?? Record(failures: 0, last: now)
                if record.last.duration(to: now) >= Self.memory { record.failures = 0 }
                record.failures += 1
                record.last = now
                table[key] = record
            }
        }
    }

    func recordSuccess(for key: Key) {
        _ = table.withLock { $0.removeValue(forKey: key) }
    }

    /// How long after the last failure the next attempt is allowed.
    static func delay(afterFailures failures: Int, free: Int = freeFailures) -> Duration {
        guard failures >= free else { return .zero }
        return min(.seconds(1 << min(failures - free, 10)), longestWait)
    }
}
