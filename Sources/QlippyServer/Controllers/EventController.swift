import Foundation
import Hummingbird
import NIOCore
import QlippyStore
import ServiceLifecycle

/// `GET /api/users/{user_id}/events`: the user's changes as server-sent events (``ChangeFeed``).
struct EventController {
    let store: any ChatResources & ChangeLogReader
    let feed: ChangeFeed

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/events", use: stream)
    }

    /// `GET /api/users/{user_id}/events`: the events missed since `Last-Event-ID`, then the live ones.
    @Sendable func stream(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        _ = try await store.user(id: userID)
        let lastEventID = try Self.lastEventID(request)
        let subscription = try await feed.subscribe(userID: userID)
        let missed: [ByteBuffer]
        do {
            missed = try await replay(after: lastEventID, to: subscription)
        } catch {
            feed.unsubscribe(subscription)
            throw error
        }
        let headers: HTTPFields = [.contentType: ServerSentEvents.contentType, .cacheControl: "no-cache"]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { [feed] writer in
                defer { feed.unsubscribe(subscription) }
                try await writer.write(ServerSentEvents.opened)
                for event in missed { try await writer.write(event) }
                // A server shutting down ends the stream (the client reconnects with Last-Event-ID
                // to another server, or this one once it is back), instead of waiting for it.
                try await withGracefulShutdownHandler {
                    for await event in subscription.items { try await writer.write(event) }
                } onGracefulShutdown: {
                    subscription.finish()
                }
                if subscription.fellBehind {
                    try await writer.write(ServerSentEvents.reset(position: feed.position, reason: "the stream was read too slowly"))
                }
                try await writer.finish(nil)
            })
    }

    /// The events a reconnecting client missed, between its `Last-Event-ID` and where the
    /// subscription's live events start; a `reset` (ending the stream) when they cannot be sent.
    private func replay(after lastEventID: Int64?, to subscription: ChangeFeed.Subscription) async throws -> [ByteBuffer] {
        guard let lastEventID, lastEventID != subscription.liveFrom else { return [] }
        let reset = { (reason: String) -> [ByteBuffer] in
            subscription.finish()
            return [ServerSentEvents.reset(position: subscription.liveFrom, reason: reason)]
        }
        guard lastEventID < subscription.liveFrom else { return reset("Last-Event-ID is beyond this server's change log") }
        guard let oldest = try await store.changeLogBounds().oldest, oldest <= lastEventID + 1 else {
            return reset("Last-Event-ID is older than the change log keeps (24 hours)")
        }
        let changes = try await store.changes(after: lastEventID, ofUser: subscription.userID, limit: ChangeFeed.replayLimit + 1)
            .filter { $0.sequence <= subscription.liveFrom }
        guard changes.count <= ChangeFeed.replayLimit else { return reset("more than \(ChangeFeed.replayLimit) events were missed") }
        var events: [ByteBuffer] = []
        for change in changes {
            events.append(ServerSentEvents.event(change, resource: change.isDeletion ? nil : try await store.resource(of: change)))
        }
        return events
    }

    private static func lastEventID(_ request: Request) throws(APIError) -> Int64? {
        guard let text = request.headers[.lastEventID] else { return nil }
        guard let id = Int64(text.trimmingCharacters(in: .whitespaces)), id >= 0 else { throw .invalidLastEventID }
        return id
    }
}
