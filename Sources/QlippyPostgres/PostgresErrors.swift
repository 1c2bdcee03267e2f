import PostgresNIO
import QlippyModel
import QlippyStore

extension PostgresStore {
    /// One line saying why PostgreSQL failed a call, for the operator.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(underlying)" }
            return "\(error.code)"
        }
        if let error = error as? StoreError, error == .unavailable { return "no answer within \(requestDeadline)" }
        return "\(error)"
    }
}

/// PostgreSQL could not be reached (or refused us) at start-up: one line for the operator.
public struct PostgresUnavailableError: Error, CustomStringConvertible {
    public var location: String
    public var reason: String

    public var description: String {
        "cannot use PostgreSQL at \(location): \(reason)"
    }
}

extension PSQLError {
    var sqlState: String? { serverInfo?[.sqlState] }

    /// The connection broke or could not be made: the database is away, not the request wrong.
    var isConnectionLoss: Bool {
        [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed].contains(code)
            || sqlState?.hasPrefix("08") == true || sqlState == "57P01" || sqlState == "57P03"
    }
}
