import Hummingbird
import QlippyStore
import Synchronization

/// Answers every POST that creates a row (user, conversation, message, plugin), with or without an
/// `Idempotency-Key` (IETF httpapi draft, Stripe's API): the first request with a key is run and
/// its 201 kept under the key in the same transaction (``ChatStore/create(_:key:reply:)``); a
/// repeat of the same request gets that 201 again with `Idempotent-Replayed: true` and writes
/// nothing; the key with a different request is 422; a repeat while the first is still running on
/// this server is 409 (on another server it waits for the first and replays it).
final class Creates: Sendable {
    let store: any ChatStore
    /// The keys this server is running now, each with its owner (user or conversation id).
    private let running = Mutex<Set<String>>([])

    init(store: any ChatStore) {
        self.store = store
    }

    func respond(to request: Request, _ creation: Creation) async throws -> Response {
        guard let header = request.headers[.idempotencyKey] else {
            let created = try await create(creation)
            return Response.json(.created) { $0.write(created) }
        }
        let key = try Self.validated(header)
        let claim = "\(Self.owner(of: creation))\n\(key)"
        guard running.withLock({ $0.insert(claim).inserted }) else { throw APIError.idempotencyKeyRunning }
        defer { _ = running.withLock { $0.remove(claim) } }
        let outcome = try await store.create(creation, key: key) { created in
            var json = JSONWriter()
            json.write(created)
            return StoredReply(status: Int(HTTPResponse.Status.created.code), body: json.bytes)
        }
        switch outcome {
        case .created(_, let reply): return Self.response(reply, replayed: false)
        case .replayed(let reply): return Self.response(reply, replayed: true)
        case .keyReused: throw APIError.idempotencyKeyReused
        }
    }

    private func create(_ creation: Creation) async throws -> Resource {
        switch creation {
        case .user(let username): .user(try await store.createUser(username: username))
        case .conversation(let userID, let title, let folder): .conversation(try await store.createConversation(userID: userID, title: title, folder: folder))
        case .message(let conversationID, let role, let content):
            .message(try await store.addMessage(conversationID: conversationID, role: role, content: content))
        case .plugin(let userID, let plugin): .plugin(try await store.createPlugin(userID: userID, plugin: plugin))
        }
    }

    private static func response(_ reply: StoredReply, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: JSONWriter.contentType]
        if replayed { headers[.idempotentReplayed] = "true" }
        return Response(status: HTTPResponse.Status(code: reply.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    /// The id in the create's path.
    private static func owner(of creation: Creation) -> String {
        switch creation {
        case .user: ""
        case .conversation(let userID, _, _), .plugin(let userID, _): userID
        case .message(let conversationID, _, _): conversationID
        }
    }

    /// 1 to 255 visible ASCII characters (a UUID is the usual key).
    private static func validated(_ key: String) throws(APIError) -> String {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { throw .invalidIdempotencyKey }
        return key
    }
}
