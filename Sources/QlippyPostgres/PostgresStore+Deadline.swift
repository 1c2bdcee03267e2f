import PostgresNIO
import QlippyModel
import QlippyStore
import Synchronization

extension PostgresStore {
    /// Runs `body`, failing with ``StoreError/unavailable`` after `deadline` or when PostgreSQL's
    /// connection is lost; other errors pass through.
    ///
    /// Not a task group: a group waits for all of its tasks, and a request waiting for a connection
    /// while the database is away does not end until it is back. Here the caller is answered at the
    /// deadline and `body` is cancelled (which withdraws its wait for a connection, so a write
    /// answered 503 is not run later). `body` starts on the caller's thread, and deadlines are
    /// kept in ``Deadlines`` (checked a few times a second) rather than each given a timer: with a
    /// sleeping task per call as the timer, the deadline cost health checks on PostgreSQL 28 % of
    /// their rate, and with an event-loop timer per call 18 %.
    @discardableResult
    static func within<Value: Sendable>(
        _ deadline: Duration?, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        do {
            guard let deadline else { return try await body() }
            return try await withCheckedThrowingContinuation { continuation in
                let answer = FirstAnswer(continuation)
                let work = Task.immediate {
                    let result: Result<Value, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    answer.resume(with: result)
                }
                let watch = Deadlines.shared.add(after: deadline) {
                    answer.resume(with: .failure(StoreError.unavailable))
                    work.cancel()
                }
                answer.whenAnswered { Deadlines.shared.remove(watch) }
            }
        } catch let error as PSQLError where error.isConnectionLoss {
            throw StoreError.unavailable
        } catch let error as PSQLError where error.sqlState == "22021" {
            throw StoreError.unsupportedText
        }
    }
}

/// A continuation resumed by whichever of two answers comes first (the work's or the deadline's);
/// the other is dropped. Also runs one clean-up (cancelling the deadline's timer) once answered,
/// whether the answer came before or after the clean-up was registered.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var cleanUp: (@Sendable () -> Void)?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        state = Mutex(State(continuation: continuation))
    }

    func resume(with result: Result<Value, any Error>) {
        let (continuation, cleanUp) = state.withLock { state in
            (state.continuation.take(), state.cleanUp.take())
        }
        guard let continuation else { return }
        continuation.resume(with: result)
        cleanUp?()
    }

    func whenAnswered(_ cleanUp: @escaping @Sendable () -> Void) {
        let answered = state.withLock { state in
            if state.continuation == nil { return true }
            state.cleanUp = cleanUp
            return false
        }
        if answered { cleanUp() }
    }
}
