import QlippyModel
import QlippyStore
import Synchronization

/// The deadlines of calls in flight, checked by one long-lived task a few times a second.
///
/// A timer per call (a sleeping task, or an event-loop timer) wakes another thread twice per
/// request, to arm it and to cancel it; here arming and cancelling are a dictionary insert and
/// removal under a lock. A deadline fires up to ``tick`` late, which a 5 s deadline can afford.
final class Deadlines: Sendable {
    static let shared = Deadlines()

    /// How often expired deadlines are looked for.
    static let tick: Duration = .milliseconds(200)

    private struct Watch {
        var expires: ContinuousClock.Instant
        var expire: @Sendable () -> Void
    }

    private struct State {
        var next: UInt64 = 0
        var watches: [UInt64: Watch] = [:]
    }

    private let state = Mutex(State())

    private init() {
        Task.detached { [self] in
            while true {
                try? await Task.sleep(for: Self.tick)
                fireExpired(at: .now)
            }
        }
    }

    /// Calls `expire` once `duration` has passed, unless ``remove(_:)`` comes first.
    func add(after duration: Duration, _ expire: @escaping @Sendable () -> Void) -> UInt64 {
        let expires = ContinuousClock.now + duration
        return state.withLock { state in
            state.next += 1
            state.watches[state.next] = Watch(expires: expires, expire: expire)
            return state.next
        }
    }

    func remove(_ watch: UInt64) {
        _ = state.withLock { state in state.watches.removeValue(forKey: watch) }
    }

    private func fireExpired(at now: ContinuousClock.Instant) {
        let expired = state.withLock { state in
            let due = state.watches.filter { $0.value.expires <= now }
            for key in due.keys { state.watches.removeValue(forKey: key) }
            return due.values.map(\.expire)
        }
        for expire in expired { expire() }
    }
}
