import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request has not fully arrived `--request-timeout` seconds after its
/// head: a client trickling a body a byte at a time would otherwise hold the connection, since
/// every byte counts as activity for the idle timeout.
///
/// A trickled head needs no help: the idle timeout sees only whole request parts, so a head that
/// never completes is closed by it. The connection is closed without an answer, because the
/// request's handler may already be writing one.
final class RequestTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            deadline?.cancel()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let (logger, seconds, path) = (logger, timeout.nanoseconds / 1_000_000_000, head.path ?? "")
            deadline = context.eventLoop.scheduleTask(in: timeout) {
                logger.notice("closed a connection: its request did not arrive within \(seconds) s", metadata: ["path": "\(path)"])
                loopBound.value.close(promise: nil)
            }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }
}
