import Foundation
import QlippyJSON
import QlippyModel
import QlippyStore

/// `GET /api/users/{user_id}/search`'s query parameters, validated.
///
/// `q` is the contract's; `limit`, `after`, the conversation filters (``ConversationFilterParameters``),
/// `role`, `from`, `to` and `highlights` are our additions, all optional: without them the answer
/// has the original's shape and content (less archived conversations).
struct SearchRequest {
    static let limitRange = 1...500
    var query: SearchQuery
    /// Whether each matching message carries the ranges of the hits in its preview.
    var highlights: Bool
    /// Whether the client pages (then the answer says where the next page starts).
    var pages: Bool { query.limit != nil }

    init(_ parameters: QueryParameters) throws(APIError) {
        let text = (parameters["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .searchQueryRequired }
        query = SearchQuery(text: text)
        if let limit = parameters["limit"] {
            guard let value = Int(limit), Self.limitRange.contains(value) else {
                throw .invalidParameter("limit", "an integer from \(Self.limitRange.lowerBound) to \(Self.limitRange.upperBound)")
            }
            query.limit = value
        }
        // An empty cursor is the first page: a client may send `after=` before it has one.
        if let after = parameters["after"], !after.isEmpty {
            guard let cursor = SearchCursorText.decode(after) else { throw .invalidParameter("after", "a cursor from a previous page") }
            query.after = cursor
        }
        query.conversations = try ConversationFilterParameters.filter(parameters)
        if let role = parameters["role"] {
            guard role == "user" || role == "assistant" else { throw .invalidParameter("role", #""user" or "assistant""#) }
            query.role = role
        }
        query.from = try parameters["from"].map { text throws(APIError) in try Self.date(text, "from", endOfDay: false) }
        query.to = try parameters["to"].map { text throws(APIError) in try Self.date(text, "to", endOfDay: true) }
        switch parameters["highlights"] {
        case nil, "false": highlights = false
        case "true": highlights = true
        default: throw .invalidParameter("highlights", "true or false")
        }
    }

    /// A date (`2026-01-31`: its whole UTC day) or an RFC 3339 date-time (`2026-01-31T12:00:00Z`,
    /// `2026-01-31T14:00:00+02:00`), which the OpenAPI document promises as `format: date-time`.
    private static func date(_ text: String, _ name: String, endOfDay: Bool) throws(APIError) -> Timestamp {
        let full = text.utf8.count == 10 ? text + (endOfDay ? " 23:59:59.999999" : " 00:00:00") : text
        guard let timestamp = Timestamp(iso8601: full) else {
            throw .invalidParameter(name, "a date (YYYY-MM-DD) or an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ, or with an offset)")
        }
        return timestamp
    }
}

/// The `after` cursor on the wire: base64url of `count|microseconds|conversation id`, opaque to clients.
enum SearchCursorText {
    static func encode(_ cursor: SearchCursor) -> String {
        let micros = cursor.lastUpdated.map { String($0.microsecondsSinceEpoch) } ?? ""
        return Base64URL.encode("\(cursor.matchCount)|\(micros)|\(cursor.conversationID)")
    }

    static func decode(_ text: String) -> SearchCursor? {
        guard let plain = Base64URL.decode(text) else { return nil }
        let parts = plain.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, let count = Int(parts[0]), count >= 0, parts[2].utf8.count == 36 else { return nil }
        var lastUpdated: Timestamp?
        if !parts[1].isEmpty {
            guard let micros = Int64(parts[1]) else { return nil }
            lastUpdated = Timestamp(microsecondsSinceEpoch: micros)
        }
        return SearchCursor(matchCount: count, lastUpdated: lastUpdated, conversationID: String(parts[2]))
    }
}
