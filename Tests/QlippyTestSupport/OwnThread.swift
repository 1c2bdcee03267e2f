import Foundation

/// Runs blocking work (waiting for a child process, a raw socket) on a thread of its own.
///
/// On Swift's cooperative pool (two threads on this machine) it would starve the servers, stores
/// and deadline timers that other tests run at the same time: a 50 ms deadline once answered
/// after 6 s while command-line tests waited for their processes on both threads.
package func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
