import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request the HTTP parser cannot read with the contract's JSON error, then closes.
///
/// Hummingbird answers these with an empty 400; a client (or a fuzzer) should get the same
/// `{"error": …}` as for any other bad input. Only when no response is under way: an error in the
/// middle of a request's body is left to Hummingbird, which is still writing that request's answer.
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head has arrived and whose response has not ended.
    private var requestsUnderWay = 0
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestsUnderWay += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { requestsUnderWay -= 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError, requestsUnderWay == 0 else {
            return context.fireErrorCaught(error)
        }
        // The parser reports every later byte as another error; one answer is enough.
        guard !answered else { return }
        answered = true
        let answer: APIError = error == .headerOverflow ? .headersTooLarge : .unreadableRequest
        answer.answer(on: context)
    }
}
