import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The number of open connections, shared by every connection's ``ConnectionLimitHandler``.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; `false` when it is one too many.
    func opened() -> Bool {
        open.wrappingAdd(1, ordering: .relaxed).newValue <= limit
    }

    func closed() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// Caps concurrent connections: one beyond `--max-connections` gets a 503 JSON answer to its first
/// request, with `Retry-After: 1`, and is closed.
///
/// Hummingbird's own limit stops accepting, which leaves clients waiting in the kernel's backlog
/// without a word; a clear 503 lets a client or load balancer back off or go elsewhere.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let counter: ConnectionCounter
    private let logger: Logger
    private var refused = false
    private var answered = false

    init(counter: ConnectionCounter, logger: Logger) {
        self.counter = counter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        refused = !counter.opened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        counter.closed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refused else { return context.fireChannelRead(data) }
        guard case .head = unwrapInboundIn(data), !answered else { return }
        answered = true
        logger.warning(
            "refused a connection: at the limit of \(counter.limit) connections",
            metadata: ["client": "\(context.remoteAddress?.description ?? "unknown")"])
        APIError.tooManyConnections(limit: counter.limit).answer(on: context)
    }
}
