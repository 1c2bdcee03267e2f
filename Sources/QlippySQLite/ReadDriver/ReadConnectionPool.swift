import GRDB
import QlippyModel
import QlippyStore
import Synchronization

/// The idle ``ReadConnection``s of one database file, handed out one caller at a time.
///
/// A caller that finds none idle opens another rather than waiting: reads run synchronously on the
/// threads that call them, so the number of connections never exceeds the number of threads that
/// read at once (the cooperative pool's width, in the server), and a read never queues behind another.
final class ReadConnectionPool: Sendable {
    private let path: String
    private let state = Mutex<(idle: [ReadConnection], closed: Bool)>(([], false))

    init(path: String) {
        self.path = path
    }

    func read<Value>(_ body: (ReadConnection) throws -> Value) throws -> Value {
        let connection =
            try state.withLock { state throws -> ReadConnection? in
                guard !state.closed else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "Connection is closed") }
                return state.idle.popLast()
            } ?? ReadConnection(path: path)
        defer { state.withLock { state in if !state.closed { state.idle.append(connection) } } }
        return try body(connection)
    }

    /// Closes the idle connections; one still in use closes when its read ends.
    func close() {
        state.withLock { state in
            state.closed = true
            state.idle.removeAll()
        }
    }
}
