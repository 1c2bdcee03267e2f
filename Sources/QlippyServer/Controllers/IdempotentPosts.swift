import Hummingbird
import QlippyJSON
import QlippyModel
import QlippyStore
import Synchronization

/// Answers every POST, with or without an `Idempotency-Key` (IETF httpapi draft, Stripe's API):
/// the first request with a key is run and its answer kept under the key; a repeat of the same
/// request gets that answer again with `Idempotent-Replayed: true` and writes nothing; the key
/// with a different request is 422; a repeat while the first is still running on this server is
/// 409 (on another server a create waits for the first's commit and replays it; an import or a
/// backup runs again there, and the answer kept first is the one replayed later).
///
/// A create (user, conversation, message, plugin) keeps its answer in its own transaction
/// (``IdempotentCreates/create(_:key:reply:)``), so a crash after the commit still replays. An import
/// and a backup keep theirs once their work is done (``respond(to:scope:fingerprint:_:)``).
final class IdempotentPosts: Sendable {
    let store: any ChatResources & IdempotentCreates
    /// The keys this server is running now, each with its owner (user or conversation id).
    private let running = Mutex<Set<String>>([])

    init(store: any ChatResources & IdempotentCreates) {
        self.store = store
    }

    func respond(to request: Request, _ creation: Creation) async throws -> Response {
        guard let header = request.headers[.idempotencyKey] else {
            let created = try await create(creation)
            return Response.json(.created) { $0.write(created) }
        }
        let key = try Self.validated(header)
        return try await claiming(key, of: Self.owner(of: creation)) {
            let outcome = try await store.create(creation, key: key) { created in StoredReply.json(.created) { $0.write(created) } }
            switch outcome {
            case .created(_, let reply): return Self.response(reply, replayed: false)
            case .replayed(let reply): return Self.response(reply, replayed: true)
            case .keyReused: throw APIError.idempotencyKeyReused
            }
        }
    }

    /// A POST whose work is not one create: an import (many transactions) or a backup (none).
    /// `run`'s answer is kept under the key in a transaction of its own once the work is done; a
    /// failure is not kept, so a repeat runs again. A crash between the work and keeping its
    /// answer leaves the key unused, and the repeat runs the work again: safe for both, as an
    /// import finds what it wrote before and adds nothing, and a backup writes one more snapshot.
    /// `fingerprint` (read only when a key is sent) says what a repeat must ask for again.
    func respond(
        to request: Request, scope: String, fingerprint: @autoclosure () -> String, _ run: () async throws -> StoredReply
    ) async throws -> Response {
        guard let header = request.headers[.idempotencyKey] else { return Self.response(try await run(), replayed: false) }
        let key = try Self.validated(header)
        return try await claiming(key, of: scope) {
            let fingerprint = fingerprint()
            switch try await store.keptReply(scope: scope, key: key, fingerprint: fingerprint) {
            case .replay(let reply): return Self.response(reply, replayed: true)
            case .keyReused: throw APIError.idempotencyKeyReused
            case .none:
                let reply = try await run()
                try await store.keepReply(reply, scope: scope, key: key, fingerprint: fingerprint)
                return Self.response(reply, replayed: false)
            }
        }
    }

    /// Runs `body` while this server holds `key` for `owner`; 409 when it already does.
    private func claiming(_ key: String, of owner: String, _ body: () async throws -> Response) async throws -> Response {
        let claim = "\(owner)\n\(key)"
        guard running.withLock({ $0.insert(claim).inserted }) else { throw APIError.idempotencyKeyRunning }
        defer { _ = running.withLock { $0.remove(claim) } }
        return try await body()
    }

    private func create(_ creation: Creation) async throws -> Resource {
        switch creation {
        case .user(let username): .user(try await store.createUser(username: username))
        case .conversation(let userID, let title, let folder, let expiry):
            .conversation(try await store.createConversation(userID: userID, title: title, folder: folder, expiry: expiry))
        case .message(let conversationID, let role, let content, let details, let parent):
            .message(
                try await store.addMessage(conversationID: conversationID, role: role, content: content, details: details, parent: parent))
        case .plugin(let userID, let plugin): .plugin(try await store.createPlugin(userID: userID, plugin: plugin))
        }
    }

    private static func response(_ reply: StoredReply, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: JSONWriter.contentType]
        if replayed { headers[.idempotentReplayed] = "true" }
        return Response(
            status: HTTPResponse.Status(code: reply.code), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// The id in the create's path.
    private static func owner(of creation: Creation) -> String {
        switch creation {
        case .user: ""
        case .conversation(let userID, _, _, _), .plugin(let userID, _): userID
        case .message(let conversationID, _, _, _, _): conversationID
        }
    }

    /// 1 to 255 visible ASCII characters (a UUID is the usual key).
    private static func validated(_ key: String) throws(APIError) -> String {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { throw .invalidIdempotencyKey }
        return key
    }
}

extension StoredReply {
    /// A JSON answer, as a key keeps it.
    static func json(_ status: HTTPResponse.Status, _ write: (inout JSONWriter) -> Void) -> StoredReply {
        var json = JSONWriter()
        write(&json)
        return StoredReply(code: Int(status.code), body: json.bytes)
    }
}
