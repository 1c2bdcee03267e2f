import Logging
import NIOCore
import QlippyStore
import ServiceLifecycle
import Synchronization

/// Carries the store's change log to this process's open event streams.
///
/// While any stream is open it reads the log every ``pollInterval`` (and nothing otherwise): the
/// log is written by the database in each change's transaction, so changes made through any server
/// process sharing the database reach every process's streams, and nothing uncommitted is ever sent. Each change is
/// rendered once (its row read as it is now) for all the streams of its user. Every stream has a
/// bounded queue: a stream that cannot keep up is ended with `reset` instead of holding anyone up.
/// The feed also sends the heartbeats and drops changes older than ``kept`` from the log.
final class ChangeFeed: Service, Sendable {
    static let pollInterval = Duration.milliseconds(25)
    /// How long the log keeps changes, and so how far back `Last-Event-ID` can resume.
    static let kept = Duration.seconds(24 * 3600)
    /// How many missed events a reconnecting stream may be sent; further behind, it gets `reset`.
    static let replayLimit = 1_000
    /// How long the feed waits at a gap in the sequences before passing it: PostgreSQL hands out
    /// sequences at insert, so a lower one may still be committing (at most the store's 5 s
    /// deadline) or may never come (its transaction rolled back).
    static let gapHold = Duration.seconds(6)
    static let pruneInterval = Duration.seconds(60)

    /// One open stream: its queue, and whether the feed ended it for reading too slowly.
    final class Subscription: Sendable {
        let id: Int
        let userID: String
        /// The feed sends this stream the changes after this sequence; earlier ones are replayed.
        let liveFrom: Int64
        let items: AsyncStream<ByteBuffer>
        fileprivate let continuation: AsyncStream<ByteBuffer>.Continuation
        private let overflowed = Atomic<Bool>(false)

        fileprivate init(id: Int, userID: String, liveFrom: Int64, buffer: Int) {
            self.id = id
            self.userID = userID
            self.liveFrom = liveFrom
            (items, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(buffer))
        }

        var fellBehind: Bool { overflowed.load(ordering: .acquiring) }

        /// Queues an event; a full queue ends the stream instead.
        fileprivate func send(_ item: ByteBuffer) {
            if case .dropped = continuation.yield(item) {
                overflowed.store(true, ordering: .releasing)
                continuation.finish()
            }
        }

        func finish() {
            continuation.finish()
        }
    }

    private struct State {
        var subscriptions: [String: [Int: Subscription]] = [:]
        var nextID = 0
        /// The last sequence delivered (or passed over): streams opened now are live after it.
        var position: Int64
        var gapSince: ContinuousClock.Instant?
        var open: Int { subscriptions.values.reduce(0) { $0 + $1.count } }
    }

    private let store: any ChangeLogReader
    private let state: Mutex<State>
    private let buffer: Int
    private let heartbeat: Duration
    private let logger: Logger

    /// Starts after the newest change already logged: streams get what happens from now on, or
    /// ask for earlier ones with `Last-Event-ID`.
    init(store: any ChangeLogReader, buffer: Int, heartbeat: Duration, logger: Logger) async throws {
        self.store = store
        self.buffer = buffer
        self.heartbeat = heartbeat
        self.logger = logger
        state = Mutex(State(position: try await store.changeLogBounds().newest))
    }

    var openStreams: Int { state.withLock { $0.open } }
    var position: Int64 { state.withLock { $0.position } }

    /// A stream of the user's changes from now on: those after the newest one logged, which the
    /// feed (reading every ``pollInterval``) may not have reached yet.
    func subscribe(userID: String) async throws -> Subscription {
        let newest = try await store.changeLogBounds().newest
        return state.withLock { state in
            let subscription = Subscription(id: state.nextID, userID: userID, liveFrom: max(state.position, newest), buffer: buffer)
            state.nextID += 1
            state.subscriptions[userID, default: [:]][subscription.id] = subscription
            return subscription
        }
    }

    func unsubscribe(_ subscription: Subscription) {
        state.withLock { state in
            state.subscriptions[subscription.userID]?[subscription.id] = nil
            if state.subscriptions[subscription.userID]?.isEmpty == true { state.subscriptions[subscription.userID] = nil }
        }
        subscription.finish()
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.every(Self.pollInterval) { try await self.poll() } }
                group.addTask { await self.every(self.heartbeat) { self.sendToAll(ServerSentEvents.heartbeat) } }
                group.addTask {
                    await self.every(Self.pruneInterval) { try await self.store.pruneChanges(olderThan: .now().minus(Self.kept)) }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.endAll()
        }
        endAll()
    }

    /// Runs `work` every `interval` until cancelled or shut down; a failure is logged and the next
    /// round tries again (the database may be back by then).
    private func every(_ interval: Duration, _ work: @Sendable () async throws -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await work()
            } catch {
                logger.warning("event feed: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Reads the log after the position and sends each change to its user's streams, in order.
    /// Nothing while no stream is open: a new stream starts after the newest change anyway.
    private func poll() async throws {
        let (position, users) = state.withLock { state in
            // Changes up to the earliest stream's start concern no stream: skip them unread.
            if let earliest = state.subscriptions.values.flatMap(\.values).map(\.liveFrom).min(), earliest > state.position {
                state.position = earliest
                state.gapSince = nil
            }
            return (state.position, Set(state.subscriptions.keys))
        }
        guard !users.isEmpty else { return }
        for change in try await store.changes(after: position, ofUser: nil, limit: 500) {
            guard passes(change.sequence) else { return }
            guard users.contains(change.userID) else { continue }
            let event = ServerSentEvents.event(change, resource: change.isDeletion ? nil : try await store.resource(of: change))
            state.withLock { state in
                for subscription in (state.subscriptions[change.userID] ?? [:]).values where subscription.liveFrom < change.sequence {
                    subscription.send(event)
                }
            }
        }
    }

    /// Whether the feed may move on to `sequence`: at once when it follows the position, else
    /// only once the gap before it has lasted ``gapHold``.
    private func passes(_ sequence: Int64) -> Bool {
        state.withLock { state in
            if sequence != state.position + 1 {
                let now = ContinuousClock.now
                guard let since = state.gapSince else {
                    state.gapSince = now
                    return false
                }
                guard since.duration(to: now) >= Self.gapHold else { return false }
            }
            state.gapSince = nil
            state.position = sequence
            return true
        }
    }

    private func sendToAll(_ item: ByteBuffer) {
        state.withLock { state in
            for subscription in state.subscriptions.values.flatMap(\.values) { subscription.send(item) }
        }
    }

    private func endAll() {
        state.withLock { state in
            for subscription in state.subscriptions.values.flatMap(\.values) { subscription.finish() }
        }
    }
}
