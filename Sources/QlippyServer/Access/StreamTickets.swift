import QlippyModel
import Synchronization

/// Single-use tickets for the event stream: a browser's `EventSource` cannot send an
/// `Authorization` header, and a token in a URL would end up in proxies' and browsers' history.
///
/// A signed-in client asks for a ticket (`POST /api/auth/stream-ticket`) and opens
/// `GET /api/users/{id}/events?ticket=…` within 60 seconds; the ticket works once, on the server
/// that issued it, and only for that user's stream. The request log writes paths, not queries.
final class StreamTickets: Sendable {
    static let lifetime = Duration.seconds(60)

    private struct Ticket {
        var userID: String
        var expires: ContinuousClock.Instant
    }

    private let table = Mutex<[String: Ticket]>([:])

    func issue(for userID: String, at now: ContinuousClock.Instant = .now) -> String {
        let ticket = Secrets.randomText()
        table.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[ticket] = Ticket(userID: userID, expires: now + Self.lifetime)
        }
        return ticket
    }

    /// The ticket's user, spending it; `nil` when it is unknown, spent or expired.
    func redeem(_ ticket: String, at now: ContinuousClock.Instant = .now) -> String? {
        table.withLock { table in
            guard let found = table.removeValue(forKey: ticket), found.expires > now else { return nil }
            return found.userID
        }
    }
}
