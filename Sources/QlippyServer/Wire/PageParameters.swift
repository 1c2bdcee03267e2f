import Foundation
import Hummingbird
import QlippyJSON
import QlippyModel
import QlippyStore

/// The optional `limit` and `after` of a paged list (conversations, plugins, messages), validated.
///
/// Without either the list is answered whole, as the original did. The body stays an array; the
/// next page is announced in a `Link: <…>; rel="next"` header (RFC 8288), absent on the last page.
struct PageParameters {
    static let limitRange = 1...500
    /// The page size when a client sends only `after`.
    static let defaultLimit = 100

    var limit: Int
    var after: PageCursor?

    /// `nil` when the request does not page. `list` names the list a cursor must come from.
    init?(_ parameters: QueryParameters, list: PageCursor.List) throws(APIError) {
        guard parameters["limit"] != nil || parameters["after"] != nil else { return nil }
        limit = Self.defaultLimit
        if let text = parameters["limit"] {
            guard let value = Int(text), Self.limitRange.contains(value) else {
                throw .invalidParameter("limit", "an integer from \(Self.limitRange.lowerBound) to \(Self.limitRange.upperBound)")
            }
            limit = value
        }
        // An empty cursor is the first page, as in search: a client may send `after=` before it has one.
        if let text = parameters["after"], !text.isEmpty {
            guard let cursor = PageCursor(text: text, list: list) else {
                throw .invalidParameter("after", "a cursor from a previous page of this list")
            }
            after = cursor
        }
    }

    var page: PageRequest { PageRequest(limit: limit, after: after?.key) }

    /// The cursor's walk of a user's conversations; nil on a first page, which begins a walk
    /// (``ListPages/conversationPage(ofUser:filter:previewLength:page:walkStart:)``). A walk's cursors expire
    /// (``ConversationWalk/walkLifetime``): the moves it needs are kept only so long.
    func continuedWalk(now: Timestamp = .now()) throws(APIError) -> ConversationWalk? {
        guard let start = after?.walkStart else { return nil }
        guard start >= now.minus(ConversationWalk.walkLifetime) else {
            throw .invalidParameter("after", "a cursor from the last 24 hours: start again from the first page")
        }
        return ConversationWalk(walkStart: start, page: page)
    }

    /// The array response, with a `Link` to the next page when there is one: the request's own
    /// path and query with `after` replaced.
    func response<Element>(
        _ page: Page<Element>, walkStart: Timestamp? = nil, list: PageCursor.List, request: Request,
        writeElement: (inout JSONWriter, Element) -> Void
    ) -> Response {
        var response = Response.json(.ok, capacity: 512 * max(page.items.count, 1)) { $0.write(array: page.items, writeElement) }
        if let next = page.next {
            let cursor = PageCursor(list: list, walkStart: walkStart, key: next).text
            let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("after=") && $0 != "after" }
            let query = (kept + ["after=\(cursor)"]).joined(separator: "&")
            response.headers[.link] = "<\(request.uri.path)?\(query)>; rel=\"next\""
        }
        return response
    }
}

/// A position in a paged list on the wire: opaque base64url text that carries the store's
/// ``PageKey`` (and a conversation walk's start) with a checksum over it and the list it belongs
/// to, so that a tampered cursor, or one from another list, is refused rather than answered with
/// some other page. The checksum (FNV-1a, 64 bits) is not a secret: a cursor grants nothing, as the
/// list's owner is in the path anyway; it catches mistakes, not forgers.
struct PageCursor {
    /// The list a cursor belongs to: its kind, owner and (conversations) filter.
    struct List {
        var scope: String

        static func conversations(ofUser userID: String, filter: ConversationFilter) -> List {
            let folder = filter.folder.map { "=" + $0 } ?? "*"
            let pinned = filter.pinned.map { $0 ? "pinned" : "unpinned" } ?? "*"
            let tag = filter.tag.map { "=" + ConversationMarks.tagKey($0) } ?? "*"
            return List(scope: "conversations|\(userID)|\(folder)|\(filter.archived.rawValue)|\(pinned)|\(tag)")
        }

        static func plugins(ofUser userID: String) -> List { List(scope: "plugins|\(userID)") }
        static func messages(ofConversation id: String) -> List { List(scope: "messages|\(id)") }
    }

    var list: List
    var walkStart: Timestamp?
    var key: PageKey

    init(list: List, walkStart: Timestamp?, key: PageKey) {
        self.list = list
        self.walkStart = walkStart
        self.key = key
    }

    /// Fields joined by newlines (no field holds one): version, walk start in microseconds (or
    /// empty), `+time` or `-` for a row without a time, sequence; then the checksum in hex.
    var text: String {
        let fields = "1\n\(walkStart.map { String($0.microsecondsSinceEpoch) } ?? "")\n\(key.time.map { "+" + $0 } ?? "-")\n\(key.sequence)"
        let checksum = String(Self.checksum(list.scope + "\n" + fields), radix: 16)
        return Base64URL.encode(fields + "\n" + checksum)
    }

    init?(text: String, list: List) {
        guard let plain = Base64URL.decode(text) else { return nil }
        let parts = plain.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "1", let sequence = Int64(parts[3]) else { return nil }
        let fields = parts[0...3].joined(separator: "\n")
        guard parts[4] == String(Self.checksum(list.scope + "\n" + fields), radix: 16) else { return nil }
        var walkStart: Timestamp?
        if !parts[1].isEmpty {
            guard let micros = Int64(parts[1]) else { return nil }
            walkStart = Timestamp(microsecondsSinceEpoch: micros)
        }
        let time: String?
        switch parts[2].first {
        case "+": time = String(parts[2].dropFirst())
        case "-" where parts[2] == "-": time = nil
        default: return nil
        }
        self.init(list: list, walkStart: walkStart, key: PageKey(time: time, sequence: sequence))
    }

    private static func checksum(_ text: String) -> UInt64 {
        FNV1a.hash(text)
    }
}
