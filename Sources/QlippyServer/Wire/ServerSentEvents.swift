import NIOCore
import QlippyJSON
import QlippyModel
import QlippyStore

/// The text of an event stream (`text/event-stream`, the HTML Living Standard's server-sent
/// events): each event's `id` (the change's sequence), `event` (its kind) and one `data` line of
/// JSON, then a blank line; comments start with a colon.
enum ServerSentEvents {
    static let contentType = "text/event-stream"
    /// Sent first, so that the client sees the stream open before any change.
    static let opened = ByteBuffer(string: ": events of this user follow\n\n")
    static let heartbeat = ByteBuffer(string: ": heartbeat\n\n")

    /// A change's event: the row as it is now (the shape its routes answer with), or `{"id"}` when
    /// it was deleted or is gone since.
    static func event(_ change: Change, resource: Resource?) -> ByteBuffer {
        var json = JSONWriter()
        if let resource, !change.isDeletion {
            json.write(resource)
        } else {
            json.beginObject()
            json.field("id", change.resourceID)
            json.endObject()
        }
        var buffer = ByteBuffer(string: "id: \(change.sequence)\nevent: \(change.kind)\ndata: ")
        buffer.writeBytes(json.bytes)
        buffer.writeString("\n\n")
        return buffer
    }

    /// The stream cannot go on where the client is (its `Last-Event-ID` is beyond the kept log,
    /// or it read too slowly): reload, then listen on from `position`.
    static func reset(position: Int64, reason: String) -> ByteBuffer {
        var json = JSONWriter()
        json.beginObject()
        json.field("reason", reason)
        json.endObject()
        var buffer = ByteBuffer(string: "id: \(position)\nevent: reset\ndata: ")
        buffer.writeBytes(json.bytes)
        buffer.writeString("\n\n")
        return buffer
    }
}
